//! Endpoint profiles (`endpoint_profiles` table): named endpoint settings that
//! endpoints copy and stay linked to (see [`crate::services::sync_profile_endpoints`]).

use diesel::prelude::*;

use crate::schema::endpoint_profiles;
use crate::{DbConnection, StoreError};

/// A stored endpoint profile.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = endpoint_profiles)]
pub struct ProfileRow {
    pub id: i64,
    /// Unique.
    pub name: String,
    pub transport_profile: String,
    pub endpoint_url: String,
    pub certificate: String,
    pub service_description: String,
    pub technical_contact_url: String,
    pub technical_information_url: Option<String>,
    pub require_business_level_signature: bool,
    pub minimum_authentication_level: Option<String>,
    pub activation_date: Option<String>,
    pub expiration_date: Option<String>,
    pub owner_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A profile to insert; `updated_at` starts as `created_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProfile {
    pub name: String,
    pub transport_profile: String,
    pub endpoint_url: String,
    pub certificate: String,
    pub service_description: String,
    pub technical_contact_url: String,
    pub technical_information_url: Option<String>,
    pub require_business_level_signature: bool,
    pub minimum_authentication_level: Option<String>,
    pub activation_date: Option<String>,
    pub expiration_date: Option<String>,
    pub owner_id: Option<i64>,
    pub created_at: i64,
}

/// Inserts a profile; a taken name fails with [`StoreError::is_unique_violation`].
pub fn insert(conn: &mut DbConnection, new: &NewProfile) -> Result<ProfileRow, StoreError> {
    use endpoint_profiles as p;
    Ok(diesel::insert_into(p::table)
        .values((
            p::name.eq(&new.name),
            p::transport_profile.eq(&new.transport_profile),
            p::endpoint_url.eq(&new.endpoint_url),
            p::certificate.eq(&new.certificate),
            p::service_description.eq(&new.service_description),
            p::technical_contact_url.eq(&new.technical_contact_url),
            p::technical_information_url.eq(&new.technical_information_url),
            p::require_business_level_signature.eq(new.require_business_level_signature),
            p::minimum_authentication_level.eq(&new.minimum_authentication_level),
            p::activation_date.eq(&new.activation_date),
            p::expiration_date.eq(&new.expiration_date),
            p::owner_id.eq(new.owner_id),
            p::created_at.eq(new.created_at),
            p::updated_at.eq(new.created_at),
        ))
        .returning(p::all_columns)
        .get_result(conn)?)
}

pub fn get(conn: &mut DbConnection, id: i64) -> Result<Option<ProfileRow>, StoreError> {
    Ok(endpoint_profiles::table
        .find(id)
        .select(ProfileRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<ProfileRow>, StoreError> {
    Ok(endpoint_profiles::table
        .filter(endpoint_profiles::name.eq(name))
        .select(ProfileRow::as_select())
        .first(conn)
        .optional()?)
}

/// All profiles, ordered by name.
pub fn list(conn: &mut DbConnection) -> Result<Vec<ProfileRow>, StoreError> {
    Ok(endpoint_profiles::table
        .order(endpoint_profiles::name)
        .select(ProfileRow::as_select())
        .load(conn)?)
}

/// Overwrites every column but `id` and `created_at` with `row`'s values.
/// Returns whether the profile exists. Endpoints copied from it are not touched:
/// call [`crate::services::sync_profile_endpoints`] in the same transaction.
pub fn update(conn: &mut DbConnection, row: &ProfileRow) -> Result<bool, StoreError> {
    use endpoint_profiles as p;
    Ok(diesel::update(p::table.find(row.id))
        .set((
            p::name.eq(&row.name),
            p::transport_profile.eq(&row.transport_profile),
            p::endpoint_url.eq(&row.endpoint_url),
            p::certificate.eq(&row.certificate),
            p::service_description.eq(&row.service_description),
            p::technical_contact_url.eq(&row.technical_contact_url),
            p::technical_information_url.eq(&row.technical_information_url),
            p::require_business_level_signature.eq(row.require_business_level_signature),
            p::minimum_authentication_level.eq(&row.minimum_authentication_level),
            p::activation_date.eq(&row.activation_date),
            p::expiration_date.eq(&row.expiration_date),
            p::owner_id.eq(row.owner_id),
            p::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?
        > 0)
}

/// Deletes a profile. Returns whether it existed; a profile still used by endpoints
/// is kept and the call fails with [`StoreError::is_in_use`].
pub fn delete(conn: &mut DbConnection, id: i64) -> Result<bool, StoreError> {
    Ok(diesel::delete(endpoint_profiles::table.find(id)).execute(conn)? > 0)
}
