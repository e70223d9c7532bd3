//! SQLite persistence of SMP entries, participants and migration records.

use std::path::Path;

use diesel::{prelude::*, sqlite::SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use serde::Serialize;

use crate::{
    error::EmulatorError,
    schema::{migration, participant, smp},
};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

#[derive(
    Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset, Serialize,
)]
#[diesel(table_name = smp, treat_none_as_null = true)]
pub(crate) struct SmpRow {
    pub(crate) smp_id: String,
    pub(crate) logical_address: String,
    pub(crate) physical_address: String,
    pub(crate) cert_fingerprint: String,
    pub(crate) cert_subject: String,
    pub(crate) pending_cert_fingerprint: Option<String>,
    pub(crate) pending_cert_subject: Option<String>,
    pub(crate) pending_valid_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = participant)]
pub(crate) struct ParticipantRow {
    pub(crate) scheme: String,
    pub(crate) value_key: String,
    pub(crate) value: String,
    pub(crate) smp_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = migration)]
pub(crate) struct MigrationRow {
    pub(crate) scheme: String,
    pub(crate) value_key: String,
    pub(crate) old_smp_id: String,
    pub(crate) migration_key: String,
}

/// Everything the emulator knows, as `GET /state` shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StateDump {
    pub(crate) smps: Vec<SmpRow>,
    pub(crate) participants: Vec<ParticipantRow>,
    pub(crate) migrations: Vec<MigrationRow>,
}

/// Opens (creating if needed) the state file and applies the embedded migrations.
pub(crate) fn open(path: &Path) -> Result<SqliteConnection, EmulatorError> {
    let db_err = |message: String| EmulatorError::Database {
        path: path.to_owned(),
        message,
    };
    let url = path
        .to_str()
        .ok_or_else(|| db_err("the path is not valid UTF-8".to_owned()))?;
    let mut conn = SqliteConnection::establish(url).map_err(|e| db_err(e.to_string()))?;
    // Another process (a second emulator on the same file) waits instead of failing at once.
    diesel::sql_query("PRAGMA busy_timeout = 5000")
        .execute(&mut conn)
        .map_err(|e| db_err(e.to_string()))?;
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| db_err(e.to_string()))?;
    Ok(conn)
}

pub(crate) fn find_smp(conn: &mut SqliteConnection, id: &str) -> QueryResult<Option<SmpRow>> {
    smp::table
        .find(id)
        .select(SmpRow::as_select())
        .first(conn)
        .optional()
}

pub(crate) fn insert_smp(conn: &mut SqliteConnection, row: &SmpRow) -> QueryResult<()> {
    diesel::insert_into(smp::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub(crate) fn update_smp(conn: &mut SqliteConnection, row: &SmpRow) -> QueryResult<()> {
    diesel::update(smp::table.find(&row.smp_id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub(crate) fn smps_with_certificate(
    conn: &mut SqliteConnection,
    fingerprint: &str,
) -> QueryResult<Vec<SmpRow>> {
    smp::table
        .filter(smp::cert_fingerprint.eq(fingerprint))
        .select(SmpRow::as_select())
        .load(conn)
}

/// Deletes the SMP with its participants and the migration records it opened.
pub(crate) fn delete_smp(conn: &mut SqliteConnection, id: &str) -> QueryResult<()> {
    diesel::delete(migration::table.filter(migration::old_smp_id.eq(id))).execute(conn)?;
    diesel::delete(participant::table.filter(participant::smp_id.eq(id))).execute(conn)?;
    diesel::delete(smp::table.find(id)).execute(conn)?;
    Ok(())
}

pub(crate) fn find_participant(
    conn: &mut SqliteConnection,
    scheme: &str,
    value_key: &str,
) -> QueryResult<Option<ParticipantRow>> {
    participant::table
        .find((scheme, value_key))
        .select(ParticipantRow::as_select())
        .first(conn)
        .optional()
}

pub(crate) fn participants_of(
    conn: &mut SqliteConnection,
    smp_id: &str,
) -> QueryResult<Vec<ParticipantRow>> {
    participant::table
        .filter(participant::smp_id.eq(smp_id))
        .order((participant::scheme, participant::value_key))
        .select(ParticipantRow::as_select())
        .load(conn)
}

/// One page of an SMP's participants plus whether more follow.
pub(crate) fn participant_page(
    conn: &mut SqliteConnection,
    smp_id: &str,
    offset: i64,
    size: i64,
) -> QueryResult<(Vec<ParticipantRow>, bool)> {
    let mut rows: Vec<ParticipantRow> = participant::table
        .filter(participant::smp_id.eq(smp_id))
        .order((participant::scheme, participant::value_key))
        .offset(offset)
        .limit(size.saturating_add(1))
        .select(ParticipantRow::as_select())
        .load(conn)?;
    let more = usize::try_from(size).is_ok_and(|s| rows.len() > s);
    if more {
        rows.pop();
    }
    Ok((rows, more))
}

pub(crate) fn insert_participant(
    conn: &mut SqliteConnection,
    row: &ParticipantRow,
) -> QueryResult<()> {
    diesel::insert_into(participant::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub(crate) fn delete_participant(
    conn: &mut SqliteConnection,
    scheme: &str,
    value_key: &str,
) -> QueryResult<()> {
    diesel::delete(participant::table.find((scheme, value_key)))
        .execute(conn)
        .map(drop)
}

pub(crate) fn move_participant(
    conn: &mut SqliteConnection,
    scheme: &str,
    value_key: &str,
    new_smp: &str,
) -> QueryResult<()> {
    diesel::update(participant::table.find((scheme, value_key)))
        .set(participant::smp_id.eq(new_smp))
        .execute(conn)
        .map(drop)
}

pub(crate) fn find_migration(
    conn: &mut SqliteConnection,
    scheme: &str,
    value_key: &str,
) -> QueryResult<Option<MigrationRow>> {
    migration::table
        .find((scheme, value_key))
        .select(MigrationRow::as_select())
        .first(conn)
        .optional()
}

/// Records a migration key; a second PrepareToMigrate replaces the first.
pub(crate) fn put_migration(conn: &mut SqliteConnection, row: &MigrationRow) -> QueryResult<()> {
    diesel::replace_into(migration::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub(crate) fn delete_migration(
    conn: &mut SqliteConnection,
    scheme: &str,
    value_key: &str,
) -> QueryResult<()> {
    diesel::delete(migration::table.find((scheme, value_key)))
        .execute(conn)
        .map(drop)
}

pub(crate) fn dump(conn: &mut SqliteConnection) -> QueryResult<StateDump> {
    Ok(StateDump {
        smps: smp::table
            .order(smp::smp_id)
            .select(SmpRow::as_select())
            .load(conn)?,
        participants: participant::table
            .order((participant::scheme, participant::value_key))
            .select(ParticipantRow::as_select())
            .load(conn)?,
        migrations: migration::table
            .order((migration::scheme, migration::value_key))
            .select(MigrationRow::as_select())
            .load(conn)?,
    })
}

/// Every participant with the logical address of its SMP (to rebuild the DNS zone).
pub(crate) fn all_registrations(
    conn: &mut SqliteConnection,
) -> QueryResult<Vec<(ParticipantRow, String)>> {
    participant::table
        .inner_join(smp::table.on(smp::smp_id.eq(participant::smp_id)))
        .select((ParticipantRow::as_select(), smp::logical_address))
        .load(conn)
}
