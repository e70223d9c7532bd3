//! How to reach the SML and who to be there.

use std::fmt;
use std::time::Duration;

/// The SMP's client certificate and private key, presented to the SML in the TLS handshake.
/// The SML binds the SMP ID to this certificate.
#[derive(Clone)]
pub enum ClientIdentity {
    /// PEM: `certificate` holds the SMP certificate, optionally followed by its issuing
    /// chain; `key` the unencrypted private key (PKCS#8 `PRIVATE KEY`, or PKCS#1
    /// `RSA PRIVATE KEY` / SEC1 `EC PRIVATE KEY`, which are converted).
    Pem {
        /// PEM certificate(s), leaf first.
        certificate: Vec<u8>,
        /// PEM private key matching the leaf certificate.
        key: Vec<u8>,
    },
    /// A PKCS#12 (`.p12`/`.pfx`) file with the key, the certificate and optionally its chain.
    Pkcs12 {
        /// The DER bytes of the file.
        der: Vec<u8>,
        /// The file's password.
        password: String,
    },
}

impl fmt::Debug for ClientIdentity {
    // Never print key material or passwords.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem { certificate, .. } => f
                .debug_struct("Pem")
                .field("certificate_bytes", &certificate.len())
                .field("key", &"<redacted>")
                .finish(),
            Self::Pkcs12 { der, .. } => f
                .debug_struct("Pkcs12")
                .field("der_bytes", &der.len())
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

/// Everything [`SmlClient::new`](crate::SmlClient::new) needs.
#[derive(Debug, Clone)]
pub struct SmlClientConfig {
    /// The SOAP base URL, `https://` (e.g. [`SmlPreset::base_url`](crate::SmlPreset::base_url)
    /// or the local emulator's); a trailing `/` is ignored.
    pub base_url: String,
    /// The SMP's certificate and key for mutual TLS.
    pub identity: ClientIdentity,
    /// Extra CA certificates (PEM, one or more) to trust for the SML's server certificate, in
    /// addition to the system roots: the emulator's test root. `None` for the Peppol SMLs.
    pub trusted_roots_pem: Option<Vec<u8>>,
    /// The whole-request limit (connect, send, wait for and read the answer).
    pub timeout: Duration,
    /// The limit for establishing the TCP + TLS connection.
    pub connect_timeout: Duration,
}

impl SmlClientConfig {
    /// A configuration with the default timeouts (60 s per request, 10 s to connect): the SML
    /// can take tens of seconds for list operations.
    pub fn new(base_url: impl Into<String>, identity: ClientIdentity) -> Self {
        Self {
            base_url: base_url.into(),
            identity,
            trusted_roots_pem: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
        }
    }
}
