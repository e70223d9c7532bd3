//! The parking SMP: Peppol APs collect migration keys for participants hosted here
//! (Hermes-style token collection), under certificate checks, quotas and limits, with an
//! audit trail of the attempts; operators manage the callers.
//!
//! `certificate.rs` classifies the caller's certificate (`revocation.rs`: its CRLs),
//! `quota.rs` holds the limits, `collect.rs` is the collection itself, `rejections.rs`
//! counts the requests refused before they earn an audit row, `housekeeping.rs` is the
//! worker's part, `operators.rs` the operator controls.

mod certificate;
#[cfg(test)]
mod client_certificate_tests;
mod collect;
mod housekeeping;
mod operators;
mod quota;
mod rejections;
mod revocation;
mod token_error;
pub mod whole_number;

pub use certificate::{ApCaller, ApTrust, DEFAULT_AP_CA_MARKERS, ParkingEnvironment};
pub use collect::CollectedToken;
pub use operators::{CallerView, CollectionView, ScheduledAllowance};
pub use quota::ParkingLimits;
pub use rejections::RejectionCount;
pub use token_error::TokenError;

/// Days audit rows are kept unless configured otherwise (`parking.audit_retention_days`).
pub const DEFAULT_AUDIT_RETENTION_DAYS: u32 = 90;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Whether a token caller may collect keys.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CallerStatus {
    /// Collects within its quota.
    Active,
    /// Went over its daily quota; an operator must reactivate it.
    Blacklisted,
}

smp_core::stored_text!(CallerStatus {
    Active => smp_store::states::caller_status::ACTIVE,
    Blacklisted => smp_store::states::caller_status::BLACKLISTED,
});

/// The parking desk service; see [`crate::Handover::parking`].
pub struct ParkingDesk<'a> {
    pub(crate) core: &'a smp_core::Core,
    pub(crate) desk: &'a Parking,
    pub(crate) h: &'a crate::Handover,
}

use quota::RateLimiter;
use rejections::Rejections;

/// The parking desk: trust store, limits, the in-memory rate windows and counts of refused
/// requests. One per process, shared by the handlers through [`crate::Handover`].
#[derive(Debug)]
pub struct Parking {
    trust: ApTrust,
    limiter: RateLimiter,
    rejections: Rejections,
    /// How long audit rows are kept, in ms; 0 keeps them for good.
    audit_retention_ms: i64,
}

impl Parking {
    /// A desk checking callers against `trust`, with `limits` until an operator changes
    /// them, keeping audit rows [`DEFAULT_AUDIT_RETENTION_DAYS`].
    pub fn new(trust: ApTrust, limits: ParkingLimits) -> Self {
        Self {
            trust,
            limiter: RateLimiter::new(limits),
            rejections: Rejections::default(),
            audit_retention_ms: i64::from(DEFAULT_AUDIT_RETENTION_DAYS) * DAY_MS,
        }
    }

    /// Keeps audit rows `days` days (0: for good); the parking worker prunes older ones.
    pub fn with_audit_retention_days(mut self, days: u32) -> Self {
        self.audit_retention_ms = i64::from(days) * DAY_MS;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> ParkingLimits {
        self.limiter.limits()
    }
}
