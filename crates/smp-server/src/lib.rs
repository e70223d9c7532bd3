//! Ferry's HTTP edge: the Peppol SMP 1.x API (public reads and phoss-compatible writes),
//! the JSON management API under `/api/v1`, `/health` and `/metrics`.
//!
//! Handlers parse, authenticate, call one domain service (`smp-core`'s or `party-config`'s)
//! and render; errors become problem responses in `problem.rs` only, by their
//! `ErrorClass`. `/health` and `/metrics` report the domain's workers, which the binary
//! starts. This crate must never hold business rules, SQL, or background loops of its own.
#![forbid(unsafe_code)]

mod api;
mod auth;
mod metrics;
mod ops;
mod problem;
mod smp_api;
mod state;
mod target;
mod tls;

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::{App, HttpServer, web};
use party_config::Handover;
use smp_core::workers::Supervisor;

pub use crate::metrics::Metrics;
pub use crate::problem::Problem;
pub use crate::state::AppState;

/// TLS files for the listener.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// PEM certificate chain, leaf first.
    pub certificate: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

/// How the HTTP server runs.
#[derive(Clone)]
pub struct ServerSettings {
    /// Path prefix of every route, "" or like "/smp".
    pub base_path: String,
    /// Worker threads (0 = one per core).
    pub workers: usize,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
}

/// A bound listener, its TLS setup and the URL it answers on.
pub struct Bound {
    listener: TcpListener,
    tls: Option<openssl::ssl::SslAcceptorBuilder>,
    /// e.g. `http://127.0.0.1:8080`.
    pub url: String,
}

/// Loads the TLS files (checking that key and certificate match) and binds the listening
/// socket (port 0 picks a free port), so every startup error surfaces before serving.
pub fn bind(addr: &str, tls: Option<&TlsFiles>) -> std::io::Result<Bound> {
    let tls = tls
        .map(|files| tls::acceptor(&files.certificate, &files.key))
        .transpose()
        .map_err(std::io::Error::other)?;
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    Ok(Bound {
        listener,
        tls,
        url: format!("{scheme}://{local}"),
    })
}

/// Binds the parking SMP's https listener: it asks clients for a certificate and lets any
/// (or none) through the handshake, so the collection API can answer each case itself.
pub fn bind_parking(addr: &str, tls: &TlsFiles) -> std::io::Result<Bound> {
    let acceptor =
        tls::client_cert_acceptor(&tls.certificate, &tls.key).map_err(std::io::Error::other)?;
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    Ok(Bound {
        listener,
        tls: Some(acceptor),
        url: format!("https://{local}"),
    })
}

/// Normalises a configured base path to "" or "/segment[/segment]".
pub fn normalise_base_path(base: &str) -> String {
    let trimmed = base.trim().trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    }
}

/// Serves until the process is asked to stop (SIGINT/SIGTERM); with `parking` (from
/// [`bind_parking`]) also the parking SMP's token collection listener. The domain's
/// workers run under `supervisor`, started by the caller; `/health` and `/metrics` report
/// them.
pub async fn run(
    bound: Bound,
    parking: Option<Bound>,
    settings: ServerSettings,
    domain: Arc<Handover>,
    supervisor: Supervisor,
) -> std::io::Result<()> {
    let base_path = normalise_base_path(&settings.base_path);
    let state = web::Data::new(AppState {
        domain,
        metrics: Metrics::default(),
        max_body_bytes: settings.max_body_bytes,
        base_path: base_path.clone(),
        supervisor,
        auth: auth::AuthGuards::new(),
    });
    if let Some(parking) = parking {
        let server = parking_server(parking, state.clone(), settings.workers)?;
        actix_web::rt::spawn(async move {
            if let Err(e) = server.await {
                tracing::error!(error = %e, "the parking listener stopped");
            }
        });
    }

    let server = HttpServer::new(move || {
        App::new().app_data(state.clone()).service(
            web::scope(&base_path)
                .route("/health", web::get().to(ops::health))
                .route("/metrics", web::get().to(ops::metrics))
                .configure(api::configure)
                .default_service(web::to(smp_api::dispatch)),
        )
    })
    .workers(if settings.workers == 0 {
        std::thread::available_parallelism().map_or(2, usize::from)
    } else {
        settings.workers
    });
    let server = match bound.tls {
        Some(acceptor) => server.listen_openssl(bound.listener, acceptor)?,
        None => server.listen(bound.listener)?,
    };
    server.run().await
}

/// The token collection listener: one route, the client's certificate chain kept per
/// connection for the handler.
fn parking_server(
    bound: Bound,
    state: web::Data<AppState>,
    workers: usize,
) -> std::io::Result<actix_web::dev::Server> {
    let acceptor = bound
        .tls
        .ok_or_else(|| std::io::Error::other("the parking listener needs TLS"))?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(api::configure_tokens)
    })
    .on_connect(|conn, ext| {
        use actix_tls::accept::openssl::TlsStream;
        if let Some(tls) = conn.downcast_ref::<TlsStream<actix_web::rt::net::TcpStream>>() {
            ext.insert(peer_chain(tls.ssl()));
        }
    })
    .workers(if workers == 0 { 2 } else { workers.min(4) })
    .listen_openssl(bound.listener, acceptor)?;
    Ok(server.run())
}

/// Leaf first; on the server side OpenSSL's peer chain may or may not repeat the leaf.
fn peer_chain(ssl: &openssl::ssl::SslRef) -> api::parking::PeerChain {
    let mut chain = Vec::new();
    if let Some(leaf) = ssl.peer_certificate()
        && let Ok(der) = leaf.to_der()
    {
        chain.push(der);
        for cert in ssl.peer_cert_chain().into_iter().flatten() {
            if let Ok(der) = cert.to_der()
                && !chain.contains(&der)
            {
                chain.push(der);
            }
        }
    }
    api::parking::PeerChain(chain)
}
