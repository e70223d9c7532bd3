//! Participant migrations (`migrations`, `migration_history`) and archived participants
//! (`participant_archive`). Status changes are guarded by the status and attempt count the
//! caller read, so concurrent workers never both move one migration.

use diesel::prelude::*;

use crate::schema::{migration_history, migrations, participant_archive};
use crate::states::migration_status;
use crate::{DbConnection, StoreError};

/// A stored migration.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = migrations)]
pub struct MigrationRow {
    pub id: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    pub participant_key: String,
    /// `scheme::value` as given.
    pub participant: String,
    pub status: String,
    pub migration_key: Option<String>,
    pub auto_register: bool,
    pub bulk_id: Option<String>,
    pub attempts: i32,
    pub next_check_at: i64,
    pub cleanup_at: Option<i64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// JSON owned by the domain (staged capabilities, current provider, creator).
    pub details: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One status change of a migration.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = migration_history)]
pub struct HistoryRow {
    pub id: i64,
    pub migration_id: String,
    pub status: String,
    pub at: i64,
    pub note: Option<String>,
}

/// Filter for [`list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationQuery {
    pub status: Option<String>,
    pub direction: Option<String>,
    pub participant_key: Option<String>,
    pub bulk_id: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

/// Inserts a migration (its first history row is the caller's job: [`add_history`]).
pub fn insert(conn: &mut DbConnection, row: &MigrationRow) -> Result<(), StoreError> {
    diesel::insert_into(migrations::table)
        .values((
            migrations::id.eq(&row.id),
            migrations::direction.eq(&row.direction),
            migrations::participant_key.eq(&row.participant_key),
            migrations::participant.eq(&row.participant),
            migrations::status.eq(&row.status),
            migrations::migration_key.eq(&row.migration_key),
            migrations::auto_register.eq(row.auto_register),
            migrations::bulk_id.eq(&row.bulk_id),
            migrations::attempts.eq(row.attempts),
            migrations::next_check_at.eq(row.next_check_at),
            migrations::cleanup_at.eq(row.cleanup_at),
            migrations::error_code.eq(&row.error_code),
            migrations::error_message.eq(&row.error_message),
            migrations::details.eq(&row.details),
            migrations::created_at.eq(row.created_at),
            migrations::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether any stored migration key is sealed (then the sealing key file must not change).
pub fn has_sealed_keys(conn: &mut DbConnection) -> Result<bool, StoreError> {
    let found = migrations::table
        .filter(migrations::migration_key.like("sealed:%"))
        .select(migrations::id)
        .first::<String>(conn)
        .optional()?;
    Ok(found.is_some())
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<MigrationRow>, StoreError> {
    Ok(migrations::table
        .find(id)
        .select(MigrationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Writes every mutable column of `row`, only if the stored status and attempt count are
/// still `seen_status` / `seen_attempts`. Returns whether it did.
pub fn update_guarded(
    conn: &mut DbConnection,
    row: &MigrationRow,
    seen_status: &str,
    seen_attempts: i32,
) -> Result<bool, StoreError> {
    let target = migrations::table
        .filter(migrations::id.eq(&row.id))
        .filter(migrations::status.eq(seen_status))
        .filter(migrations::attempts.eq(seen_attempts));
    Ok(diesel::update(target)
        .set((
            migrations::status.eq(&row.status),
            migrations::migration_key.eq(&row.migration_key),
            migrations::attempts.eq(row.attempts),
            migrations::next_check_at.eq(row.next_check_at),
            migrations::cleanup_at.eq(row.cleanup_at),
            migrations::error_code.eq(&row.error_code),
            migrations::error_message.eq(&row.error_message),
            migrations::details.eq(&row.details),
            migrations::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?
        > 0)
}

/// Migrations in one of `statuses` whose check is due, oldest first.
pub fn due(
    conn: &mut DbConnection,
    statuses: &[&str],
    now: i64,
    limit: i64,
) -> Result<Vec<MigrationRow>, StoreError> {
    Ok(migrations::table
        .filter(migrations::status.eq_any(statuses))
        .filter(migrations::next_check_at.le(now))
        .order((migrations::next_check_at, migrations::id))
        .limit(limit.max(0))
        .select(MigrationRow::as_select())
        .load(conn)?)
}

/// Completed migrations whose local cleanup is due.
pub fn cleanup_due(
    conn: &mut DbConnection,
    now: i64,
    limit: i64,
) -> Result<Vec<MigrationRow>, StoreError> {
    Ok(migrations::table
        .filter(migrations::cleanup_at.le(now))
        .order(migrations::cleanup_at)
        .limit(limit.max(0))
        .select(MigrationRow::as_select())
        .load(conn)?)
}

/// The open (not completed, cancelled or failed) migrations of a participant.
pub fn open_for_participant(
    conn: &mut DbConnection,
    participant_key: &str,
) -> Result<Vec<MigrationRow>, StoreError> {
    Ok(migrations::table
        .filter(migrations::participant_key.eq(participant_key))
        .filter(migrations::status.ne_all(migration_status::FINAL))
        .order(migrations::created_at)
        .select(MigrationRow::as_select())
        .load(conn)?)
}

/// Pages through migrations, newest first; returns the page and the total matching.
pub fn list(
    conn: &mut DbConnection,
    q: &MigrationQuery,
) -> Result<(Vec<MigrationRow>, i64), StoreError> {
    let filtered = || {
        let mut query = migrations::table.into_boxed();
        if let Some(s) = &q.status {
            query = query.filter(migrations::status.eq(s.clone()));
        }
        if let Some(d) = &q.direction {
            query = query.filter(migrations::direction.eq(d.clone()));
        }
        if let Some(p) = &q.participant_key {
            query = query.filter(migrations::participant_key.eq(p.clone()));
        }
        if let Some(b) = &q.bulk_id {
            query = query.filter(migrations::bulk_id.eq(b.clone()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((migrations::created_at.desc(), migrations::id.desc()))
        .offset(q.offset.max(0))
        .limit(q.limit.max(0))
        .select(MigrationRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Counts of a bulk's migrations by status.
pub fn bulk_counts(
    conn: &mut DbConnection,
    bulk_id: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(migrations::table
        .filter(migrations::bulk_id.eq(bulk_id))
        .group_by(migrations::status)
        .select((migrations::status, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Appends a status change.
pub fn add_history(
    conn: &mut DbConnection,
    migration_id: &str,
    status: &str,
    at: i64,
    note: Option<&str>,
) -> Result<(), StoreError> {
    diesel::insert_into(migration_history::table)
        .values((
            migration_history::migration_id.eq(migration_id),
            migration_history::status.eq(status),
            migration_history::at.eq(at),
            migration_history::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

/// A migration's status changes, oldest first.
pub fn history(conn: &mut DbConnection, migration_id: &str) -> Result<Vec<HistoryRow>, StoreError> {
    Ok(migration_history::table
        .filter(migration_history::migration_id.eq(migration_id))
        .order(migration_history::id)
        .select(HistoryRow::as_select())
        .load(conn)?)
}

/// Keeps a copy of a participant that left, for audit.
pub fn archive_participant(
    conn: &mut DbConnection,
    participant_key: &str,
    reason: &str,
    snapshot: &str,
    now: i64,
) -> Result<(), StoreError> {
    diesel::insert_into(participant_archive::table)
        .values((
            participant_archive::participant_key.eq(participant_key),
            participant_archive::reason.eq(reason),
            participant_archive::snapshot.eq(snapshot),
            participant_archive::archived_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Archived copies of a participant, newest first: (reason, snapshot JSON, archived_at).
pub fn archived(
    conn: &mut DbConnection,
    participant_key: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(participant_archive::table
        .filter(participant_archive::participant_key.eq(participant_key))
        .order(participant_archive::id.desc())
        .select((
            participant_archive::reason,
            participant_archive::snapshot,
            participant_archive::archived_at,
        ))
        .load(conn)?)
}
