//! The domain error: every way a registration operation can fail, grouped by who must act.

use peppol_id::IdError;
use smp_store::StoreError;
use smp_xml::XmlError;

/// Who must act on an error; the HTTP status and the CLI's exit code derive from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The request is malformed or breaks a rule: fix it and send it again (400).
    Invalid,
    /// The request body is larger than the configured limit (413).
    TooLarge,
    /// Understood, but refused by a rule of this SMP or by the SML (422).
    Refused,
    /// No or wrong credentials (401).
    Unauthenticated,
    /// The caller may not do this: use other credentials (403).
    Forbidden,
    /// What the request names does not exist here (404).
    NotFound,
    /// Too many failed attempts from this client or for this name: wait as long as the
    /// error says, then try again (429).
    Throttled,
    /// The current state does not allow this: look before you write (409).
    Conflict,
    /// A peer (the SML) failed or could not be reached; nothing changed: retry later (503).
    Unavailable,
    /// Ferry or its environment failed (database, signing, stored data): the operator
    /// must look at the log (500).
    Internal,
}

/// Why a domain operation was refused or failed.
///
/// Variants are grouped by blame: the request (fix the input), the caller's rights (use
/// other credentials), the current state (look before you write), and Ferry or its
/// environment (retry, or report). `smp-server` maps each variant to one HTTP status and
/// the stable [`DomainError::code`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    // --- the request ---
    /// A submitted XML document was refused by the strict parser.
    #[error("{0}")]
    Xml(#[from] XmlError),
    /// An identifier in the URL or a JSON body is not valid.
    #[error("{0}")]
    Identifier(#[from] IdError),
    /// The participant in the body is not the one in the URL.
    #[error(
        "the body is for participant {body}, but the URL names {url}: send the document to its own participant's URL"
    )]
    ParticipantMismatch { url: String, body: String },
    /// The document type in the body is not the one in the URL.
    #[error("the body is for document type {body}, but the URL names {url}")]
    DocumentTypeMismatch { url: String, body: String },
    /// A registration policy rule refuses this service; `detail` says what to do instead.
    #[error("refused by the registration policy ({}): {detail}", rule.as_str())]
    PolicyViolation {
        rule: crate::policy::PolicyRule,
        detail: String,
    },
    /// A JSON field has a value Ferry cannot accept.
    #[error("invalid `{field}`: {reason}")]
    InvalidInput { field: String, reason: String },

    // --- credentials and rights ---
    /// No credentials were sent.
    #[error("authentication required: send `Authorization: Bearer <token>` or Basic credentials")]
    AuthenticationMissing,
    /// The credentials are unknown, expired or wrong.
    #[error("the credentials were not accepted")]
    AuthenticationFailed,
    /// The caller may not change this participant: it belongs to another user.
    #[error("participant {participant} belongs to another user")]
    NotOwner { participant: String },
    /// Too many failed logins for this user name or from this address within the throttle
    /// window: the password was not checked. Wait `retry_after_secs`, or use an API token.
    #[error(
        "too many failed logins for this user name or from this address: try again in {retry_after_secs} s"
    )]
    AuthenticationThrottled { retry_after_secs: u64 },
    /// Too many password checks are running or waiting: the password was not checked. Try
    /// again in a moment; API tokens are not affected.
    #[error("too many password checks are waiting: try again in a moment, or use an API token")]
    AuthenticationBusy,
    /// The operation is for administrators only.
    #[error("this operation needs an administrator")]
    AdminRequired,

    // --- the current state ---
    /// The participant is not hosted here.
    #[error("participant {participant} is not registered on this SMP")]
    ParticipantNotFound { participant: String },
    /// The participant exists, but has no metadata for this document type.
    #[error("participant {participant} has no service metadata for document type {document_type}")]
    ServiceNotFound {
        participant: String,
        document_type: String,
    },
    /// The participant has no business card.
    #[error("participant {participant} has no business card")]
    BusinessCardNotFound { participant: String },
    /// A participant with this identifier already exists.
    #[error("participant {participant} already exists")]
    ParticipantExists { participant: String },
    /// No endpoint profile has this name.
    #[error("endpoint profile `{name}` does not exist")]
    ProfileNotFound { name: String },
    /// An endpoint profile with this name exists already.
    #[error("endpoint profile `{name}` already exists")]
    ProfileExists { name: String },
    /// The endpoint profile is still used by capabilities and cannot be deleted.
    #[error(
        "endpoint profile `{name}` is used by {participants} participant(s): remove those capabilities first"
    )]
    ProfileInUse { name: String, participants: usize },
    /// No user has this name.
    #[error("user `{username}` does not exist")]
    UserNotFound { username: String },
    /// A user with this name exists already.
    #[error("user `{username}` already exists")]
    UserExists { username: String },
    /// The user is the last administrator: make another user an administrator first.
    #[error(
        "user `{username}` is the last administrator and cannot be deleted: create another administrator first"
    )]
    LastAdministrator { username: String },
    /// No token with this id belongs to the user.
    #[error("token {id} does not exist for this user")]
    TokenNotFound { id: i64 },
    /// No webhook subscription has this id.
    #[error("webhook `{id}` does not exist")]
    WebhookNotFound { id: String },
    /// No migration-token caller has this certificate fingerprint.
    #[error("token caller `{id}` does not exist")]
    TokenCallerNotFound { id: String },

    /// The parking SMP is not enabled on this server.
    #[error("the parking SMP is not enabled on this server (parking.enabled = false)")]
    ParkingDisabled,

    /// No migration has this id.
    #[error("migration {id} does not exist")]
    MigrationNotFound { id: String },
    /// The migration is not in a status that allows this.
    #[error("migration {id} is {status}: {hint}")]
    MigrationState {
        id: String,
        status: String,
        hint: String,
    },
    /// A migration key breaks the SML's rules (checked before calling the SML).
    #[error("invalid migration key: {reason}")]
    InvalidMigrationKey { reason: String },
    /// The participant must be registered in the SML by this SMP for this operation.
    #[error(
        "participant {participant} is not registered in the SML by this SMP (SML state: {state})"
    )]
    NotRegisteredInSml { participant: String, state: String },

    // --- the SML ---
    /// The SML refused the request; `code` is `sml.err_nnn`.
    #[error("the SML refused: {message}")]
    SmlRefused { code: String, message: String },
    /// The SML could not be reached or failed; nothing was changed here. Try again later.
    #[error("the SML is unavailable: {message}")]
    SmlUnavailable { code: String, message: String },

    // --- Ferry or its environment ---
    /// The database failed; the operation changed nothing.
    #[error("database error: {0}")]
    Store(#[from] StoreError),
    /// Rendering or signing a document failed (a configuration or Ferry problem).
    #[error("could not sign the document: {0}")]
    Signing(XmlError),
    /// A stored migration key cannot be unsealed: the key file is missing or not the one it
    /// was sealed with. Give every node the same `migration.key_file`.
    #[error("a stored migration key cannot be read: {reason}")]
    SealedKey { reason: String },
    /// Stored data could not be turned back into a document; this is a bug in Ferry.
    #[error("stored data is inconsistent ({0}); please report this as a bug")]
    Corrupt(String),
}

impl DomainError {
    /// A stable, machine-readable code; part of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Xml(e) => e.code(),
            Self::Identifier(e) => e.code(),
            Self::ParticipantMismatch { .. } => "participant.mismatch",
            Self::DocumentTypeMismatch { .. } => "doctype.mismatch",
            Self::InvalidInput { .. } => "input.invalid",
            Self::PolicyViolation { rule, .. } => rule.code(),
            Self::AuthenticationMissing => "auth.missing",
            Self::AuthenticationFailed => "auth.invalid",
            Self::AuthenticationThrottled { .. } => "auth.throttled",
            Self::AuthenticationBusy => "auth.busy",
            Self::NotOwner { .. } => "auth.forbidden",
            Self::AdminRequired => "auth.admin_required",
            Self::ParticipantNotFound { .. } => "participant.not_found",
            Self::ServiceNotFound { .. } => "service.not_found",
            Self::BusinessCardNotFound { .. } => "business_card.not_found",
            Self::ParticipantExists { .. } => "participant.exists",
            Self::ProfileNotFound { .. } => "profile.not_found",
            Self::ProfileExists { .. } => "profile.exists",
            Self::ProfileInUse { .. } => "profile.in_use",
            Self::UserNotFound { .. } => "user.not_found",
            Self::UserExists { .. } => "user.exists",
            Self::LastAdministrator { .. } => "user.last_admin",
            Self::TokenNotFound { .. } => "token.not_found",
            Self::MigrationNotFound { .. } => "migration.not_found",
            Self::MigrationState { .. } => "migration.invalid_state",
            Self::InvalidMigrationKey { .. } => "migration.invalid_key",
            Self::NotRegisteredInSml { .. } => "participant.not_registered_in_sml",
            Self::SmlRefused { code, .. } | Self::SmlUnavailable { code, .. } => sml_code(code),
            Self::WebhookNotFound { .. } => "webhook.not_found",
            Self::TokenCallerNotFound { .. } => "parking.caller_not_found",
            Self::ParkingDisabled => "parking.disabled",
            Self::Store(_) => "internal.store",
            Self::Signing(_) => "internal.signing",
            Self::SealedKey { .. } => "internal.sealed_key",
            Self::Corrupt(_) => "internal.corrupt",
        }
    }

    /// Who must act on this error. Every variant is listed: a new variant does not
    /// compile until someone decides its class (and with it its HTTP status and exit code).
    pub fn class(&self) -> ErrorClass {
        match self {
            // Too much input, or input that would render to too much output.
            Self::Xml(e) if matches!(e.code(), "xml.too_large" | "xml.limit.output") => {
                ErrorClass::TooLarge
            }
            Self::Xml(_)
            | Self::Identifier(_)
            | Self::ParticipantMismatch { .. }
            | Self::DocumentTypeMismatch { .. }
            | Self::InvalidInput { .. }
            | Self::InvalidMigrationKey { .. } => ErrorClass::Invalid,
            Self::PolicyViolation { .. } | Self::SmlRefused { .. } => ErrorClass::Refused,
            Self::AuthenticationMissing | Self::AuthenticationFailed => ErrorClass::Unauthenticated,
            Self::AuthenticationThrottled { .. } => ErrorClass::Throttled,
            Self::NotOwner { .. } | Self::AdminRequired => ErrorClass::Forbidden,
            Self::ParticipantNotFound { .. }
            | Self::ServiceNotFound { .. }
            | Self::BusinessCardNotFound { .. }
            | Self::ProfileNotFound { .. }
            | Self::UserNotFound { .. }
            | Self::TokenNotFound { .. }
            | Self::WebhookNotFound { .. }
            | Self::TokenCallerNotFound { .. }
            | Self::ParkingDisabled
            | Self::MigrationNotFound { .. } => ErrorClass::NotFound,
            Self::ParticipantExists { .. }
            | Self::ProfileExists { .. }
            | Self::ProfileInUse { .. }
            | Self::UserExists { .. }
            | Self::LastAdministrator { .. }
            | Self::MigrationState { .. }
            | Self::NotRegisteredInSml { .. } => ErrorClass::Conflict,
            Self::SmlUnavailable { .. } | Self::AuthenticationBusy => ErrorClass::Unavailable,
            Self::Store(_) | Self::Signing(_) | Self::SealedKey { .. } | Self::Corrupt(_) => {
                ErrorClass::Internal
            }
        }
    }

    /// How many seconds the caller should wait before trying again (HTTP `Retry-After`),
    /// when this error says so.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::AuthenticationThrottled { retry_after_secs } => Some(*retry_after_secs),
            Self::AuthenticationBusy => Some(1),
            _ => None,
        }
    }

    /// True when the caller (or the SML) is to act, not Ferry's operator (a 4xx or 503).
    pub fn is_client_error(&self) -> bool {
        self.class() != ErrorClass::Internal
    }

    /// An SML failure as a domain error (refusals vs. transient trouble).
    pub fn from_sml(f: crate::sml::SmlFailure) -> Self {
        if f.kind == crate::sml::SmlFailureKind::Transient {
            Self::SmlUnavailable {
                code: f.code,
                message: f.message,
            }
        } else {
            Self::SmlRefused {
                code: f.code,
                message: f.message,
            }
        }
    }

    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

/// SML codes are data (`sml.err_111`); the stable API codes are a fixed set of strings.
fn sml_code(code: &str) -> &'static str {
    const KNOWN: [&str; 12] = [
        "sml.err_100",
        "sml.err_101",
        "sml.err_105",
        "sml.err_106",
        "sml.err_110",
        "sml.err_111",
        "sml.err_114",
        "sml.transport",
        "sml.protocol",
        "sml.off",
        "dns.lookup_failed",
        "dns.not_configured",
    ];
    KNOWN
        .iter()
        .find(|k| **k == code)
        .copied()
        .unwrap_or("sml.error")
}
