//! Moving participants between SMPs with the Peppol migration-key protocol.
//!
//! Outbound (`outbound.rs`): prepare a key at the SML, keep serving, notice the takeover,
//! clean up. Inbound (`inbound.rs`): with a key, stage the participant, call Migrate,
//! activate; without one, watch until the old provider lets go. Every migration is a row
//! with a status history; `worker.rs` moves due ones one step at a time, and every step is
//! safe to repeat after a crash (see `docs/why-cancel-migrates-to-self.md`).

mod bounded;
mod bulk;
mod current_ap;
mod inbound;
mod outbound;
mod resource;
mod status;
mod view;
mod worker;

pub use bounded::{MAX_BULK_ITEMS, MAX_CAPABILITIES, bulk_items};
pub use bulk::{BulkView, RejectedItem};
pub(crate) use current_ap::current_ap;
pub use inbound::NewInboundMigration;
pub use status::{Direction, MigrationStatus};
pub(crate) use status::{is_open_outbound, state_of};
pub use view::{CurrentAccessPoint, HistoryEntry, MigrationFilter, MigrationView, RevealedKey};
pub use worker::MigrationRunSummary;

/// The migrations service; see [`crate::Handover::migrations`].
pub struct Migrations<'a> {
    pub(crate) core: &'a smp_core::Core,
    pub(crate) h: &'a crate::Handover,
}

use serde::{Deserialize, Serialize};
use smp_store::{DbConnection, MigrationRow, migrations};

use crate::DomainError;
use smp_core::CapabilitySpec;

/// What a migration row keeps as JSON (`details` column).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Details {
    /// Who asked for it (user name, for people reading the row).
    pub(crate) created_by: String,
    /// Who asked for it: visibility is decided on this, never on the name.
    #[serde(default)]
    pub(crate) created_by_id: Option<i64>,
    /// The owner the participant gets when it arrives.
    pub(crate) owner_id: Option<i64>,
    /// Inbound: the capabilities to publish on arrival.
    #[serde(default)]
    pub(crate) capabilities: Vec<CapabilitySpec>,
    /// Inbound: the business card (Peppol Directory v3 XML) to publish on arrival.
    #[serde(default)]
    pub(crate) business_card: Option<String>,
    /// The SMP the participant is registered with (from its NAPTR record).
    pub(crate) current_smp: Option<String>,
    /// The access point that SMP publishes for it, where known.
    pub(crate) current_ap: Option<CurrentAccessPoint>,
}

impl Details {
    /// The details of a stored migration; unreadable JSON is corrupt data, never a
    /// default (a retry must not re-stage a participant without its capabilities).
    pub(crate) fn of(row: &MigrationRow) -> Result<Self, DomainError> {
        serde_json::from_str(&row.details).map_err(|e| {
            DomainError::Corrupt(format!("migration {} has unreadable details: {e}", row.id))
        })
    }

    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// A new migration id: `mig_` and 20 random base32 characters.
pub(crate) fn new_id(prefix: &str) -> Result<String, DomainError> {
    let mut buf = [0u8; 12];
    openssl::rand::rand_bytes(&mut buf)
        .map_err(|e| DomainError::Corrupt(format!("random generator failed: {e}")))?;
    Ok(format!(
        "{prefix}_{}",
        data_encoding::BASE32_NOPAD.encode(&buf).to_lowercase()
    ))
}

/// Moves a migration to `new_status` (guarded by what the caller read) and records the
/// change in its history. Returns false when another worker moved it first.
pub(crate) fn transition(
    conn: &mut DbConnection,
    seen: &MigrationRow,
    next: &MigrationRow,
    note: Option<&str>,
) -> Result<bool, DomainError> {
    if !migrations::update_guarded(conn, next, &seen.status, seen.attempts)? {
        return Ok(false);
    }
    if next.status != seen.status || note.is_some() {
        migrations::add_history(conn, &next.id, &next.status, next.updated_at, note)?;
    }
    Ok(true)
}

/// Exponential backoff for polling steps, from `base` up to 5 minutes.
pub(crate) fn backoff(base_ms: i64, attempts: i32) -> i64 {
    let exp = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
    base_ms
        .saturating_mul(1_i64 << exp)
        .min(5 * 60 * 1000)
        .max(base_ms)
}
