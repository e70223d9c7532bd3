//! The one error type of the SMP client, grouped by who must act.

use std::net::IpAddr;
use std::time::Duration;

use sml_client::SmlError;
use smp_xml::XmlError;

/// Everything that can stop a request to another SMP.
///
/// Who must act:
/// - **Refused by the [`FetchPolicy`](crate::FetchPolicy)** (the other SMP, or the data it
///   published, points somewhere Ferry will not go): [`InsecureScheme`](Self::InsecureScheme),
///   [`PrivateAddress`](Self::PrivateAddress), [`HostMismatch`](Self::HostMismatch),
///   [`RedirectRefused`](Self::RedirectRefused), [`BodyTooLarge`](Self::BodyTooLarge),
///   [`InvalidUrl`](Self::InvalidUrl). Nothing was read from the target; the other SMP's
///   operator must fix its publication (or, on a test network, the policy must allow it).
/// - **The other SMP or the network**: [`Timeout`](Self::Timeout),
///   [`Transport`](Self::Transport), [`NotFound`](Self::NotFound),
///   [`HttpStatus`](Self::HttpStatus), [`InvalidDocument`](Self::InvalidDocument),
///   [`SecondRedirect`](Self::SecondRedirect), [`Dns`](Self::Dns). See
///   [`is_retryable`](Self::is_retryable).
/// - **The operator's configuration**: [`TrustStore`](Self::TrustStore),
///   [`NoTrustStore`](Self::NoTrustStore), [`ClientSetup`](Self::ClientSetup).
///
/// [`code`](Self::code) gives a stable string per variant (`smp_client.…`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SmpClientError {
    /// The URL cannot be parsed or has no host.
    #[error("`{url}` is not a usable URL: {reason}")]
    InvalidUrl {
        /// The URL as published or given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A plain `http://` (or other non-https) URL while the policy requires https.
    #[error("{url} is not https (Peppol SMPs are reached over https; allow_http is off)")]
    InsecureScheme {
        /// The refused URL.
        url: String,
    },
    /// The host is, or resolves to, a loopback, private, link-local, unspecified or multicast
    /// address while the policy forbids private networks.
    #[error(
        "{url}: host {host} is at {address}, a non-public address (allow_private_networks is off)"
    )]
    PrivateAddress {
        /// The refused URL.
        url: String,
        /// Its host.
        host: String,
        /// The first non-public address it names or resolved to.
        address: IpAddr,
    },
    /// A ServiceMetadataReference or Redirect points away from the SMP the participant is
    /// registered with.
    #[error("{url} is on host {found}, not on the participant's SMP host {expected}")]
    HostMismatch {
        /// The refused URL.
        url: String,
        /// The host of the SMP named by the SML (or given explicitly).
        expected: String,
        /// The host of `url`.
        found: String,
    },
    /// The SMP answered with an HTTP redirect (3xx); none are followed.
    #[error(
        "{url} answered HTTP {status} redirecting to {}; HTTP redirects are not followed",
        location.as_deref().unwrap_or("(no Location)")
    )]
    RedirectRefused {
        /// The requested URL.
        url: String,
        /// The 3xx status.
        status: u16,
        /// The `Location` header, if any.
        location: Option<String>,
    },
    /// The answer is longer than the policy's body limit; reading stopped at the limit.
    #[error("{url}: the answer is larger than the limit of {limit} bytes{}",
        declared.map(|d| format!(" (Content-Length {d})")).unwrap_or_default())]
    BodyTooLarge {
        /// The requested URL.
        url: String,
        /// The policy's limit.
        limit: usize,
        /// The `Content-Length` the server announced, if any.
        declared: Option<u64>,
    },
    /// No complete answer within the policy's connect or total time.
    #[error("{url}: no complete answer within {} ms", limit.as_millis())]
    Timeout {
        /// The requested URL.
        url: String,
        /// The time limit that ran out.
        limit: Duration,
    },
    /// Connecting, TLS or reading failed.
    #[error("{url}: {reason}")]
    Transport {
        /// The requested URL.
        url: String,
        /// The cause chain.
        reason: String,
    },
    /// HTTP 404: the SMP has no such document.
    #[error("{url} answered HTTP 404")]
    NotFound {
        /// The requested URL.
        url: String,
    },
    /// Any other non-2xx answer.
    #[error("{url} answered HTTP {status}")]
    HttpStatus {
        /// The requested URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The answer is not the expected SMP document.
    #[error("{url} is not a {expected}: {source} [{}]", source.code())]
    InvalidDocument {
        /// The requested URL.
        url: String,
        /// `ServiceGroup` or `SignedServiceMetadata`.
        expected: &'static str,
        /// The parser's reason.
        source: Box<XmlError>,
    },
    /// A Redirect document led to another Redirect; Peppol allows one.
    #[error("{url} redirects again (to {href}); Peppol allows one redirect")]
    SecondRedirect {
        /// The document that redirected a second time.
        url: String,
        /// Where it pointed.
        href: String,
    },
    /// The SML DNS lookup failed (timeout, SERVFAIL, no usable NAPTR target).
    #[error("{source} [{}]", source.code())]
    Dns {
        /// sml-client's error.
        #[from]
        source: SmlError,
    },
    /// The trust store cannot be read or holds no certificate.
    #[error("trust store {path}: {reason}")]
    TrustStore {
        /// Where it was read from.
        path: String,
        /// Why it is unusable.
        reason: String,
    },
    /// A signature must be checked but no trust store was given.
    #[error("no trust store: signed metadata cannot be checked without the SMP CAs (PEM)")]
    NoTrustStore,
    /// The HTTP client cannot be built (TLS setup).
    #[error("cannot build the HTTP client: {reason}")]
    ClientSetup {
        /// The cause.
        reason: String,
    },
}

impl SmpClientError {
    /// A stable identifier of the variant, e.g. `smp_client.redirect_refused`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidUrl { .. } => "smp_client.invalid_url",
            Self::InsecureScheme { .. } => "smp_client.insecure_scheme",
            Self::PrivateAddress { .. } => "smp_client.private_address",
            Self::HostMismatch { .. } => "smp_client.host_mismatch",
            Self::RedirectRefused { .. } => "smp_client.redirect_refused",
            Self::BodyTooLarge { .. } => "smp_client.body_too_large",
            Self::Timeout { .. } => "smp_client.timeout",
            Self::Transport { .. } => "smp_client.transport",
            Self::NotFound { .. } => "smp_client.not_found",
            Self::HttpStatus { .. } => "smp_client.http_status",
            Self::InvalidDocument { .. } => "smp_client.invalid_document",
            Self::SecondRedirect { .. } => "smp_client.second_redirect",
            Self::Dns { .. } => "smp_client.dns",
            Self::TrustStore { .. } => "smp_client.trust_store",
            Self::NoTrustStore => "smp_client.no_trust_store",
            Self::ClientSetup { .. } => "smp_client.client_setup",
        }
    }

    /// The SMP answered 404 for the document.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// The fetch policy refused the request before anything was read from the target.
    pub fn is_policy_refusal(&self) -> bool {
        matches!(
            self,
            Self::InvalidUrl { .. }
                | Self::InsecureScheme { .. }
                | Self::PrivateAddress { .. }
                | Self::HostMismatch { .. }
                | Self::RedirectRefused { .. }
                | Self::BodyTooLarge { .. }
        )
    }

    /// Trying again later may succeed (network trouble, a 5xx, a DNS failure).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Transport { .. } => true,
            Self::HttpStatus { status, .. } => *status >= 500,
            Self::Dns { source } => source.is_retryable(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_predicates() {
        let redirect = SmpClientError::RedirectRefused {
            url: "https://a/x".into(),
            status: 302,
            location: Some("http://127.0.0.1/".into()),
        };
        assert_eq!(redirect.code(), "smp_client.redirect_refused");
        assert!(redirect.is_policy_refusal());
        assert!(redirect.to_string().contains("http://127.0.0.1/"));
        let large = SmpClientError::BodyTooLarge {
            url: "u".into(),
            limit: 10,
            declared: Some(99),
        };
        assert!(large.to_string().contains("Content-Length 99"), "{large}");
        let status = SmpClientError::HttpStatus {
            url: "u".into(),
            status: 503,
        };
        assert!(status.is_retryable() && !status.is_policy_refusal());
        assert!(
            SmpClientError::NotFound { url: "u".into() }.is_not_found(),
            "404 is its own variant"
        );
    }
}
