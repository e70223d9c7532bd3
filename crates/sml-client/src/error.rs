//! The one error type of the SOAP client, grouped by who must act.

/// The kind of a SOAP fault, taken from the element inside the fault's `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// `BadRequestFault`: the request broke an SML rule (duplicate participant, bad migration
    /// key, wrong SMP for the participant, ...).
    BadRequest,
    /// `NotFoundFault`: the SMP, participant or migration record does not exist.
    NotFound,
    /// `UnauthorizedFault`: the client certificate does not own the SMP, or the operation is
    /// blocked (ERR-114, a migration is planned).
    Unauthorized,
    /// `InternalErrorFault`: the SML failed; retrying later may succeed.
    InternalError,
    /// A fault without one of the four detail elements.
    Other,
}

impl FaultKind {
    /// A stable lower-case name, e.g. `"not_found"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::NotFound => "not_found",
            Self::Unauthorized => "unauthorized",
            Self::InternalError => "internal_error",
            Self::Other => "other",
        }
    }

    /// The kind named by a fault detail element's local name.
    pub(crate) fn from_detail(local_name: &str) -> Self {
        match local_name {
            "BadRequestFault" => Self::BadRequest,
            "NotFoundFault" => Self::NotFound,
            "UnauthorizedFault" => Self::Unauthorized,
            "InternalErrorFault" => Self::InternalError,
            _ => Self::Other,
        }
    }
}

impl std::fmt::Display for FaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong talking to the SML.
///
/// Who must act: [`Fault`](Self::Fault) is the SML's answer to this request (fix the request or
/// the SML-side state; the ERR code says which); [`Transport`](Self::Transport) and
/// [`Protocol`](Self::Protocol) are the network or the SML misbehaving (retry later, after
/// checking whether a write went through); [`InvalidMigrationKey`](Self::InvalidMigrationKey),
/// [`TooManyParticipants`](Self::TooManyParticipants) and
/// [`InvalidRequest`](Self::InvalidRequest) are caught before anything is sent (the caller
/// passed something the SML would refuse); [`Config`](Self::Config) is the operator's.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SmlError {
    /// The SML refused the request with a SOAP fault. `code` is the `nnn` of the `[ERR-nnn]`
    /// prefix when present (100 SMP not found, 101 unauthorised, 106 bad request or already
    /// exists, 110 participant not found, 111 no migration record, 114 migration planned).
    #[error("the SML refused the request ({kind}{}, HTTP {http_status}): {message}", fmt_code(*.code))]
    Fault {
        /// Which detail element the fault carried.
        kind: FaultKind,
        /// The `nnn` of `[ERR-nnn]`, if the message had one.
        code: Option<u16>,
        /// The fault message (the detail's `FaultMessage`, else the `faultstring`).
        message: String,
        /// The HTTP status the fault came with (the SML uses 400, 401, 404, 500 and 200).
        http_status: u16,
    },
    /// The SML could not be reached or its answer could not be read. Retryable; if
    /// `maybe_applied`, a write may have taken effect: check before retrying.
    #[error("SML transport failure{}: {message}{}", if *.timed_out { " (timed out)" } else { "" },
        if *.maybe_applied { " — the request may have reached the SML; check its state before retrying" } else { "" })]
    Transport {
        /// What failed, with the underlying causes.
        message: String,
        /// The connect timeout or the request timeout expired.
        timed_out: bool,
        /// The request may have been delivered (the connection was established and the
        /// request written, at least in part); false only when nothing left this host.
        maybe_applied: bool,
    },
    /// The SML answered something that is not the expected SOAP response or fault (an HTML
    /// error page from a proxy, a malformed envelope, a missing element). Retrying may help for
    /// gateway errors; otherwise report it with the message.
    #[error("unexpected answer from the SML (HTTP {http_status}): {message}")]
    Protocol {
        /// What was wrong with the answer.
        message: String,
        /// The HTTP status of the answer.
        http_status: u16,
    },
    /// A migration key breaks the SML's rules; `reason` names the rule. Generate keys with
    /// [`MigrationKey::generate`](crate::MigrationKey::generate).
    #[error("invalid migration key: {reason}")]
    InvalidMigrationKey {
        /// Which rule the key breaks (the key itself is never included: it is a secret).
        reason: String,
    },
    /// CreateList and DeleteList take at most `max` participants per call: split the list.
    #[error(
        "too many participants for one SML list call: {got}, the maximum is {max}; split the list"
    )]
    TooManyParticipants {
        /// The SML's limit.
        max: usize,
        /// How many were given.
        got: usize,
    },
    /// A request value the SML would refuse (SMP ID syntax, an address, a certificate, a date);
    /// nothing was sent.
    #[error("invalid {field} for the SML request: {reason}")]
    InvalidRequest {
        /// Which value.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// SML DNS: the name servers did not answer, answered SERVFAIL/REFUSED, or could not be
    /// reached. Nothing is known about the participant: retry later. (NXDOMAIN and NODATA
    /// are not errors: they mean "not registered".)
    #[error("DNS lookup of {name} failed: {reason}")]
    DnsLookupFailed {
        /// The name queried.
        name: String,
        /// Why (timeout, response code, network error).
        reason: String,
    },
    /// SML DNS: the participant has `Meta:SMP` NAPTR records, but none yields a URL this
    /// client may use (https only, unless `allow_http`). The SML or the registering SMP
    /// published a bad address.
    #[error("{name} has Meta:SMP NAPTR records but no usable https target: {}", .targets.join(", "))]
    DnsNoHttpsTarget {
        /// The name queried.
        name: String,
        /// What each record yielded, or why it yielded nothing.
        targets: Vec<String>,
    },
    /// The client configuration is unusable (base URL, certificate, key, password, trusted
    /// roots, or the client was called from inside an async runtime).
    #[error("SML client configuration: {message}")]
    Config {
        /// What is wrong and which setting to fix.
        message: String,
    },
}

fn fmt_code(code: Option<u16>) -> String {
    code.map(|c| format!(", ERR-{c:03}")).unwrap_or_default()
}

impl SmlError {
    /// A stable machine-readable code: `"sml.err_106"` for a fault with an ERR code,
    /// `"sml.fault_not_found"` (etc.) for one without, `"sml.transport"`, `"sml.protocol"`,
    /// `"sml.invalid_migration_key"`, `"sml.too_many_participants"`, `"sml.invalid_request"`,
    /// `"dns.lookup_failed"`, `"dns.no_https_target"`, `"sml.config"`.
    pub fn code(&self) -> String {
        match self {
            Self::Fault { code: Some(c), .. } => format!("sml.err_{c:03}"),
            Self::Fault { kind, .. } => format!("sml.fault_{}", kind.as_str()),
            Self::Transport { .. } => "sml.transport".to_owned(),
            Self::Protocol { .. } => "sml.protocol".to_owned(),
            Self::InvalidMigrationKey { .. } => "sml.invalid_migration_key".to_owned(),
            Self::TooManyParticipants { .. } => "sml.too_many_participants".to_owned(),
            Self::InvalidRequest { .. } => "sml.invalid_request".to_owned(),
            Self::DnsLookupFailed { .. } => "dns.lookup_failed".to_owned(),
            Self::DnsNoHttpsTarget { .. } => "dns.no_https_target".to_owned(),
            Self::Config { .. } => "sml.config".to_owned(),
        }
    }

    /// Whether trying again later may succeed: transport failures, failed DNS lookups, SML
    /// internal errors, with or without a SOAP fault (an HTTP 500 with an empty or HTML body
    /// is still the server failing, not a refusal), and gateway errors (HTTP 429, 502, 503,
    /// 504). A transport failure with `maybe_applied` needs a state check first.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::DnsLookupFailed { .. } => true,
            Self::Fault { kind, .. } => *kind == FaultKind::InternalError,
            Self::Protocol { http_status, .. } => {
                matches!(http_status, 429 | 500 | 502 | 503 | 504)
            }
            _ => false,
        }
    }

    /// Whether the SML said the SMP, participant or migration record does not exist
    /// (`NotFoundFault`, or ERR-100 / ERR-110 / ERR-111 under another kind).
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::Fault { kind, code, .. } => {
                *kind == FaultKind::NotFound || matches!(code, Some(100 | 110 | 111))
            }
            _ => false,
        }
    }

    /// Whether the SML refused the caller's certificate for this SMP (`UnauthorizedFault` or
    /// ERR-101). ERR-114 (a planned migration blocks the operation) comes as an
    /// `UnauthorizedFault` too but is not a certificate problem: see
    /// [`is_migration_planned`](Self::is_migration_planned).
    pub fn is_unauthorized(&self) -> bool {
        match self {
            Self::Fault { kind, code, .. } => {
                (*kind == FaultKind::Unauthorized && *code != Some(114)) || *code == Some(101)
            }
            _ => false,
        }
    }

    /// Whether the SML refused because a migration of the participant is planned (ERR-114):
    /// the participant cannot be deleted until it is migrated.
    pub fn is_migration_planned(&self) -> bool {
        matches!(
            self,
            Self::Fault {
                code: Some(114),
                ..
            }
        )
    }

    /// Whether the SML refused a create because the entry already exists (ERR-106 with the
    /// SML's "already exist" wording). After a timed-out create this usually means the first
    /// attempt went through.
    pub fn is_already_exists(&self) -> bool {
        match self {
            Self::Fault {
                code: Some(106),
                message,
                ..
            } => message.to_ascii_lowercase().contains("already exist"),
            _ => false,
        }
    }

    /// The `nnn` of the SML's `[ERR-nnn]`, for faults that carry one.
    pub fn sml_code(&self) -> Option<u16> {
        match self {
            Self::Fault { code, .. } => *code,
            _ => None,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidRequest {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Config {
            message: message.into(),
        }
    }

    pub(crate) fn protocol(http_status: u16, message: impl Into<String>) -> Self {
        Self::Protocol {
            message: message.into(),
            http_status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(kind: FaultKind, code: Option<u16>, message: &str) -> SmlError {
        SmlError::Fault {
            kind,
            code,
            message: message.to_owned(),
            http_status: 400,
        }
    }

    #[test]
    fn codes_and_predicates() {
        let e = fault(
            FaultKind::BadRequest,
            Some(106),
            "[ERR-106] x already exist y",
        );
        assert_eq!(e.code(), "sml.err_106");
        assert!(e.is_already_exists());
        assert!(!e.is_retryable());
        assert!(!e.is_not_found());
        assert_eq!(e.sml_code(), Some(106));

        let e = fault(FaultKind::Unauthorized, Some(114), "planned");
        assert!(e.is_migration_planned());
        assert!(!e.is_unauthorized());
        let e = fault(FaultKind::Unauthorized, Some(101), "cert");
        assert!(e.is_unauthorized());
        let e = fault(FaultKind::BadRequest, Some(110), "participant not found");
        assert!(e.is_not_found());
        let e = fault(FaultKind::InternalError, None, "boom");
        assert_eq!(e.code(), "sml.fault_internal_error");
        assert!(e.is_retryable());
        assert_eq!(e.sml_code(), None);

        let t = SmlError::Transport {
            message: "reset".into(),
            timed_out: true,
            maybe_applied: true,
        };
        assert_eq!(t.code(), "sml.transport");
        assert!(t.is_retryable());
        assert!(t.to_string().contains("check its state"));
        assert!(SmlError::protocol(503, "x").is_retryable());
        // An HTTP 500 without a SOAP fault (seen in the soak test) is the SML failing, not a
        // refusal: a delete job must retry it instead of failing for good (drift).
        assert!(SmlError::protocol(500, "HTTP error without a SOAP fault").is_retryable());
        assert!(!SmlError::protocol(200, "x").is_retryable());
        assert!(!SmlError::protocol(400, "x").is_retryable());

        let failed = SmlError::DnsLookupFailed {
            name: "b-x.sml".into(),
            reason: "timeout".into(),
        };
        assert_eq!(failed.code(), "dns.lookup_failed");
        assert!(failed.is_retryable());
        let bad = SmlError::DnsNoHttpsTarget {
            name: "b-x.sml".into(),
            targets: vec!["http://smp".into()],
        };
        assert_eq!(bad.code(), "dns.no_https_target");
        assert!(!bad.is_retryable());
    }

    #[test]
    fn display_carries_the_err_code() {
        let e = fault(
            FaultKind::NotFound,
            Some(100),
            "[ERR-100] The SMP doesn't exist.",
        );
        assert_eq!(
            e.to_string(),
            "the SML refused the request (not_found, ERR-100, HTTP 400): [ERR-100] The SMP doesn't exist."
        );
    }
}
