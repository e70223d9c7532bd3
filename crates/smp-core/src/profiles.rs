//! Endpoint profiles: one AP endpoint shared by many participants. Changing a profile
//! re-signs every participant that uses it, in the same transaction.

use smp_store::participants;
use smp_store::profiles::{self, NewProfile, ProfileRow};
use smp_store::services::{self, EndpointRecord};

use crate::capability::{EndpointSpec, endpoint_record};
use crate::kernel::{now_ms, record};
use crate::views::{ProfileSpec, ProfileUpdate, ProfileView, rfc3339};
use crate::{Actor, Core, DomainError};

/// The endpoint profiles service; see [`Core::profiles`].
pub struct Profiles<'a> {
    pub(crate) core: &'a Core,
}

impl Profiles<'_> {
    /// Creates an endpoint profile owned by the caller.
    pub fn create_profile(
        &self,
        actor: &Actor,
        spec: &ProfileSpec,
    ) -> Result<ProfileView, DomainError> {
        let name = checked_name(&spec.name)?;
        let endpoint = endpoint_record(&spec.endpoint, None)?;
        self.core.write(|conn, touched| {
            let now = now_ms();
            if profiles::get_by_name(conn, &name)?.is_some() {
                return Err(DomainError::ProfileExists { name: name.clone() });
            }
            let row = profiles::insert(
                conn,
                &NewProfile {
                    name: name.clone(),
                    transport_profile: endpoint.transport_profile,
                    endpoint_url: endpoint.endpoint_url,
                    certificate: endpoint.certificate,
                    service_description: endpoint.service_description,
                    technical_contact_url: endpoint.technical_contact_url,
                    technical_information_url: endpoint.technical_information_url,
                    require_business_level_signature: endpoint.require_business_level_signature,
                    minimum_authentication_level: endpoint.minimum_authentication_level,
                    activation_date: endpoint.activation_date,
                    expiration_date: endpoint.expiration_date,
                    owner_id: actor.as_owner(),
                    created_at: now,
                },
            )?;
            record(
                conn,
                touched,
                actor,
                "profile.create",
                None,
                Some(name.clone()),
                now,
            )?;
            Ok(profile_view(&row))
        })
    }

    /// All endpoint profiles.
    pub fn list_profiles(&self) -> Result<Vec<ProfileView>, DomainError> {
        let rows = self.core.store.read(profiles::list)?;
        Ok(rows.iter().map(profile_view).collect())
    }

    /// One endpoint profile.
    pub fn profile(&self, name: &str) -> Result<ProfileView, DomainError> {
        let row = self
            .core
            .store
            .read(|conn| profiles::get_by_name(conn, name))?;
        row.map(|r| profile_view(&r))
            .ok_or_else(|| DomainError::ProfileNotFound {
                name: name.to_owned(),
            })
    }

    /// Changes a profile and re-signs every participant that uses it, in one transaction.
    pub fn update_profile(
        &self,
        actor: &Actor,
        name: &str,
        spec: &EndpointSpec,
    ) -> Result<ProfileUpdate, DomainError> {
        let endpoint = endpoint_record(spec, None)?;
        self.core.write(|conn, touched| {
            let now = now_ms();
            let current =
                profiles::get_by_name(conn, name)?.ok_or_else(|| DomainError::ProfileNotFound {
                    name: name.to_owned(),
                })?;
            may_change_profile(actor, &current)?;
            let updated = ProfileRow {
                transport_profile: endpoint.transport_profile,
                endpoint_url: endpoint.endpoint_url,
                certificate: endpoint.certificate,
                service_description: endpoint.service_description,
                technical_contact_url: endpoint.technical_contact_url,
                technical_information_url: endpoint.technical_information_url,
                require_business_level_signature: endpoint.require_business_level_signature,
                minimum_authentication_level: endpoint.minimum_authentication_level,
                activation_date: endpoint.activation_date,
                expiration_date: endpoint.expiration_date,
                updated_at: now,
                ..current
            };
            profiles::update(conn, &updated)?;
            // Every user's participant row first, in id order, then their endpoints: the
            // order a participant delete takes (row, then cascaded children). Endpoints
            // first deadlocked with concurrent deletes on PostgreSQL (found by bench/soak).
            services::lock_participants_using_profile(conn, updated.id)?;
            services::sync_profile_endpoints(conn, &updated)?;
            let users = services::participants_using_profile(conn, updated.id)?;
            for participant_id in &users {
                let row = participants::get(conn, *participant_id)?.ok_or_else(|| {
                    DomainError::Corrupt(format!(
                        "endpoint of missing participant {participant_id}"
                    ))
                })?;
                self.core.publish_all(conn, &row, now)?;
                participants::touch(conn, row.id, now)?;
                smp_store::changes::record(conn, &row.participant_key, now)?;
                touched.push(row.participant_key.clone());
            }
            record(
                conn,
                touched,
                actor,
                "profile.update",
                None,
                Some(name.to_owned()),
                now,
            )?;
            Ok(ProfileUpdate {
                profile: profile_view(&updated),
                resigned_participants: users.len(),
            })
        })
    }

    /// Deletes an unused profile.
    pub fn delete_profile(&self, actor: &Actor, name: &str) -> Result<(), DomainError> {
        self.core.write(|conn, touched| {
            let now = now_ms();
            let row =
                profiles::get_by_name(conn, name)?.ok_or_else(|| DomainError::ProfileNotFound {
                    name: name.to_owned(),
                })?;
            may_change_profile(actor, &row)?;
            let users = services::participants_using_profile(conn, row.id)?;
            if !users.is_empty() {
                return Err(DomainError::ProfileInUse {
                    name: name.to_owned(),
                    participants: users.len(),
                });
            }
            profiles::delete(conn, row.id)?;
            record(
                conn,
                touched,
                actor,
                "profile.delete",
                None,
                Some(name.to_owned()),
                now,
            )
        })
    }
}

fn may_change_profile(actor: &Actor, row: &ProfileRow) -> Result<(), DomainError> {
    if actor.is_admin || row.owner_id == actor.as_owner() {
        Ok(())
    } else {
        Err(DomainError::NotOwner {
            participant: format!("endpoint profile {}", row.name),
        })
    }
}

fn checked_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(DomainError::invalid(
            "name",
            "use 1-64 characters from A-Z a-z 0-9 - _ .",
        ))
    }
}

/// The endpoint columns a capability copies from a profile.
pub(super) fn endpoint_from_profile(p: &ProfileRow) -> EndpointRecord {
    EndpointRecord {
        profile_id: Some(p.id),
        transport_profile: p.transport_profile.clone(),
        endpoint_url: p.endpoint_url.clone(),
        certificate: p.certificate.clone(),
        service_description: p.service_description.clone(),
        technical_contact_url: p.technical_contact_url.clone(),
        technical_information_url: p.technical_information_url.clone(),
        require_business_level_signature: p.require_business_level_signature,
        minimum_authentication_level: p.minimum_authentication_level.clone(),
        activation_date: p.activation_date.clone(),
        expiration_date: p.expiration_date.clone(),
        extension: None,
    }
}

/// The JSON form of a stored endpoint.
pub(super) fn endpoint_spec(e: &EndpointRecord) -> EndpointSpec {
    EndpointSpec {
        url: e.endpoint_url.clone(),
        transport_profile: e.transport_profile.clone(),
        certificate: e.certificate.clone(),
        service_description: e.service_description.clone(),
        technical_contact_url: e.technical_contact_url.clone(),
        technical_information_url: e.technical_information_url.clone(),
        require_business_level_signature: e.require_business_level_signature,
        minimum_authentication_level: e.minimum_authentication_level.clone(),
        activation_date: e.activation_date.clone(),
        expiration_date: e.expiration_date.clone(),
    }
}

fn profile_view(p: &ProfileRow) -> ProfileView {
    ProfileView {
        name: p.name.clone(),
        endpoint: endpoint_spec(&endpoint_from_profile(p)),
        created_at: rfc3339(p.created_at),
        updated_at: rfc3339(p.updated_at),
    }
}
