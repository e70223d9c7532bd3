//! Participants (`participants` table). Deleting one removes its services,
//! processes, endpoints and business card rows (ON DELETE CASCADE), not its
//! published documents: see [`crate::documents::delete_for_participant`].

use diesel::prelude::*;

use crate::repo::page;
use crate::schema::participants;
use crate::{DbConnection, StoreError};

/// A stored participant.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = participants)]
pub struct ParticipantRow {
    pub id: i64,
    /// Unique, lower-case `scheme::value`, as built by the caller.
    pub participant_key: String,
    /// Identifier scheme as sent.
    pub scheme: String,
    /// Identifier value as sent.
    pub value: String,
    pub owner_id: Option<i64>,
    /// ServiceGroup extension XML, verbatim.
    pub extension: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Where the participant stands at the SML: `unregistered`, `pending`,
    /// `registered` or `failed` (the domain owns the vocabulary).
    pub sml_state: String,
    /// The SML's last refusal (`code: message`) when `sml_state` is `failed`.
    pub sml_error: Option<String>,
}

/// A participant to insert; `updated_at` starts as `created_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParticipant {
    pub participant_key: String,
    pub scheme: String,
    pub value: String,
    pub owner_id: Option<i64>,
    pub extension: Option<String>,
    pub created_at: i64,
}

/// Filter and page for [`list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantQuery {
    /// Substring of the participant key, matched case-insensitively (the key is
    /// lower-case, so the search is lower-cased); `%` and `_` match literally.
    pub search: Option<String>,
    /// Only participants owned by this user.
    pub owner_id: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

/// Inserts a participant; an existing key fails with [`StoreError::is_unique_violation`].
pub fn insert(conn: &mut DbConnection, new: &NewParticipant) -> Result<ParticipantRow, StoreError> {
    Ok(diesel::insert_into(participants::table)
        .values((
            participants::participant_key.eq(&new.participant_key),
            participants::scheme.eq(&new.scheme),
            participants::value.eq(&new.value),
            participants::owner_id.eq(new.owner_id),
            participants::extension.eq(&new.extension),
            participants::created_at.eq(new.created_at),
            participants::updated_at.eq(new.created_at),
        ))
        // The row's own columns: `lifecycle` belongs to the parking module.
        .returning((
            participants::id,
            participants::participant_key,
            participants::scheme,
            participants::value,
            participants::owner_id,
            participants::extension,
            participants::created_at,
            participants::updated_at,
            participants::sml_state,
            participants::sml_error,
        ))
        .get_result(conn)?)
}

pub fn get(conn: &mut DbConnection, id: i64) -> Result<Option<ParticipantRow>, StoreError> {
    Ok(participants::table
        .find(id)
        .select(ParticipantRow::as_select())
        .first(conn)
        .optional()?)
}

/// Exact lookup by the (already normalised) participant key.
pub fn get_by_key(
    conn: &mut DbConnection,
    participant_key: &str,
) -> Result<Option<ParticipantRow>, StoreError> {
    Ok(participants::table
        .filter(participants::participant_key.eq(participant_key))
        .select(ParticipantRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sets owner and extension. Returns whether the participant exists.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    owner_id: Option<i64>,
    extension: Option<&str>,
    updated_at: i64,
) -> Result<bool, StoreError> {
    Ok(diesel::update(participants::table.find(id))
        .set((
            participants::owner_id.eq(owner_id),
            participants::extension.eq(extension),
            participants::updated_at.eq(updated_at),
        ))
        .execute(conn)?
        > 0)
}

/// Marks the participant changed at `now`. Returns whether it exists.
pub fn touch(conn: &mut DbConnection, id: i64, now: i64) -> Result<bool, StoreError> {
    Ok(diesel::update(participants::table.find(id))
        .set(participants::updated_at.eq(now))
        .execute(conn)?
        > 0)
}

/// Deletes the participant with its services and business card. Returns whether it existed.
pub fn delete(conn: &mut DbConnection, id: i64) -> Result<bool, StoreError> {
    Ok(diesel::delete(participants::table.find(id)).execute(conn)? > 0)
}

/// One page of participants ordered by key, and the number of all that match.
pub fn list(
    conn: &mut DbConnection,
    query: &ParticipantQuery,
) -> Result<(Vec<ParticipantRow>, i64), StoreError> {
    let pattern = query.search.as_deref().map(like_pattern);
    let filtered = || {
        let mut q = participants::table.into_boxed();
        if let Some(pattern) = &pattern {
            q = q.filter(
                participants::participant_key
                    .like(pattern.clone())
                    .escape('\\'),
            );
        }
        if let Some(owner) = query.owner_id {
            q = q.filter(participants::owner_id.eq(owner));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let (offset, limit) = page(query.offset, query.limit);
    let rows = filtered()
        .order(participants::participant_key)
        .offset(offset)
        .limit(limit)
        .select(ParticipantRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(participants::table.count().get_result(conn)?)
}

/// Up to `limit` participants whose key sorts after `after_key` (byte order), in key
/// order: keyset paging for batch jobs. Start with `""`.
pub fn all_keys_after(
    conn: &mut DbConnection,
    after_key: &str,
    limit: i64,
) -> Result<Vec<ParticipantRow>, StoreError> {
    Ok(participants::table
        .filter(participants::participant_key.gt(after_key))
        .order(participants::participant_key)
        .limit(limit.max(0))
        .select(ParticipantRow::as_select())
        .load(conn)?)
}

/// `%search%` with LIKE's wildcards escaped, so user input only ever matches literally.
fn like_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Sets a participant's SML state; returns whether the participant exists.
pub fn set_sml_state(
    conn: &mut DbConnection,
    id: i64,
    state: &str,
    error: Option<&str>,
) -> Result<bool, StoreError> {
    Ok(diesel::update(participants::table.find(id))
        .set((
            participants::sml_state.eq(state),
            participants::sml_error.eq(error),
        ))
        .execute(conn)?
        > 0)
}

/// Every participant key with the given SML state, in key order (for reconciliation).
pub fn keys_with_sml_state(
    conn: &mut DbConnection,
    state: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(participants::table
        .filter(participants::sml_state.eq(state))
        .order(participants::participant_key)
        .select(participants::participant_key)
        .load(conn)?)
}
