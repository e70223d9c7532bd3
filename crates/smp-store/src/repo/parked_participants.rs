//! Parked participants (`parked_participants` table): the participants a registry dump
//! listed, with the time of the last import that listed them, so a newer import can tell
//! which ones disappeared.

use diesel::prelude::*;

use crate::schema::{parked_participants, participants};
use crate::states::lifecycle;
use crate::{DbConnection, StoreError};

/// Records that the import started at `at` listed the participant.
pub fn mark_seen(
    conn: &mut DbConnection,
    participant_key: &str,
    at: i64,
) -> Result<(), StoreError> {
    // No upsert on the multi-connection: update, then insert when there was nothing.
    let updated = diesel::update(parked_participants::table.find(participant_key))
        .set(parked_participants::last_seen_at.eq(at))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(parked_participants::table)
            .values((
                parked_participants::participant_key.eq(participant_key),
                parked_participants::last_seen_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether the participant came from a registry dump.
pub fn is_parked(conn: &mut DbConnection, participant_key: &str) -> Result<bool, StoreError> {
    Ok(parked_participants::table
        .find(participant_key)
        .select(parked_participants::participant_key)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// Sets `lifecycle = 'inactive'` on active parked participants no import listed since
/// `before`; returns how many changed.
pub fn mark_missing_inactive(conn: &mut DbConnection, before: i64) -> Result<usize, StoreError> {
    let missing = parked_participants::table
        .filter(parked_participants::last_seen_at.lt(before))
        .select(parked_participants::participant_key);
    Ok(diesel::update(
        participants::table
            .filter(participants::lifecycle.eq(lifecycle::ACTIVE))
            .filter(participants::participant_key.eq_any(missing)),
    )
    .set(participants::lifecycle.eq(lifecycle::INACTIVE))
    .execute(conn)?)
}
