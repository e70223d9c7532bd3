use std::{io, net::SocketAddr, path::PathBuf};

/// Why the emulator could not start (or a store operation failed underneath a request).
///
/// Request-level problems never surface here: they become SOAP faults on the wire.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A socket could not be bound. Pick another address or free the port.
    #[error("cannot bind {what} on {addr}: {source}")]
    Bind {
        /// Which listener (`soap`, `dns udp`, `dns tcp`, `admin`).
        what: &'static str,
        /// The address asked for.
        addr: SocketAddr,
        /// The operating-system error.
        #[source]
        source: io::Error,
    },
    /// The TLS server certificate, key or client CA file is unusable. Check the configured paths.
    #[error("TLS setup failed for {path}: {message}")]
    Tls {
        /// The file involved.
        path: PathBuf,
        /// What OpenSSL said.
        message: String,
    },
    /// The SQLite state file could not be opened or migrated.
    #[error("state database {path}: {message}")]
    Database {
        /// The configured database path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The configured DNS zone is not a valid domain name.
    #[error("invalid DNS zone {zone:?}: {message}")]
    Zone {
        /// The configured zone.
        zone: String,
        /// Why it was refused.
        message: String,
    },
    /// A storage operation failed while serving a request (reported as an InternalError fault).
    #[error("state store: {0}")]
    Store(String),
    /// The emulator threads could not be started or died during start-up. This is a bug.
    #[error("emulator start-up failed: {0}")]
    Startup(String),
}

impl EmulatorError {
    /// A stable machine-readable code for each variant.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Bind { .. } => "sml_emulator.bind",
            Self::Tls { .. } => "sml_emulator.tls",
            Self::Database { .. } => "sml_emulator.database",
            Self::Zone { .. } => "sml_emulator.zone",
            Self::Store(_) => "sml_emulator.store",
            Self::Startup(_) => "sml_emulator.startup",
        }
    }
}

impl From<diesel::result::Error> for EmulatorError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Store(e.to_string())
    }
}
