//! Management users (`users` table).

use diesel::prelude::*;

use crate::schema::users;
use crate::{DbConnection, StoreError};

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    /// Unique, compared exactly.
    pub username: String,
    /// `None`: the user can only authenticate with tokens.
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub created_at: i64,
}

/// A user to insert.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub username: String,
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub created_at: i64,
}

/// Inserts a user; a taken username fails with [`StoreError::is_unique_violation`].
pub fn insert(conn: &mut DbConnection, new: &NewUser) -> Result<UserRow, StoreError> {
    Ok(diesel::insert_into(users::table)
        .values(new)
        .returning(users::all_columns)
        .get_result(conn)?)
}

pub fn get(conn: &mut DbConnection, id: i64) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// All users, ordered by username.
pub fn list(conn: &mut DbConnection) -> Result<Vec<UserRow>, StoreError> {
    Ok(users::table
        .order(users::username)
        .select(UserRow::as_select())
        .load(conn)?)
}

/// Deletes a user and its tokens; participants and profiles it owned keep existing
/// without owner. Returns whether the user existed.
pub fn delete(conn: &mut DbConnection, id: i64) -> Result<bool, StoreError> {
    Ok(diesel::delete(users::table.find(id)).execute(conn)? > 0)
}

/// Returns whether the user exists.
pub fn set_password_hash(
    conn: &mut DbConnection,
    id: i64,
    hash: Option<&str>,
) -> Result<bool, StoreError> {
    Ok(diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(conn)?
        > 0)
}

/// Returns whether the user exists.
pub fn set_admin(conn: &mut DbConnection, id: i64, is_admin: bool) -> Result<bool, StoreError> {
    Ok(diesel::update(users::table.find(id))
        .set(users::is_admin.eq(is_admin))
        .execute(conn)?
        > 0)
}

pub fn count_admins(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(users::table
        .filter(users::is_admin.eq(true))
        .count()
        .get_result(conn)?)
}
