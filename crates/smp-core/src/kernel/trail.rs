//! Reading a participant's row back as a typed identifier, and the change and audit trail
//! every write leaves in its own transaction.

use peppol_id::ParticipantId;
use smp_store::participants::ParticipantRow;
use smp_store::{DbConnection, audit, changes};

use crate::access::UserId;
use crate::{Actor, DomainError};

/// The identifier of a stored participant; a row that no longer parses is corrupt data.
pub fn participant_id_of(row: &ParticipantRow) -> Result<ParticipantId, DomainError> {
    ParticipantId::new(&row.scheme, &row.value)
        .map_err(|e| DomainError::Corrupt(format!("stored participant: {e}")))
}

/// Whether `actor` may change the stored participant `row` (its owner or an admin).
pub fn may_change(actor: &Actor, row: &ParticipantRow) -> Result<(), DomainError> {
    actor.may_change(row.owner_id.map(UserId::from_stored), &row.participant_key)
}

/// Loads a participant or says it is not hosted here.
pub fn existing(
    conn: &mut DbConnection,
    pid: &ParticipantId,
) -> Result<ParticipantRow, DomainError> {
    smp_store::participants::get_by_key(conn, &pid.key())?.ok_or_else(|| {
        DomainError::ParticipantNotFound {
            participant: pid.to_string(),
        }
    })
}

/// Records the change for other nodes and the audit trail, in the caller's transaction.
pub fn record(
    conn: &mut DbConnection,
    touched: &mut Vec<String>,
    actor: &Actor,
    action: &str,
    participant_key: Option<&str>,
    target: Option<String>,
    now: i64,
) -> Result<(), DomainError> {
    if let Some(key) = participant_key {
        changes::record(conn, key, now)?;
        touched.push(key.to_owned());
    }
    audit::append(
        conn,
        &audit::NewAuditEntry {
            at: now,
            actor: actor.username.clone(),
            action: action.to_owned(),
            participant_key: participant_key.map(str::to_owned),
            target,
            outcome: "ok".to_owned(),
            detail: None,
        },
    )?;
    Ok(())
}
