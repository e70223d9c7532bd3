//! The change feed (`changes` table): one row per participant change, so every
//! node can drop cached documents that another node rewrote.

use diesel::prelude::*;

use crate::schema::changes;
use crate::{DbConnection, StoreError};

/// A recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub struct ChangeRow {
    /// Increases with every record and is never reused, even after pruning.
    pub id: i64,
    pub at: i64,
    pub participant_key: String,
}

/// Records that the participant changed at `now`; returns the new row's id.
///
/// On PostgreSQL ids are handed out at insert but become visible at commit, so a
/// reader can see id 7 before id 6: readers that page by id should also re-read
/// a short time window with [`recent`].
pub fn record(conn: &mut DbConnection, participant_key: &str, now: i64) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(changes::table)
        .values((
            changes::at.eq(now),
            changes::participant_key.eq(participant_key),
        ))
        .returning(changes::id)
        .get_result(conn)?)
}

/// Up to `limit` changes with an id above `after_id`, oldest first.
pub fn since(
    conn: &mut DbConnection,
    after_id: i64,
    limit: i64,
) -> Result<Vec<ChangeRow>, StoreError> {
    Ok(changes::table
        .filter(changes::id.gt(after_id))
        .order(changes::id)
        .limit(limit.max(0))
        .select(ChangeRow::as_select())
        .load(conn)?)
}

/// All changes recorded at or after `since_at`, oldest first.
pub fn recent(conn: &mut DbConnection, since_at: i64) -> Result<Vec<ChangeRow>, StoreError> {
    Ok(changes::table
        .filter(changes::at.ge(since_at))
        .order(changes::id)
        .select(ChangeRow::as_select())
        .load(conn)?)
}

/// The highest id present, 0 when there is none.
pub fn latest_id(conn: &mut DbConnection) -> Result<i64, StoreError> {
    let max: Option<i64> = changes::table
        .select(diesel::dsl::max(changes::id))
        .first(conn)?;
    Ok(max.unwrap_or(0))
}

/// Deletes changes recorded before `at`; returns how many.
pub fn prune_before(conn: &mut DbConnection, at: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(changes::table.filter(changes::at.lt(at))).execute(conn)?)
}
