//! The event log (`events` table): what happened, in commit order of the row id, for
//! polling integrators and as the payload source of webhook deliveries.

use diesel::prelude::*;

use crate::schema::events;
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

/// Inserts an event.
pub fn insert(conn: &mut DbConnection, new: &NewEvent) -> Result<EventRow, StoreError> {
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
