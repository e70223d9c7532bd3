//! What a DNS lookup can fail with, kept apart from "not registered".

/// A lookup that gave no usable answer. "Not registered" is not an error: it is
/// [`DnsAnswer::NotRegistered`](crate::DnsAnswer::NotRegistered).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// The name servers did not answer, answered SERVFAIL/REFUSED, or could not be reached.
    /// Nothing is known about the participant: retry later.
    #[error("DNS lookup of {name} failed: {reason}")]
    LookupFailed {
        /// The name queried.
        name: String,
        /// Why (timeout, response code, network error).
        reason: String,
    },
    /// The participant has `Meta:SMP` NAPTR records, but none yields a URL this client may
    /// use (https only, unless `allow_http`). The SML or the registering SMP published a bad
    /// address.
    #[error("{name} has Meta:SMP NAPTR records but no usable https target: {}", .targets.join(", "))]
    NoHttpsTarget {
        /// The name queried.
        name: String,
        /// What each record yielded, or why it yielded nothing.
        targets: Vec<String>,
    },
}

impl DnsError {
    /// A stable machine-readable code: `"dns.lookup_failed"` or `"dns.no_https_target"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::LookupFailed { .. } => "dns.lookup_failed",
            Self::NoHttpsTarget { .. } => "dns.no_https_target",
        }
    }

    /// Whether a later lookup may succeed (a failed lookup; not a bad record).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::LookupFailed { .. })
    }
}
