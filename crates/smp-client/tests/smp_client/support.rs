//! Loopback servers and documents for the tests.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use peppol_id::{DocumentTypeId, ParticipantId, ProcessId};
use smp_client::{FetchPolicy, SmpClient, TrustStore};
use smp_xml::{
    Endpoint, Process, Redirect, ServiceGroup, ServiceInformation, ServiceMetadata, SigningKey,
};
use test_support::http_stub::{self, Response};

pub(crate) const P: &str = "iso6523-actorid-upis::0208:0123456749";
pub(crate) const DOCTYPE: &str = "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
pub(crate) const PROCESS: &str = "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";
pub(crate) const ENDPOINT: &str = "https://ap.example.org/as4";

pub(crate) fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// The official schemas and samples: `FERRY_SPEC_DIR`, else `<repo>/../shared/spec`.
/// Missing files fail the test: nothing here is skipped.
pub(crate) fn spec_file(path: &str) -> Vec<u8> {
    let dir = std::env::var_os("FERRY_SPEC_DIR")
        .map_or_else(|| repo_file("../shared/spec"), PathBuf::from);
    let file = dir.join(path);
    std::fs::read(&file).unwrap_or_else(|e| {
        panic!(
            "spec file {} is missing ({e}): set FERRY_SPEC_DIR to the official samples",
            file.display()
        )
    })
}

pub(crate) fn participant() -> ParticipantId {
    ParticipantId::parse(P).unwrap()
}

pub(crate) fn doctype() -> DocumentTypeId {
    DocumentTypeId::parse(DOCTYPE).unwrap()
}

/// http + loopback allowed (the servers here are plain http on 127.0.0.1), short timeouts.
pub(crate) fn local_policy() -> FetchPolicy {
    FetchPolicy {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        ..FetchPolicy::local_testing()
    }
}

pub(crate) fn smp_roots() -> TrustStore {
    TrustStore::from_pem_file(&repo_file("certs-test/truststore/smp-roots.pem")).unwrap()
}

pub(crate) fn client(policy: &FetchPolicy) -> SmpClient {
    SmpClient::new(policy, Some(smp_roots())).unwrap()
}

fn signing_key(which: &str) -> SigningKey {
    let cert = std::fs::read(repo_file(&format!("certs-test/smp/{which}.crt.pem"))).unwrap();
    let key = std::fs::read(repo_file(&format!("certs-test/smp/{which}.key.pem"))).unwrap();
    SigningKey::from_pem(&cert, &key).unwrap()
}

/// SignedServiceMetadata for [`P`] / [`DOCTYPE`] with one endpoint, signed by `certs-test/smp`.
pub(crate) fn signed_information() -> Vec<u8> {
    let ap_cert = std::fs::read_to_string(repo_file("certs-test/ap/ap-valid.b64")).unwrap();
    let info = ServiceInformation {
        participant: participant(),
        document_type: doctype(),
        processes: vec![Process {
            process: ProcessId::parse(PROCESS).unwrap(),
            endpoints: vec![Endpoint {
                transport_profile: "peppol-transport-as4-v2_0".into(),
                address: ENDPOINT.into(),
                require_business_level_signature: false,
                minimum_authentication_level: None,
                service_activation_date: None,
                service_expiration_date: None,
                certificate: ap_cert.trim().to_owned(),
                service_description: "test".into(),
                technical_contact_url: "https://ap.example.org/contact".into(),
                technical_information_url: None,
                extension: None,
            }],
            extension: None,
        }],
        extension: None,
    };
    smp_xml::sign_service_metadata(&ServiceMetadata::Information(info), &signing_key("smp"))
        .unwrap()
}

/// A signed Redirect to `href`.
pub(crate) fn signed_redirect(href: &str) -> Vec<u8> {
    let redirect = Redirect {
        href: href.to_owned(),
        certificate_uid: "CN=FERRY-TEST-SMP, O=Ferry Test, C=BE".into(),
        extension: None,
    };
    smp_xml::sign_service_metadata(&ServiceMetadata::Redirect(redirect), &signing_key("smp"))
        .unwrap()
}

/// A ServiceGroup for [`P`] with these references.
pub(crate) fn service_group(references: Vec<String>) -> Vec<u8> {
    smp_xml::write_service_group(&ServiceGroup {
        participant: participant(),
        references,
        extension: None,
    })
}

/// The href of [`DOCTYPE`] under `base`.
pub(crate) fn metadata_href(base: &str) -> String {
    format!(
        "{base}/{}/services/{}",
        participant().path_segment(),
        doctype().path_segment()
    )
}

/// An SMP on a loopback port: `group(base)` for the ServiceGroup path, `metadata(base)` for
/// every `/services/` path. Returns the base URL (`http://127.0.0.1:N`).
pub(crate) fn smp(
    group: impl Fn(&str) -> Vec<u8> + Send + 'static,
    metadata: impl Fn(&str) -> Vec<u8> + Send + 'static,
) -> String {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let seen = base.clone();
    let url = http_stub::serve(move |request| {
        let base = seen.get().map(String::as_str).unwrap_or_default();
        Response {
            status: 200,
            content_type: "text/xml",
            body: if request.path.contains("/services/") {
                metadata(base)
            } else {
                group(base)
            },
        }
    });
    base.set(url.clone()).unwrap();
    url
}

/// A raw TCP server on a loopback port: `handle` gets each connection after the request
/// head was read. Returns the base URL and the number of connections accepted so far.
pub(crate) fn raw_server(
    handle: impl Fn(TcpStream) + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            count.fetch_add(1, Ordering::SeqCst);
            let handle = handle.clone();
            std::thread::spawn(move || {
                read_head(&stream);
                handle(stream);
            });
        }
    });
    (base, connections)
}

fn read_head(stream: &TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        if line == "\r\n" {
            return;
        }
        line.clear();
    }
}

/// Writes an HTTP/1.1 head (status line + headers + blank line).
pub(crate) fn write_head(mut stream: &TcpStream, status: &str, headers: &[&str]) {
    let mut head = format!("HTTP/1.1 {status}\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
}
