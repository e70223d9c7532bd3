//! The SOAP endpoints over https with client-certificate authentication.

use std::{any::Any, path::Path, sync::Arc, time::Duration};

use actix_web::{
    HttpRequest, HttpResponse,
    body::BodyStream,
    dev::Extensions,
    http::{StatusCode, header},
    rt::net::TcpStream,
    web,
};
use diesel::SqliteConnection;
use openssl::{
    ssl::{SslAcceptor, SslAcceptorBuilder, SslFiletype, SslMethod, SslVerifyMode},
    x509::X509Name,
};
use tokio::sync::Mutex;

use crate::{
    dns_zone::DnsZone,
    error::EmulatorError,
    fault_injection::Faults,
    registry::{Caller, Registry},
    sml_fault::SmlFault,
    soap_request::{self, Service},
    soap_response,
};

/// DER of the client certificate of a TLS connection, stored by `on_connect`.
#[derive(Clone)]
struct PeerCertificate(Vec<u8>);

/// Shared by the SOAP and admin servers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) db: Arc<Mutex<SqliteConnection>>,
    pub(crate) zone: DnsZone,
    pub(crate) zone_name: String,
    pub(crate) faults: Faults,
    pub(crate) page_size: usize,
}

pub(crate) fn tls_acceptor(
    certificate: &Path,
    key: &Path,
    client_ca: &Path,
) -> Result<SslAcceptorBuilder, EmulatorError> {
    let tls_err = |path: &Path| {
        let path = path.to_owned();
        move |e: openssl::error::ErrorStack| EmulatorError::Tls {
            path,
            message: e.to_string(),
        }
    };
    let mut b =
        SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).map_err(tls_err(certificate))?;
    b.set_certificate_chain_file(certificate)
        .map_err(tls_err(certificate))?;
    b.set_private_key_file(key, SslFiletype::PEM)
        .map_err(tls_err(key))?;
    b.check_private_key().map_err(tls_err(key))?;
    b.set_ca_file(client_ca).map_err(tls_err(client_ca))?;
    b.set_client_ca_list(X509Name::load_client_ca_file(client_ca).map_err(tls_err(client_ca))?);
    // PEER without FAIL_IF_NO_PEER_CERT: an untrusted certificate fails the handshake, but a
    // client without one gets a readable ERR-101 fault instead of a TLS alert.
    b.set_verify(SslVerifyMode::PEER);
    // Required by OpenSSL for session resumption once client verification is on.
    b.set_session_id_context(b"sml-emulator")
        .map_err(tls_err(certificate))?;
    Ok(b)
}

pub(crate) fn on_connect(conn: &dyn Any, ext: &mut Extensions) {
    if let Some(tls) = conn.downcast_ref::<actix_tls::accept::openssl::TlsStream<TcpStream>>()
        && let Some(cert) = tls.ssl().peer_certificate()
        && let Ok(der) = cert.to_der()
    {
        ext.insert(PeerCertificate(der));
    }
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/{tail:.*}", web::post().to(handle));
}

fn request_id() -> String {
    let mut bytes = [0u8; 16];
    if openssl::rand::rand_bytes(&mut bytes).is_err() {
        return "0".repeat(32);
    }
    data_encoding::HEXUPPER.encode(&bytes)
}

fn xml_response(status: u16, body: String) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/xml; charset=utf-8"))
        .body(body)
}

fn fault_response(fault: &SmlFault) -> HttpResponse {
    let id = request_id();
    tracing::info!(code = fault.code, kind = ?fault.kind, message = %fault.message, request_id = %id, "SML fault");
    xml_response(
        fault.kind.http_status(),
        soap_response::render_fault(fault, &id),
    )
}

/// A response whose body fails before anything is written: actix then closes the connection
/// without sending even the status line, which is what a client sees when the SML commits
/// a change and the connection breaks.
fn dropped_connection() -> HttpResponse {
    let failing = futures_util::stream::once(async {
        Err::<web::Bytes, std::io::Error>(std::io::Error::other(
            "fault injection: connection dropped after commit",
        ))
    });
    HttpResponse::Ok().body(BodyStream::new(failing))
}

async fn handle(req: HttpRequest, body: web::Bytes, state: web::Data<AppState>) -> HttpResponse {
    let before = state.faults.before_call();
    if before.latency_ms > 0 {
        actix_web::rt::time::sleep(Duration::from_millis(before.latency_ms)).await;
    }
    if let Some(status) = before.http_error {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return HttpResponse::build(status).finish();
    }
    let segment = req.path().rsplit('/').find(|s| !s.is_empty()).unwrap_or("");
    let Some(service) = Service::from_path(segment) else {
        return HttpResponse::NotFound()
            .body("unknown SML service; use manageservicemetadata, manageparticipantidentifier or bdmslservice");
    };
    let caller = match req.conn_data::<PeerCertificate>() {
        Some(PeerCertificate(der)) => match Caller::from_der(der) {
            Ok(c) => Some(c),
            Err(e) => {
                return fault_response(&SmlFault::internal(format!("client certificate: {e}")));
            }
        },
        None => None,
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return fault_response(&SmlFault::bad_request("The request is not UTF-8."));
    };
    let action = req
        .headers()
        .get("SOAPAction")
        .and_then(|v| v.to_str().ok());
    let op = match soap_request::parse(service, action, text) {
        Ok(op) => op,
        Err(reason) => {
            return fault_response(&SmlFault::bad_request(format!("Invalid request: {reason}")));
        }
    };
    if let Some(fault) = before.soap_fault {
        return fault_response(&fault);
    }
    let is_write = op.is_write();
    let guard = state.db.clone().lock_owned().await;
    let zone_name = state.zone_name.clone();
    let page_size = state.page_size;
    let blocking = web::block(move || {
        let mut guard = guard;
        let outcome = Registry {
            conn: &mut guard,
            zone: &zone_name,
            page_size,
        }
        .execute(&op, caller.as_ref());
        (guard, outcome)
    })
    .await;
    let (guard, outcome) = match blocking {
        Ok(done) => done,
        Err(e) => return fault_response(&SmlFault::internal(format!("Internal error: {e}"))),
    };
    let reply = match outcome {
        Ok((reply, changes)) => {
            // Still holding the store lock: DNS changes in the same order as the state.
            state.zone.apply(&changes).await;
            reply
        }
        Err(fault) => {
            drop(guard);
            return fault_response(&fault);
        }
    };
    drop(guard);
    if is_write && state.faults.drop_after_commit() {
        return dropped_connection();
    }
    xml_response(200, soap_response::render_reply(&reply))
}
