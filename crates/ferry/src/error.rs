//! What can end a `ferry` command, and its exit code.

use party_config::DomainError;
use smp_core::ErrorClass;

/// Exit codes: 0 success, 1 refused operation (bad input, not found, conflict),
/// 2 usage/configuration error, 3 runtime failure (database, signing, I/O), 4 the SML and
/// the database differ (`ferry sml reconcile` without `--repair`).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error(transparent)]
    Config(#[from] ferry_config::ConfigError),
    #[error("{0}")]
    Startup(String),
    #[error("{} [{}]", .0, .0.code())]
    Domain(#[from] DomainError),
    /// The SML refused or could not be reached (message, code).
    #[error("{0} [{1}]")]
    Sml(String, String),
    /// Reconciliation found differences (and was not asked to repair them).
    #[error(
        "the SML and the database differ in {0} place(s); run `ferry sml reconcile --repair` to fix them"
    )]
    Drift(usize),
    /// `ferry lookup`: the SML DNS has no record of the participant.
    #[error("{participant} is not registered in {zone}")]
    NotRegistered { participant: String, zone: String },
    /// `ferry lookup` could not complete a step (DNS, HTTP, an unreadable document).
    #[error("lookup failed at {step}: {message}")]
    Lookup { step: &'static str, message: String },
    /// `ferry lookup` completed, but the named checks failed (signature, chain, expired, ...).
    #[error("check failed ({}): {message}", .checks.join(", "))]
    CheckFailed {
        checks: Vec<&'static str>,
        message: String,
    },
    /// A migration ended in `failed` (the code is the SML's or Ferry's).
    #[error("migration {id} failed: {message} [{code}]")]
    MigrationFailed {
        id: String,
        code: String,
        message: String,
    },
    /// `ferry migrate bulk`: some migrations of the request failed (listed in the summary).
    #[error("{failed} of {total} migrations of bulk {bulk_id} failed")]
    BulkFailed {
        bulk_id: String,
        failed: i64,
        total: i64,
    },
}

impl From<peppol_id::IdError> for CliError {
    fn from(e: peppol_id::IdError) -> Self {
        Self::Domain(e.into())
    }
}

impl CliError {
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) => 2,
            Self::Startup(_) => 3,
            Self::Domain(e) => match e.class() {
                ErrorClass::Internal => 3,
                ErrorClass::Invalid
                | ErrorClass::TooLarge
                | ErrorClass::Refused
                | ErrorClass::Unauthenticated
                | ErrorClass::Forbidden
                | ErrorClass::NotFound
                | ErrorClass::Throttled
                | ErrorClass::Conflict
                | ErrorClass::Unavailable => 1,
            },
            Self::Sml(..) => 1,
            Self::Drift(_) => 4,
            Self::NotRegistered { .. } | Self::CheckFailed { .. } => 1,
            Self::Lookup { .. } => 3,
            Self::MigrationFailed { .. } | Self::BulkFailed { .. } => 1,
        }
    }
}
