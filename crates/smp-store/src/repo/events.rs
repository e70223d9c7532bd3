//! The event log (`events` table): what happened, in commit order of the row id, for
//! polling integrators and as the payload source of webhook deliveries.
//!
//! `GET /api/v1/events?after=N` is only safe if no event with an id at or below one a
//! poller has seen can still appear. On PostgreSQL ids are handed out at insert and
//! become visible at commit, so two transactions can commit out of id order; [`insert`]
//! therefore takes a transaction-scoped advisory lock first, which makes event ids and
//! commits follow the same order. On SQLite writers are already serialised
//! (`BEGIN IMMEDIATE`).

use diesel::prelude::*;

use crate::schema::{events, webhook_deliveries};
use crate::states::delivery_status;
use crate::{DbConnection, StoreError};

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    /// Sequence number: increases with every event, the cursor of `after`.
    pub id: i64,
    /// Public id, e.g. `evt_…`.
    pub event_id: String,
    /// e.g. `participant.registered`.
    pub event_type: String,
    pub created_at: i64,
    /// The event's `data` as JSON text.
    pub data: String,
}

/// An event to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub event_id: String,
    pub event_type: String,
    pub created_at: i64,
    pub data: String,
}

/// Key of the advisory lock that orders event inserts on PostgreSQL ("FERRYEVT").
const EVENT_ORDER_LOCK: i64 = 0x4645_5252_5945_5654;

/// Inserts an event. Call it inside a write transaction (as late in it as is natural):
/// on PostgreSQL it holds the event-order lock until that transaction ends.
pub fn insert(conn: &mut DbConnection, new: &NewEvent) -> Result<EventRow, StoreError> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(EVENT_ORDER_LOCK)
            .execute(pg)?;
    }
    Ok(diesel::insert_into(events::table)
        .values((
            events::event_id.eq(&new.event_id),
            events::event_type.eq(&new.event_type),
            events::created_at.eq(new.created_at),
            events::data.eq(&new.data),
        ))
        .returning(events::all_columns)
        .get_result(conn)?)
}

/// Events with a sequence number above `after`, oldest first, up to `limit`.
pub fn after(conn: &mut DbConnection, after: i64, limit: i64) -> Result<Vec<EventRow>, StoreError> {
    Ok(events::table
        .filter(events::id.gt(after))
        .order(events::id)
        .limit(limit.max(0))
        .select(EventRow::as_select())
        .load(conn)?)
}

/// One event by sequence number.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<Option<EventRow>, StoreError> {
    Ok(events::table
        .find(id)
        .select(EventRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes up to `limit` events created before `before` whose webhook deliveries are all
/// finished (delivered or given up), with those deliveries; returns how many events went.
/// An event still being delivered is kept whatever its age.
pub fn prune_before(conn: &mut DbConnection, before: i64, limit: i64) -> Result<usize, StoreError> {
    let pending = webhook_deliveries::table
        .filter(webhook_deliveries::event_row_id.eq(events::id))
        .filter(webhook_deliveries::status.eq(delivery_status::PENDING));
    let doomed: Vec<i64> = events::table
        .filter(events::created_at.lt(before))
        .filter(diesel::dsl::not(diesel::dsl::exists(pending)))
        .order(events::id)
        .limit(limit.max(0))
        .select(events::id)
        .load(conn)?;
    if doomed.is_empty() {
        return Ok(0);
    }
    // Explicitly, not only by the foreign key's cascade: SQLite enforces it only with the
    // pragma on, and the outcome must not depend on a connection setting.
    diesel::delete(
        webhook_deliveries::table.filter(webhook_deliveries::event_row_id.eq_any(&doomed)),
    )
    .execute(conn)?;
    Ok(diesel::delete(events::table.filter(events::id.eq_any(&doomed))).execute(conn)?)
}
