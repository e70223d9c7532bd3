//! The parking SMP's tables: callers of the migration-token collection API
//! (`token_callers`), the audit rows of collection attempts (`token_collections`), the
//! leases of nodes preparing a migration key (`token_prepare_claims`), and the
//! `participants.lifecycle` flag (`active` or `inactive`).
//!
//! Quota checks and key preparation must be serialised across nodes: [`lock`] takes a
//! transaction-scoped PostgreSQL advisory lock keyed on the caller or the participant; on
//! SQLite the write transaction (`BEGIN IMMEDIATE`) already serialises every writer.

use diesel::prelude::*;

use crate::schema::{participants, token_callers, token_collections, token_prepare_claims};
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

/// One collection attempt, whatever its outcome, or (`attempts` > 1) several refused
/// attempts with the same caller, address and outcome, counted together.
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
    /// How many requests the row stands for (1 unless it counts refused ones together).
    pub attempts: i64,
}

/// A collection attempt to record (one request; see [`record_many`] for several).
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

/// The caller with this fingerprint, created `active` on its first call. Concurrent first
/// calls must be serialised by the caller ([`lock`] on PostgreSQL).
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

/// Records one collection attempt and returns its row id (for [`set_outcome`]).
pub fn record_returning_id(
    conn: &mut DbConnection,
    new: &NewCollection,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(token_collections::table)
        .values(new)
        .returning(token_collections::id)
        .get_result(conn)?)
}

/// Records `attempts` requests with the caller, address and outcome of `new` as one row.
pub fn record_many(
    conn: &mut DbConnection,
    new: &NewCollection,
    attempts: i64,
) -> Result<(), StoreError> {
    diesel::insert_into(token_collections::table)
        .values((new, token_collections::attempts.eq(attempts)))
        .execute(conn)?;
    Ok(())
}

/// Sets the participant and outcome of the attempt `id`. Returns whether it exists.
pub fn set_outcome(
    conn: &mut DbConnection,
    id: i64,
    participant_key: Option<&str>,
    outcome: &str,
    http_status: i32,
) -> Result<bool, StoreError> {
    Ok(diesel::update(token_collections::table.find(id))
        .set((
            token_collections::participant_key.eq(participant_key),
            token_collections::outcome.eq(outcome),
            token_collections::http_status.eq(http_status),
        ))
        .execute(conn)?
        > 0)
}

/// Deletes up to `limit` attempts recorded before `before`, oldest first; returns how
/// many went.
pub fn prune_before(conn: &mut DbConnection, before: i64, limit: i64) -> Result<usize, StoreError> {
    let doomed: Vec<i64> = token_collections::table
        .filter(token_collections::at.lt(before))
        .order(token_collections::id)
        .limit(limit.max(0))
        .select(token_collections::id)
        .load(conn)?;
    if doomed.is_empty() {
        return Ok(0);
    }
    Ok(
        diesel::delete(token_collections::table.filter(token_collections::id.eq_any(&doomed)))
            .execute(conn)?,
    )
}

/// What [`lock`] serialises on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParkingLock {
    /// A caller's quota: its count and the row that the request adds to it.
    Caller,
    /// "Hand out the participant's open key or prepare one".
    Participant,
}

impl ParkingLock {
    /// The first half of the two-key advisory lock ("PKQC", "PKQP").
    fn class(self) -> i32 {
        match self {
            Self::Caller => 0x504B_5143,
            Self::Participant => 0x504B_5150,
        }
    }
}

/// Serialises the rest of the current write transaction with every other transaction that
/// locks the same `(what, key)`, on every node. On PostgreSQL a transaction-scoped advisory
/// lock (released at commit or rollback); on SQLite nothing to do, the write transaction
/// already holds the database's write lock. Call it first in a [`crate::Store::write`].
pub fn lock(conn: &mut DbConnection, what: ParkingLock, key: &str) -> Result<(), StoreError> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind::<diesel::sql_types::Integer, _>(what.class())
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(pg)?;
    }
    Ok(())
}

/// A node's lease on preparing a participant's migration key.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = token_prepare_claims)]
pub struct PrepareClaim {
    pub participant_key: String,
    /// Random id of the collection holding the lease.
    pub claimant: String,
    /// Until when the lease holds (unix ms); after that anyone may take it over.
    pub expires_at: i64,
}

/// The current lease on preparing the participant's key, if any.
pub fn prepare_claim(
    conn: &mut DbConnection,
    participant_key: &str,
) -> Result<Option<PrepareClaim>, StoreError> {
    Ok(token_prepare_claims::table
        .find(participant_key)
        .select(PrepareClaim::as_select())
        .first(conn)
        .optional()?)
}

/// Gives the lease to `claimant` until `expires_at`, replacing any other. Call it under
/// [`lock`]`(ParkingLock::Participant, ..)` after checking [`prepare_claim`].
pub fn set_prepare_claim(
    conn: &mut DbConnection,
    participant_key: &str,
    claimant: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    diesel::delete(token_prepare_claims::table.find(participant_key)).execute(conn)?;
    diesel::insert_into(token_prepare_claims::table)
        .values((
            token_prepare_claims::participant_key.eq(participant_key),
            token_prepare_claims::claimant.eq(claimant),
            token_prepare_claims::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends `claimant`'s lease (not somebody else's that took an expired one over). Returns
/// whether it still held it.
pub fn release_prepare_claim(
    conn: &mut DbConnection,
    participant_key: &str,
    claimant: &str,
) -> Result<bool, StoreError> {
    Ok(diesel::delete(
        token_prepare_claims::table
            .filter(token_prepare_claims::participant_key.eq(participant_key))
            .filter(token_prepare_claims::claimant.eq(claimant)),
    )
    .execute(conn)?
        > 0)
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
