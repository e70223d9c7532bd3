//! Scheme-ID migrations (`scheme_migrations` table): one row per participant copied from
//! an old ICD to a new one, recording when the copy was registered, until when both stay,
//! and when the old identifier was removed.

use diesel::prelude::*;

use crate::participants::ParticipantRow;
use crate::schema::{participants, scheme_migrations};
use crate::{DbConnection, StoreError};

/// A stored scheme migration of one participant.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = scheme_migrations)]
pub struct SchemeMigrationRow {
    pub id: i64,
    /// Participant key under the old ICD.
    pub old_key: String,
    /// Participant key under the new ICD.
    pub new_key: String,
    pub from_icd: String,
    pub to_icd: String,
    pub new_registered_at: i64,
    /// The old identifier is removed at or after this time.
    pub overlap_until: i64,
    pub old_removed_at: Option<i64>,
}

/// A migration to record, in the transaction that registers the new identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSchemeMigration {
    pub old_key: String,
    pub new_key: String,
    pub from_icd: String,
    pub to_icd: String,
    pub new_registered_at: i64,
    pub overlap_until: i64,
}

/// Counts for one ICD pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SchemeMigrationCounts {
    /// Participants registered under the new ICD by the migration.
    pub registered: i64,
    /// Of those, the ones whose old identifier is gone.
    pub old_removed: i64,
    /// Earliest start of the migration (first new registration), if any.
    pub started_at: Option<i64>,
}

/// Records a participant's new registration.
pub fn insert(
    conn: &mut DbConnection,
    new: &NewSchemeMigration,
) -> Result<SchemeMigrationRow, StoreError> {
    Ok(diesel::insert_into(scheme_migrations::table)
        .values((
            scheme_migrations::old_key.eq(&new.old_key),
            scheme_migrations::new_key.eq(&new.new_key),
            scheme_migrations::from_icd.eq(&new.from_icd),
            scheme_migrations::to_icd.eq(&new.to_icd),
            scheme_migrations::new_registered_at.eq(new.new_registered_at),
            scheme_migrations::overlap_until.eq(new.overlap_until),
        ))
        .returning(scheme_migrations::all_columns)
        .get_result(conn)?)
}

/// The migration of the participant with this old key, if any.
pub fn get_by_old_key(
    conn: &mut DbConnection,
    old_key: &str,
) -> Result<Option<SchemeMigrationRow>, StoreError> {
    Ok(scheme_migrations::table
        .filter(scheme_migrations::old_key.eq(old_key))
        .select(SchemeMigrationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Up to `limit` migrations of the pair whose old identifier is still there and whose
/// overlap ended at or before `now`, oldest first.
pub fn due_for_removal(
    conn: &mut DbConnection,
    from_icd: &str,
    to_icd: &str,
    now: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<SchemeMigrationRow>, StoreError> {
    Ok(scheme_migrations::table
        .filter(scheme_migrations::from_icd.eq(from_icd))
        .filter(scheme_migrations::to_icd.eq(to_icd))
        .filter(scheme_migrations::old_removed_at.is_null())
        .filter(scheme_migrations::overlap_until.le(now))
        .filter(scheme_migrations::id.gt(after_id))
        .order(scheme_migrations::id)
        .limit(limit.max(0))
        .select(SchemeMigrationRow::as_select())
        .load(conn)?)
}

/// Marks the old identifier removed; false when it was already marked (another run).
pub fn mark_old_removed(conn: &mut DbConnection, id: i64, now: i64) -> Result<bool, StoreError> {
    Ok(diesel::update(
        scheme_migrations::table
            .find(id)
            .filter(scheme_migrations::old_removed_at.is_null()),
    )
    .set(scheme_migrations::old_removed_at.eq(now))
    .execute(conn)?
        > 0)
}

/// Counts for the pair.
pub fn counts(
    conn: &mut DbConnection,
    from_icd: &str,
    to_icd: &str,
) -> Result<SchemeMigrationCounts, StoreError> {
    let pair = || {
        scheme_migrations::table
            .filter(scheme_migrations::from_icd.eq(from_icd))
            .filter(scheme_migrations::to_icd.eq(to_icd))
    };
    let registered = pair().count().get_result(conn)?;
    let old_removed = pair()
        .filter(scheme_migrations::old_removed_at.is_not_null())
        .count()
        .get_result(conn)?;
    let started_at = pair()
        .select(diesel::dsl::min(scheme_migrations::new_registered_at))
        .first::<Option<i64>>(conn)?;
    Ok(SchemeMigrationCounts {
        registered,
        old_removed,
        started_at,
    })
}

/// Up to `limit` participants whose key starts with `prefix` and sorts after `after_key`,
/// in key order (keyset paging over one identifier scheme and ICD).
pub fn participants_with_prefix(
    conn: &mut DbConnection,
    prefix: &str,
    after_key: &str,
    limit: i64,
) -> Result<Vec<ParticipantRow>, StoreError> {
    let start = if after_key < prefix {
        prefix
    } else {
        after_key
    };
    Ok(participants::table
        .filter(participants::participant_key.gt(start))
        .filter(participants::participant_key.lt(prefix_end(prefix)))
        .order(participants::participant_key)
        .limit(limit.max(0))
        .select(ParticipantRow::as_select())
        .load(conn)?)
}

/// Participants under `prefix` (all, and those created at or after `since`).
pub fn count_with_prefix(
    conn: &mut DbConnection,
    prefix: &str,
    since: Option<i64>,
) -> Result<(i64, i64), StoreError> {
    let under = || {
        participants::table
            .filter(participants::participant_key.ge(prefix))
            .filter(participants::participant_key.lt(prefix_end(prefix)))
    };
    let all = under().count().get_result(conn)?;
    let recent = match since {
        Some(t) => under()
            .filter(participants::created_at.ge(t))
            .count()
            .get_result(conn)?,
        None => 0,
    };
    Ok((all, recent))
}

/// The smallest string greater than every string starting with `prefix` (keys are ASCII
/// lower case, so bumping the last byte is enough).
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_owned();
    match end.pop() {
        Some(c) => end.push(char::from_u32(u32::from(c) + 1).unwrap_or(char::MAX)),
        None => end.push(char::MAX),
    }
    end
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn prefix_end_bounds_the_prefix() {
        assert_eq!(prefix_end("a::9956:"), "a::9956;");
        assert!("a::9956:zzz" < prefix_end("a::9956:").as_str());
        assert!("a::9957:" >= prefix_end("a::9956:").as_str());
    }
}
