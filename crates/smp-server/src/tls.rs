//! Native TLS for the HTTP listener (production Peppol SMPs answer on https only).

use std::path::Path;

use openssl::ssl::{SslAcceptor, SslAcceptorBuilder, SslFiletype, SslMethod, SslVerifyMode};

/// An acceptor with the server certificate chain and key, checked to match.
pub(crate) fn acceptor(certificate: &Path, key: &Path) -> Result<SslAcceptorBuilder, String> {
    let mut builder =
        SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).map_err(|e| e.to_string())?;
    builder
        .set_certificate_chain_file(certificate)
        .map_err(|e| format!("server.tls_certificate {}: {e}", certificate.display()))?;
    builder
        .set_private_key_file(key, SslFiletype::PEM)
        .map_err(|e| format!("server.tls_key {}: {e}", key.display()))?;
    builder
        .check_private_key()
        .map_err(|e| format!("server.tls.key does not match server.tls.certificate: {e}"))?;
    Ok(builder)
}

/// As [`acceptor`], also asking clients for a certificate. Any certificate (or none) passes
/// the handshake: the domain classifies it, so each defect gets its own answer.
pub(crate) fn client_cert_acceptor(
    certificate: &Path,
    key: &Path,
) -> Result<SslAcceptorBuilder, String> {
    let mut builder = acceptor(certificate, key)?;
    builder.set_verify_callback(SslVerifyMode::PEER, |_, _| true);
    // Required once clients are verified: without it OpenSSL refuses resumed sessions.
    builder
        .set_session_id_context(b"ferry-parking")
        .map_err(|e| e.to_string())?;
    Ok(builder)
}
