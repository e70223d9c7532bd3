//! Key/value settings (`settings` table), e.g. the fingerprint of the certificate
//! the published documents were signed with.

use diesel::prelude::*;

use crate::schema::settings;
use crate::upsert;
use crate::{DbConnection, StoreError};

pub fn get(conn: &mut DbConnection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()?)
}

/// Sets `key` to `value`, inserting or overwriting.
pub fn set(conn: &mut DbConnection, key: &str, value: &str) -> Result<(), StoreError> {
    upsert::setting(conn, key, value)?;
    Ok(())
}
