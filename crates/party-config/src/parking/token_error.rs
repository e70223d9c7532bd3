//! Every outcome of a migration-token collection other than success.

use smp_core::ErrorClass;

/// Why a migration key was not handed out. Each variant has a stable [`TokenError::code`]
/// and an HTTP [`TokenError::status`] (the status is part of the audit row, so it is
/// decided here rather than in the HTTP layer).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The caller sent no client certificate.
    #[error("no client certificate: present your Peppol AP certificate in the TLS handshake")]
    NoCertificate,
    /// The client certificate could not be parsed.
    #[error("the client certificate could not be parsed")]
    UnparsableCertificate,
    /// The certificate's validity ended.
    #[error("the certificate {subject} has expired")]
    CertificateExpired { subject: String },
    /// The certificate's validity has not started.
    #[error("the certificate {subject} is not valid yet")]
    CertificateNotYetValid { subject: String },
    /// The certificate does not chain to the configured Peppol trust store.
    #[error("the certificate {subject} is not issued under the Peppol trust store of this SMP")]
    UntrustedCertificate { subject: String },
    /// A test certificate on production, or the reverse.
    #[error("the certificate {subject} (issued by {issuer}) belongs to the other Peppol network")]
    WrongEnvironment { subject: String, issuer: String },
    /// Trusted, but not issued by an AP CA.
    #[error("the certificate {subject} is not an AP certificate (issued by {issuer})")]
    NotAnApCertificate { subject: String, issuer: String },
    /// An AP CA's certificate, but not one for TLS client authentication: a CA
    /// certificate, or one whose keyUsage lacks digitalSignature or whose extendedKeyUsage
    /// lacks clientAuth. Present the AP's own (end-entity) certificate.
    #[error("the certificate {subject} is not a TLS client certificate: {reason}")]
    NotAClientCertificate { subject: String, reason: String },
    /// The certificate is on its CA's revocation list (`parking.crl_files`).
    #[error("the certificate {subject} (serial {serial}) was revoked on {revoked_at}")]
    CertificateRevoked {
        subject: String,
        serial: String,
        revoked_at: String,
    },
    /// The participant identifier is not valid.
    #[error("invalid participant identifier: {reason}")]
    InvalidParticipant { reason: String },
    /// The participant is not hosted here (and never left from here).
    #[error("participant {participant} is not hosted on this SMP")]
    UnknownParticipant { participant: String },
    /// The participant is hosted here but not active (or not registered in the SML).
    #[error("participant {participant} is not active on this SMP")]
    ParticipantInactive { participant: String },
    /// The participant has moved to another SMP.
    #[error("participant {participant} has already migrated to another SMP")]
    AlreadyMigrated { participant: String },
    /// The caller exceeded its daily quota and must ask the operator for reactivation.
    #[error(
        "caller {seat} is blacklisted (daily quota exceeded); ask the SMP operator to reactivate it"
    )]
    Blacklisted { seat: String },
    /// Too many requests from this IP address in the current minute.
    #[error("too many requests from {ip} this minute; try again in a minute")]
    IpLimit { ip: String },
    /// Too many requests overall in the current minute.
    #[error("too many requests this minute; try again in a minute")]
    GlobalLimit,
    /// Ferry or the SML failed; nothing about the caller is wrong.
    #[error("internal error: {0}")]
    Internal(String),
}

impl TokenError {
    /// The stable code (API and audit rows).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoCertificate => "token.no_certificate",
            Self::UnparsableCertificate => "token.unparsable_certificate",
            Self::CertificateExpired { .. } => "token.certificate_expired",
            Self::CertificateNotYetValid { .. } => "token.certificate_not_yet_valid",
            Self::UntrustedCertificate { .. } => "token.untrusted_certificate",
            Self::WrongEnvironment { .. } => "token.wrong_environment",
            Self::NotAnApCertificate { .. } => "token.not_an_ap_certificate",
            Self::NotAClientCertificate { .. } => "token.not_a_client_certificate",
            Self::CertificateRevoked { .. } => "token.certificate_revoked",
            Self::InvalidParticipant { .. } => "token.invalid_participant",
            Self::UnknownParticipant { .. } => "token.unknown_participant",
            Self::ParticipantInactive { .. } => "token.participant_inactive",
            Self::AlreadyMigrated { .. } => "token.already_migrated",
            Self::Blacklisted { .. } => "token.blacklisted",
            Self::IpLimit { .. } => "token.ip_limit",
            Self::GlobalLimit => "token.global_limit",
            Self::Internal(_) => "token.internal",
        }
    }

    /// Who must act: the caller's certificate (unauthenticated), its budget (forbidden),
    /// the participant (not found), or the operator (internal).
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::NoCertificate
            | Self::UnparsableCertificate
            | Self::CertificateExpired { .. }
            | Self::CertificateNotYetValid { .. }
            | Self::UntrustedCertificate { .. }
            | Self::WrongEnvironment { .. }
            | Self::NotAnApCertificate { .. }
            | Self::NotAClientCertificate { .. }
            | Self::CertificateRevoked { .. } => ErrorClass::Unauthenticated,
            Self::InvalidParticipant { .. }
            | Self::UnknownParticipant { .. }
            | Self::ParticipantInactive { .. }
            | Self::AlreadyMigrated { .. } => ErrorClass::NotFound,
            Self::Blacklisted { .. } | Self::IpLimit { .. } | Self::GlobalLimit => {
                ErrorClass::Forbidden
            }
            Self::Internal(_) => ErrorClass::Internal,
        }
    }

    /// The HTTP status: 401 certificate problems, 404 participant problems, 403 limits,
    /// 500 internal.
    pub fn status(&self) -> u16 {
        match self {
            Self::NoCertificate
            | Self::UnparsableCertificate
            | Self::CertificateExpired { .. }
            | Self::CertificateNotYetValid { .. }
            | Self::UntrustedCertificate { .. }
            | Self::WrongEnvironment { .. }
            | Self::NotAnApCertificate { .. }
            | Self::NotAClientCertificate { .. }
            | Self::CertificateRevoked { .. } => 401,
            Self::InvalidParticipant { .. }
            | Self::UnknownParticipant { .. }
            | Self::ParticipantInactive { .. }
            | Self::AlreadyMigrated { .. } => 404,
            Self::Blacklisted { .. } | Self::IpLimit { .. } | Self::GlobalLimit => 403,
            Self::Internal(_) => 500,
        }
    }
}

impl From<smp_store::StoreError> for TokenError {
    fn from(e: smp_store::StoreError) -> Self {
        Self::Internal(e.to_string())
    }
}

/// The outcome of an audit row whose request is still being served (or whose node
/// stopped before it was): it counts against the quota like the outcome it will get.
pub(crate) const PENDING: &str = "pending";

/// The outcome codes that count against the daily quota, success included.
pub(crate) const QUOTA_OUTCOMES: [&str; 6] = [
    PENDING,
    "ok",
    "token.invalid_participant",
    "token.unknown_participant",
    "token.participant_inactive",
    "token.already_migrated",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_defects_are_401_unauthenticated() {
        for e in [
            TokenError::NotAClientCertificate {
                subject: "CN=x".into(),
                reason: "a CA certificate".into(),
            },
            TokenError::CertificateRevoked {
                subject: "CN=x".into(),
                serial: "01".into(),
                revoked_at: "2026-01-01T00:00:00Z".into(),
            },
        ] {
            assert_eq!((e.status(), e.class()), (401, ErrorClass::Unauthenticated));
        }
        assert_eq!(
            TokenError::GlobalLimit.code(),
            "token.global_limit",
            "existing codes stay"
        );
    }
}
