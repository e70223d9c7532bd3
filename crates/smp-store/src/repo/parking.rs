//! The parking SMP's tables: callers of the migration-token collection API
//! (`token_callers`), one audit row per collection attempt (`token_collections`), and the
//! `participants.lifecycle` flag (`active` or `inactive`).

use diesel::prelude::*;

use crate::schema::{participants, token_callers, token_collections};
use crate::states::caller_status;
use crate::{DbConnection, StoreError};

/// A caller of the collection API, keyed by its certificate's SHA-256 fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = token_callers)]
pub struct CallerRow {
    /// Lower-case hex SHA-256 of the certificate DER.
    pub id: String,
    pub subject: String,
    /// The Peppol seat id (the certificate's CN), when it has one.
    pub seat_id: Option<String>,
    /// `active` or `blacklisted`.
    pub status: String,
    /// `None`: the configured default.
    pub daily_quota: Option<i32>,
    /// From this time on, `scheduled_quota` replaces `daily_quota`.
    pub quota_from: Option<i64>,
    pub scheduled_quota: Option<i32>,
    pub blacklisted_at: Option<i64>,
    pub created_at: i64,
}

/// One collection attempt, whatever its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = token_collections)]
pub struct CollectionRow {
    pub id: i64,
    pub at: i64,
    pub caller_id: Option<String>,
    pub caller_subject: Option<String>,
    pub client_ip: String,
    pub participant_key: Option<String>,
    /// A stable outcome code (`ok`, `token.blacklisted`, ...).
    pub outcome: String,
    pub http_status: i32,
}

/// A collection attempt to record.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = token_collections)]
pub struct NewCollection {
    pub at: i64,
    pub caller_id: Option<String>,
    pub caller_subject: Option<String>,
    pub client_ip: String,
    pub participant_key: Option<String>,
    pub outcome: String,
    pub http_status: i32,
}

/// The caller with this fingerprint.
pub fn caller(conn: &mut DbConnection, id: &str) -> Result<Option<CallerRow>, StoreError> {
    Ok(token_callers::table
        .find(id)
        .select(CallerRow::as_select())
        .first(conn)
        .optional()?)
}

/// The caller with this fingerprint, created `active` on its first call.
pub fn ensure_caller(
    conn: &mut DbConnection,
    id: &str,
    subject: &str,
    seat_id: Option<&str>,
    now: i64,
) -> Result<CallerRow, StoreError> {
    if let Some(found) = caller(conn, id)? {
        return Ok(found);
    }
    diesel::insert_into(token_callers::table)
        .values((
            token_callers::id.eq(id),
            token_callers::subject.eq(subject),
            token_callers::seat_id.eq(seat_id),
            token_callers::status.eq(caller_status::ACTIVE),
            token_callers::created_at.eq(now),
        ))
        .execute(conn)?;
    caller(conn, id)?.ok_or_else(|| StoreError::Corrupt {
        table: "token_callers",
        column: "id",
        value: id.to_owned(),
    })
}

/// Every caller, by subject.
pub fn callers(conn: &mut DbConnection) -> Result<Vec<CallerRow>, StoreError> {
    Ok(token_callers::table
        .order((token_callers::subject, token_callers::id))
        .select(CallerRow::as_select())
        .load(conn)?)
}

/// Blacklists the caller at `now`. Returns whether the caller exists.
pub fn blacklist(conn: &mut DbConnection, id: &str, now: i64) -> Result<bool, StoreError> {
    Ok(diesel::update(token_callers::table.find(id))
        .set((
            token_callers::status.eq(caller_status::BLACKLISTED),
            token_callers::blacklisted_at.eq(now),
        ))
        .execute(conn)?
        > 0)
}

/// Makes the caller active again; `blacklisted_at` keeps the last blacklisting (the domain
/// counts usage from there). Returns whether the caller exists.
pub fn reactivate(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::update(token_callers::table.find(id))
        .set(token_callers::status.eq(caller_status::ACTIVE))
        .execute(conn)?
        > 0)
}

/// Sets the daily quota (`None`: the default). Returns whether the caller exists.
pub fn set_daily_quota(
    conn: &mut DbConnection,
    id: &str,
    quota: Option<i32>,
) -> Result<bool, StoreError> {
    Ok(diesel::update(token_callers::table.find(id))
        .set(token_callers::daily_quota.eq(quota))
        .execute(conn)?
        > 0)
}

/// Schedules `quota` from `from` on (`None`s clear it). Returns whether the caller exists.
pub fn schedule_quota(
    conn: &mut DbConnection,
    id: &str,
    from: Option<i64>,
    quota: Option<i32>,
) -> Result<bool, StoreError> {
    Ok(diesel::update(token_callers::table.find(id))
        .set((
            token_callers::quota_from.eq(from),
            token_callers::scheduled_quota.eq(quota),
        ))
        .execute(conn)?
        > 0)
}

/// Records one collection attempt.
pub fn record(conn: &mut DbConnection, new: &NewCollection) -> Result<(), StoreError> {
    diesel::insert_into(token_collections::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// How many of the caller's attempts since `since` had one of `outcomes`.
pub fn count_since(
    conn: &mut DbConnection,
    caller_id: &str,
    since: i64,
    outcomes: &[&str],
) -> Result<i64, StoreError> {
    Ok(token_collections::table
        .filter(token_collections::caller_id.eq(caller_id))
        .filter(token_collections::at.ge(since))
        .filter(token_collections::outcome.eq_any(outcomes))
        .count()
        .get_result(conn)?)
}

/// The most recent attempts, newest first; `caller_id` narrows to one caller.
pub fn collections(
    conn: &mut DbConnection,
    caller_id: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<CollectionRow>, StoreError> {
    let (offset, limit) = crate::repo::page(offset, limit);
    let mut q = token_collections::table.into_boxed();
    if let Some(id) = caller_id {
        q = q.filter(token_collections::caller_id.eq(id));
    }
    Ok(q.order(token_collections::id.desc())
        .offset(offset)
        .limit(limit)
        .select(CollectionRow::as_select())
        .load(conn)?)
}

/// The participant's lifecycle (`active` or `inactive`), `None` if it is not stored.
pub fn lifecycle(
    conn: &mut DbConnection,
    participant_key: &str,
) -> Result<Option<String>, StoreError> {
    Ok(participants::table
        .filter(participants::participant_key.eq(participant_key))
        .select(participants::lifecycle)
        .first(conn)
        .optional()?)
}

/// Sets the participant's lifecycle. Returns whether the participant exists.
pub fn set_lifecycle(
    conn: &mut DbConnection,
    participant_key: &str,
    lifecycle: &str,
) -> Result<bool, StoreError> {
    Ok(diesel::update(
        participants::table.filter(participants::participant_key.eq(participant_key)),
    )
    .set(participants::lifecycle.eq(lifecycle))
    .execute(conn)?
        > 0)
}
