//! The one place where errors become HTTP responses (RFC 9457 problem details).
//!
//! Clients get a short message and a stable `code`; server-side faults are logged in
//! full and answered with a generic message.

use actix_web::http::StatusCode;
use actix_web::http::header::{ContentType, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use party_config::DomainError;
use serde::Serialize;
use smp_core::ErrorClass;

/// An error on its way to the client.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    code: &'static str,
    detail: String,
    /// Seconds for the `Retry-After` header, when the error names a wait.
    retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
}

impl Problem {
    /// A problem with an explicit status and code (for errors that never reach the domain).
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    pub(crate) fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "xml.too_large",
            format!("the body is larger than {limit} bytes"),
        )
    }

    pub(crate) fn internal(what: impl std::fmt::Display) -> Self {
        tracing::error!(error = %what, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the server log",
        )
    }
}

/// The one mapping from who must act to an HTTP status. Exhaustive on purpose: a new
/// class does not compile until it has a status.
fn status_of(class: ErrorClass) -> StatusCode {
    match class {
        ErrorClass::Invalid => StatusCode::BAD_REQUEST,
        ErrorClass::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorClass::Refused => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorClass::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorClass::Forbidden => StatusCode::FORBIDDEN,
        ErrorClass::NotFound => StatusCode::NOT_FOUND,
        ErrorClass::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ErrorClass::Conflict => StatusCode::CONFLICT,
        ErrorClass::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorClass::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<DomainError> for Problem {
    fn from(e: DomainError) -> Self {
        let status = status_of(e.class());
        let retry_after = e.retry_after_secs();
        // An answer that names a wait is load shedding (`auth.busy`), not a fault: the
        // client is told what to do, and a flood of them must not flood the log.
        if status.is_server_error() && retry_after.is_none() {
            tracing::error!(code = e.code(), error = %e, "request failed");
            return Self::new(status, e.code(), "internal error; see the server log");
        }
        Self {
            retry_after,
            ..Self::new(status, e.code(), e.to_string())
        }
    }
}

impl From<party_config::TokenError> for Problem {
    fn from(e: party_config::TokenError) -> Self {
        let status = status_of(e.class());
        if status.is_server_error() {
            // Already logged by the domain with its detail.
            return Self::new(status, e.code(), "internal error; see the server log");
        }
        Self::new(status, e.code(), e.to_string())
    }
}

impl From<peppol_id::IdError> for Problem {
    fn from(e: peppol_id::IdError) -> Self {
        DomainError::from(e).into()
    }
}

impl From<smp_xml::XmlError> for Problem {
    fn from(e: smp_xml::XmlError) -> Self {
        DomainError::from(e).into()
    }
}

impl From<actix_web::error::BlockingError> for Problem {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let body = Body {
            kind: format!("https://ferry.dev/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: &self.detail,
            code: self.code,
        };
        let json = serde_json::to_string(&body).unwrap_or_else(|_| "{}".to_owned());
        let mut response = HttpResponse::build(self.status);
        response.insert_header(ContentType(mime_problem()));
        if let Some(seconds) = self.retry_after {
            response.insert_header((RETRY_AFTER, seconds));
        }
        response.body(json)
    }
}

fn mime_problem() -> actix_web::mime::Mime {
    "application/problem+json"
        .parse()
        .unwrap_or(actix_web::mime::APPLICATION_JSON)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_is_404_and_never_400() {
        let p = Problem::from(DomainError::ParticipantNotFound {
            participant: "x".into(),
        });
        assert_eq!(p.status, StatusCode::NOT_FOUND);
        assert_eq!(p.code(), "participant.not_found");
    }

    #[test]
    fn server_faults_hide_details() {
        let p = Problem::from(DomainError::Corrupt("secret detail".into()));
        assert_eq!(p.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!p.detail.contains("secret"));
    }

    #[test]
    fn throttled_logins_are_429_and_say_when_to_retry() {
        let p = Problem::from(DomainError::AuthenticationThrottled {
            retry_after_secs: 42,
        });
        assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(p.code(), "auth.throttled");
        let response = p.error_response();
        assert_eq!(response.headers().get(RETRY_AFTER).unwrap(), "42");
    }

    #[test]
    fn a_full_password_check_queue_is_503_with_retry_after() {
        let p = Problem::from(DomainError::AuthenticationBusy);
        assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(p.code(), "auth.busy");
        // a 503 of the caller's kind, not a server fault: the detail is shown
        assert!(p.detail.contains("try again"));
        let response = p.error_response();
        assert_eq!(response.headers().get(RETRY_AFTER).unwrap(), "1");
    }

    /// The collection audit records `TokenError::status`; the listener answers with the
    /// status of its class. They must agree.
    #[test]
    fn token_error_statuses_agree_with_their_class() {
        use party_config::TokenError;
        let cases = [
            TokenError::NoCertificate,
            TokenError::UnparsableCertificate,
            TokenError::GlobalLimit,
            TokenError::Internal("x".into()),
        ];
        for e in cases {
            assert_eq!(status_of(e.class()).as_u16(), e.status(), "{e:?}");
        }
    }
}
