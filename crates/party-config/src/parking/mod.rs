//! The parking SMP: Peppol APs collect migration keys for participants hosted here
//! (Hermes-style token collection), under certificate checks, quotas and limits, with an
//! audit row for every attempt; operators manage the callers.
//!
//! `certificate.rs` classifies the caller's certificate, `quota.rs` holds the limits,
//! `collect.rs` is the collection itself, `operators.rs` the operator controls.

mod certificate;
mod collect;
mod operators;
mod quota;
mod token_error;

use std::sync::Mutex;

pub use certificate::{ApCaller, ApTrust, DEFAULT_AP_CA_MARKERS, ParkingEnvironment};
pub use collect::CollectedToken;
pub use operators::{CallerView, CollectionView, ScheduledAllowance};
pub use quota::ParkingLimits;
pub use token_error::TokenError;

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

/// The parking desk: trust store, limits and the in-memory rate windows. One per process,
/// shared by the handlers; passed to the [`crate::Registry`] methods that need it.
#[derive(Debug)]
pub struct Parking {
    trust: ApTrust,
    limiter: RateLimiter,
    /// Serialises "return the open key or prepare one", so two concurrent collections for
    /// one participant never replace each other's key.
    prepare: Mutex<()>,
}

impl Parking {
    /// A desk checking callers against `trust`, with `limits` until an operator changes them.
    pub fn new(trust: ApTrust, limits: ParkingLimits) -> Self {
        Self {
            trust,
            limiter: RateLimiter::new(limits),
            prepare: Mutex::new(()),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> ParkingLimits {
        self.limiter.limits()
    }
}
