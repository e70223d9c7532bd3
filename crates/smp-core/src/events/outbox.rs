//! Writing events: in the caller's transaction, with their deliveries.

use serde_json::{Value, json};
use smp_store::participants::{self, ParticipantRow};
use smp_store::{DbConnection, NewEvent, events, webhooks};

use super::{filter_matches, random_id};
use crate::DomainError;

/// Records an event and queues one delivery per active subscription whose filter matches.
///
/// Runs on the caller's connection, inside its transaction: if the change rolls back, the
/// event and its deliveries vanish with it, and if it commits, they are certain to exist.
pub fn emit(
    conn: &mut DbConnection,
    event_type: &str,
    data: Value,
    now: i64,
) -> Result<(), DomainError> {
    let data = serde_json::to_string(&data)
        .map_err(|e| DomainError::Corrupt(format!("event data is not serialisable: {e}")))?;
    let event = events::insert(
        conn,
        &NewEvent {
            event_id: random_id("evt_", 12)?,
            event_type: event_type.to_owned(),
            created_at: now,
            data,
        },
    )?;
    for subscription in webhooks::active_subscriptions(conn)? {
        if filter_matches(&subscription.event_types, event_type) {
            webhooks::insert_delivery(conn, &subscription.id, event.id, now)?;
        }
    }
    Ok(())
}

/// Emits a participant event with data `{participant, smlState}`. The row is read again so
/// the SML state reflects what this transaction queued (the row as given, when this
/// transaction deleted it).
pub fn emit_participant(
    conn: &mut DbConnection,
    event_type: &str,
    row: &ParticipantRow,
    now: i64,
) -> Result<(), DomainError> {
    let current = participants::get(conn, row.id)?;
    let row = current.as_ref().unwrap_or(row);
    let data = json!({
        "participant": format!("{}::{}", row.scheme, row.value),
        "smlState": row.sml_state,
    });
    emit(conn, event_type, data, now)
}
