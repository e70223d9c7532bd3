//! Native TLS for the HTTP listener (production Peppol SMPs answer on https only).

use std::path::Path;

use openssl::ssl::{SslAcceptor, SslAcceptorBuilder, SslFiletype, SslMethod};

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
