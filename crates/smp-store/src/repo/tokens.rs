//! API tokens (`tokens` table). Only hashes are stored; the caller hashes.

use diesel::prelude::*;

use crate::repo::users::UserRow;
use crate::schema::{tokens, users};
use crate::{DbConnection, StoreError};

/// A stored API token.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = tokens)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// Unique.
    pub token_hash: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// A token to insert.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = tokens)]
pub struct NewToken {
    pub user_id: i64,
    pub name: String,
    pub token_hash: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

/// Inserts a token. An unknown user fails with [`StoreError::is_foreign_key_violation`],
/// a hash already stored with [`StoreError::is_unique_violation`].
pub fn insert(conn: &mut DbConnection, new: &NewToken) -> Result<TokenRow, StoreError> {
    Ok(diesel::insert_into(tokens::table)
        .values(new)
        .returning(tokens::all_columns)
        .get_result(conn)?)
}

/// The token with this hash and its user. Expiry is not checked here: that is policy.
pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Option<(TokenRow, UserRow)>, StoreError> {
    Ok(tokens::table
        .inner_join(users::table)
        .filter(tokens::token_hash.eq(token_hash))
        .select((TokenRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()?)
}

/// The user's tokens, oldest first.
pub fn list_for_user(conn: &mut DbConnection, user_id: i64) -> Result<Vec<TokenRow>, StoreError> {
    Ok(tokens::table
        .filter(tokens::user_id.eq(user_id))
        .order(tokens::id)
        .select(TokenRow::as_select())
        .load(conn)?)
}

/// Returns whether the token existed.
pub fn delete(conn: &mut DbConnection, id: i64) -> Result<bool, StoreError> {
    Ok(diesel::delete(tokens::table.find(id)).execute(conn)? > 0)
}

/// Records a use of the token at `now`. Returns whether the token exists.
pub fn touch(conn: &mut DbConnection, id: i64, now: i64) -> Result<bool, StoreError> {
    Ok(diesel::update(tokens::table.find(id))
        .set(tokens::last_used_at.eq(now))
        .execute(conn)?
        > 0)
}
