//! Durable SML intents (`sml_jobs` table): "create / delete this participant at the SML",
//! written in the same transaction as the local change and worked off by a background
//! worker. A worker claims a job (a lease) before it calls the SML; while the claim lasts the
//! call may be in flight, so a newer intent does not supersede the job but queues behind it.
//! Status updates are guarded by the status and attempt count the worker read, so two
//! workers never both record an outcome for one attempt.

use diesel::prelude::*;

use crate::schema::sml_jobs;
use crate::states::job_status;
use crate::{DbConnection, StoreError};

/// A stored job.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = sml_jobs)]
pub struct SmlJobRow {
    pub id: i64,
    /// Lower-case `scheme::value` of the participant.
    pub participant_key: String,
    pub scheme: String,
    pub value: String,
    /// `create` or `delete`.
    pub action: String,
    /// `pending`, `done`, `failed` or `superseded`.
    pub status: String,
    pub attempts: i32,
    pub next_run_at: i64,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Claimed by a worker until then (unix ms); `None` or past: not claimed.
    pub claimed_until: Option<i64>,
}

/// A job to insert (status `pending`, no attempts yet, due at `created_at`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSmlJob {
    pub participant_key: String,
    pub scheme: String,
    pub value: String,
    pub action: String,
    pub created_at: i64,
}

/// Inserts a pending job.
pub fn insert(conn: &mut DbConnection, new: &NewSmlJob) -> Result<SmlJobRow, StoreError> {
    Ok(diesel::insert_into(sml_jobs::table)
        .values((
            sml_jobs::participant_key.eq(&new.participant_key),
            sml_jobs::scheme.eq(&new.scheme),
            sml_jobs::value.eq(&new.value),
            sml_jobs::action.eq(&new.action),
            sml_jobs::status.eq(job_status::PENDING),
            sml_jobs::attempts.eq(0),
            sml_jobs::next_run_at.eq(new.created_at),
            sml_jobs::created_at.eq(new.created_at),
            sml_jobs::updated_at.eq(new.created_at),
        ))
        .returning(sml_jobs::all_columns)
        .get_result(conn)?)
}

/// Pending jobs, oldest first, up to `limit` (due or not: callers pick what is due, after
/// ordering per participant).
pub fn pending(conn: &mut DbConnection, limit: i64) -> Result<Vec<SmlJobRow>, StoreError> {
    Ok(sml_jobs::table
        .filter(sml_jobs::status.eq(job_status::PENDING))
        .order(sml_jobs::id)
        .limit(limit.max(0))
        .select(SmlJobRow::as_select())
        .load(conn)?)
}

/// Every job of a participant, oldest first.
pub fn for_participant(
    conn: &mut DbConnection,
    participant_key: &str,
) -> Result<Vec<SmlJobRow>, StoreError> {
    Ok(sml_jobs::table
        .filter(sml_jobs::participant_key.eq(participant_key))
        .order(sml_jobs::id)
        .select(SmlJobRow::as_select())
        .load(conn)?)
}

/// Jobs by status, newest first (for operators).
pub fn with_status(
    conn: &mut DbConnection,
    status: &str,
    limit: i64,
) -> Result<Vec<SmlJobRow>, StoreError> {
    Ok(sml_jobs::table
        .filter(sml_jobs::status.eq(status))
        .order(sml_jobs::id.desc())
        .limit(limit.max(0))
        .select(SmlJobRow::as_select())
        .load(conn)?)
}

/// Claims a pending job for one attempt until `until`, if it still has `seen_attempts`
/// attempts and nobody else holds an unexpired claim on it. Returns whether this call
/// claimed it.
pub fn claim(
    conn: &mut DbConnection,
    id: i64,
    seen_attempts: i32,
    now: i64,
    until: i64,
) -> Result<bool, StoreError> {
    let guard = sml_jobs::table
        .filter(sml_jobs::id.eq(id))
        .filter(sml_jobs::status.eq(job_status::PENDING))
        .filter(sml_jobs::attempts.eq(seen_attempts))
        .filter(unclaimed(now));
    let changed = diesel::update(guard)
        .set(sml_jobs::claimed_until.eq(until))
        .execute(conn)?;
    Ok(changed > 0)
}

/// Jobs nobody holds an unexpired claim on at `now`.
fn unclaimed(
    now: i64,
) -> diesel::dsl::Or<
    diesel::dsl::IsNull<sml_jobs::claimed_until>,
    diesel::dsl::LtEq<sml_jobs::claimed_until, i64>,
> {
    sml_jobs::claimed_until
        .is_null()
        .or(sml_jobs::claimed_until.le(now))
}

/// The outcome of one attempt, recorded only if the job is still `pending` with
/// `seen_attempts` attempts. Returns whether this call recorded it.
pub fn record_attempt(
    conn: &mut DbConnection,
    id: i64,
    seen_attempts: i32,
    outcome: &AttemptOutcome<'_>,
    now: i64,
) -> Result<bool, StoreError> {
    let guard = sml_jobs::table
        .filter(sml_jobs::id.eq(id))
        .filter(sml_jobs::status.eq(job_status::PENDING))
        .filter(sml_jobs::attempts.eq(seen_attempts));
    let changed = diesel::update(guard)
        .set((
            sml_jobs::status.eq(outcome.status),
            sml_jobs::attempts.eq(seen_attempts + 1),
            sml_jobs::next_run_at.eq(outcome.next_run_at),
            sml_jobs::last_error_code.eq(outcome.error_code),
            sml_jobs::last_error_message.eq(outcome.error_message),
            sml_jobs::updated_at.eq(now),
            sml_jobs::claimed_until.eq(None::<i64>),
        ))
        .execute(conn)?;
    Ok(changed > 0)
}

/// What an attempt ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptOutcome<'a> {
    /// `pending` (try again at `next_run_at`), `done` or `failed`.
    pub status: &'a str,
    pub next_run_at: i64,
    pub error_code: Option<&'a str>,
    pub error_message: Option<&'a str>,
}

/// Marks every pending job of a participant `superseded` (a newer intent replaces them),
/// except a job whose claim has not expired at `now`: its SML call may be in flight, so it
/// finishes first and the newer intent runs after it. Returns how many.
pub fn supersede_pending(
    conn: &mut DbConnection,
    participant_key: &str,
    now: i64,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        sml_jobs::table
            .filter(sml_jobs::participant_key.eq(participant_key))
            .filter(sml_jobs::status.eq(job_status::PENDING))
            .filter(unclaimed(now)),
    )
    .set((
        sml_jobs::status.eq(job_status::SUPERSEDED),
        sml_jobs::updated_at.eq(now),
    ))
    .execute(conn)?)
}

/// Makes a failed job pending again, due now (operator retry). Returns whether it was failed.
pub fn retry(conn: &mut DbConnection, id: i64, now: i64) -> Result<bool, StoreError> {
    Ok(diesel::update(
        sml_jobs::table
            .filter(sml_jobs::id.eq(id))
            .filter(sml_jobs::status.eq(job_status::FAILED)),
    )
    .set((
        sml_jobs::status.eq(job_status::PENDING),
        sml_jobs::next_run_at.eq(now),
        sml_jobs::updated_at.eq(now),
    ))
    .execute(conn)?
        > 0)
}

/// How many jobs are pending.
pub fn count_pending(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(sml_jobs::table
        .filter(sml_jobs::status.eq(job_status::PENDING))
        .count()
        .get_result(conn)?)
}
