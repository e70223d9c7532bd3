//! Events and signed webhooks.
//!
//! A change that integrators care about (a participant registered or deleted, a migration
//! step) is recorded as an event by [`emit`] in the caller's transaction, together with
//! one pending delivery per matching webhook subscription: the event exists if and only if
//! the change committed (a transactional outbox). A background worker
//! ([`Events::run_webhook_deliveries`]) then POSTs each delivery, signed with
//! HMAC-SHA256, retrying with exponential backoff; integrators may instead poll
//! [`Events::events_after`].

mod delivery;
mod outbox;
mod retention;
mod signature;
mod subscriptions;
mod views;

pub use delivery::{DeliveryRunSummary, HttpWebhookSender, WebhookSender};
pub use outbox::{emit, emit_participant};
pub use signature::webhook_signature;
pub use views::{DeliveryView, EventView, NewWebhook, WebhookView};

/// The events service; see [`crate::Core::events`].
pub struct Events<'a> {
    pub(crate) core: &'a crate::Core,
}

/// A participant was created on this SMP.
pub const PARTICIPANT_REGISTERED: &str = "participant.registered";
/// A participant was deleted from this SMP.
pub const PARTICIPANT_DELETED: &str = "participant.deleted";
/// A migration of a participant to or from another SMP was prepared.
pub const MIGRATION_PREPARED: &str = "migration.prepared";
/// A migration completed.
pub const MIGRATION_COMPLETED: &str = "migration.completed";
/// A migration failed.
pub const MIGRATION_FAILED: &str = "migration.failed";
/// A migration was cancelled.
pub const MIGRATION_CANCELLED: &str = "migration.cancelled";

/// Every event type a subscription may ask for (besides `*`, all of them).
pub const EVENT_TYPES: &[&str] = &[
    PARTICIPANT_REGISTERED,
    PARTICIPANT_DELETED,
    MIGRATION_PREPARED,
    MIGRATION_COMPLETED,
    MIGRATION_FAILED,
    MIGRATION_CANCELLED,
];

/// Whether a subscription's stored filter (comma list, `*` = all) selects `event_type`.
pub(crate) fn filter_matches(filter: &str, event_type: &str) -> bool {
    filter
        .split(',')
        .map(str::trim)
        .any(|f| f == "*" || f == event_type)
}

/// `prefix` followed by `bytes` random bytes in lower-case hex.
pub(crate) fn random_id(prefix: &str, bytes: usize) -> Result<String, crate::DomainError> {
    let mut buf = vec![0u8; bytes];
    openssl::rand::rand_bytes(&mut buf)
        .map_err(|e| crate::DomainError::Corrupt(format!("random generator failed: {e}")))?;
    Ok(format!("{prefix}{}", data_encoding::HEXLOWER.encode(&buf)))
}

#[cfg(test)]
mod tests {
    use super::filter_matches;

    #[test]
    fn filters_match_listed_types_or_everything() {
        assert!(filter_matches("*", "migration.failed"));
        assert!(filter_matches(
            "participant.registered,participant.deleted",
            "participant.deleted"
        ));
        assert!(!filter_matches(
            "participant.registered",
            "participant.deleted"
        ));
        assert!(!filter_matches("participant", "participant.deleted"));
    }
}
