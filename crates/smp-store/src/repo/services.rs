//! Services of a participant: one row per document type (`services`), its
//! processes (`processes`) and their endpoints (`endpoints`), read and written as
//! one [`ServiceRecord`] tree. Document-type identifiers are compared exactly
//! (case-sensitive), through the `doctype_key` column: `scheme::value`.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::repo::profiles::ProfileRow;
use crate::schema::{endpoints, participants, processes, services};
use crate::{DbConnection, StoreError};

/// A service: the document type and either a redirect or its processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    pub doctype_scheme: String,
    pub doctype_value: String,
    /// Set for a redirect to another SMP (then `processes` is empty).
    pub redirect: Option<RedirectRecord>,
    /// ServiceMetadata / ServiceInformation extension XML, verbatim.
    pub extension: Option<String>,
    /// In publication order.
    pub processes: Vec<ProcessRecord>,
}

/// Where a redirected service lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectRecord {
    pub href: String,
    pub certificate_uid: String,
}

/// A process of a service with its endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessRecord {
    pub scheme: String,
    pub value: String,
    pub extension: Option<String>,
    /// In publication order.
    pub endpoints: Vec<EndpointRecord>,
}

/// An endpoint of a process. With `profile_id` set, the copied columns follow the
/// profile (see [`sync_profile_endpoints`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointRecord {
    pub profile_id: Option<i64>,
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
    pub extension: Option<String>,
}

/// The `doctype_key` column: unique per participant.
fn doctype_key(scheme: &str, value: &str) -> String {
    format!("{scheme}::{value}")
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = services)]
struct ServiceDbRow {
    id: i64,
    doctype_scheme: String,
    doctype_value: String,
    redirect_href: Option<String>,
    redirect_certificate_uid: Option<String>,
    extension: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = processes)]
struct ProcessDbRow {
    id: i64,
    service_id: i64,
    scheme: String,
    value: String,
    extension: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = endpoints)]
struct EndpointDbRow {
    process_id: i64,
    profile_id: Option<i64>,
    transport_profile: String,
    endpoint_url: String,
    certificate: String,
    service_description: String,
    technical_contact_url: String,
    technical_information_url: Option<String>,
    require_business_level_signature: bool,
    minimum_authentication_level: Option<String>,
    activation_date: Option<String>,
    expiration_date: Option<String>,
    extension: Option<String>,
}

/// The endpoint columns copied from a profile.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = endpoints, treat_none_as_null = true)]
struct ProfileColumns {
    transport_profile: String,
    endpoint_url: String,
    certificate: String,
    service_description: String,
    technical_contact_url: String,
    technical_information_url: Option<String>,
    require_business_level_signature: bool,
    minimum_authentication_level: Option<String>,
    activation_date: Option<String>,
    expiration_date: Option<String>,
}

impl From<&ProfileRow> for ProfileColumns {
    fn from(p: &ProfileRow) -> Self {
        Self {
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
        }
    }
}

/// All services of a participant, ordered by document-type key; processes and
/// endpoints in the order they were written.
pub fn list(
    conn: &mut DbConnection,
    participant_id: i64,
) -> Result<Vec<ServiceRecord>, StoreError> {
    let rows: Vec<ServiceDbRow> = services::table
        .filter(services::participant_id.eq(participant_id))
        .order(services::doctype_key)
        .select(ServiceDbRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let (procs, ends) = children(conn, &ids)?;
    Ok(assemble(rows, procs, ends))
}

/// The processes and endpoints of the given services, in written order.
///
/// Looked up by id lists rather than joined to `services`: during a bulk load PostgreSQL's
/// statistics lag behind the table sizes, and the join was planned as a hash join over a
/// sequential scan of every process and endpoint, a cost that grows with the database.
/// `= ANY(ids)` always takes the `(parent, position)` indexes.
fn children(
    conn: &mut DbConnection,
    service_ids: &[i64],
) -> Result<(Vec<ProcessDbRow>, Vec<EndpointDbRow>), StoreError> {
    if service_ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let procs: Vec<ProcessDbRow> = processes::table
        .filter(processes::service_id.eq_any(service_ids))
        .order((processes::service_id, processes::position))
        .select(ProcessDbRow::as_select())
        .load(conn)?;
    let process_ids: Vec<i64> = procs.iter().map(|p| p.id).collect();
    if process_ids.is_empty() {
        return Ok((procs, Vec::new()));
    }
    let ends: Vec<EndpointDbRow> = endpoints::table
        .filter(endpoints::process_id.eq_any(&process_ids))
        .order((endpoints::process_id, endpoints::position))
        .select(EndpointDbRow::as_select())
        .load(conn)?;
    Ok((procs, ends))
}

/// One service of a participant, by exact document-type scheme and value.
pub fn get(
    conn: &mut DbConnection,
    participant_id: i64,
    doctype_scheme: &str,
    doctype_value: &str,
) -> Result<Option<ServiceRecord>, StoreError> {
    let Some(row) = services::table
        .filter(services::participant_id.eq(participant_id))
        .filter(services::doctype_key.eq(doctype_key(doctype_scheme, doctype_value)))
        .filter(services::doctype_scheme.eq(doctype_scheme))
        .filter(services::doctype_value.eq(doctype_value))
        .select(ServiceDbRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let (procs, ends) = children(conn, &[row.id])?;
    Ok(assemble(vec![row], procs, ends).pop())
}

fn assemble(
    rows: Vec<ServiceDbRow>,
    procs: Vec<ProcessDbRow>,
    ends: Vec<EndpointDbRow>,
) -> Vec<ServiceRecord> {
    let mut endpoints_by_process: HashMap<i64, Vec<EndpointRecord>> = HashMap::new();
    for e in ends {
        endpoints_by_process
            .entry(e.process_id)
            .or_default()
            .push(EndpointRecord {
                profile_id: e.profile_id,
                transport_profile: e.transport_profile,
                endpoint_url: e.endpoint_url,
                certificate: e.certificate,
                service_description: e.service_description,
                technical_contact_url: e.technical_contact_url,
                technical_information_url: e.technical_information_url,
                require_business_level_signature: e.require_business_level_signature,
                minimum_authentication_level: e.minimum_authentication_level,
                activation_date: e.activation_date,
                expiration_date: e.expiration_date,
                extension: e.extension,
            });
    }
    let mut processes_by_service: HashMap<i64, Vec<ProcessRecord>> = HashMap::new();
    for p in procs {
        processes_by_service
            .entry(p.service_id)
            .or_default()
            .push(ProcessRecord {
                scheme: p.scheme,
                value: p.value,
                extension: p.extension,
                endpoints: endpoints_by_process.remove(&p.id).unwrap_or_default(),
            });
    }
    rows.into_iter()
        .map(|s| ServiceRecord {
            processes: processes_by_service.remove(&s.id).unwrap_or_default(),
            redirect: match (s.redirect_href, s.redirect_certificate_uid) {
                (Some(href), Some(certificate_uid)) => Some(RedirectRecord {
                    href,
                    certificate_uid,
                }),
                _ => None,
            },
            doctype_scheme: s.doctype_scheme,
            doctype_value: s.doctype_value,
            extension: s.extension,
        })
        .collect()
}

/// Replaces the participant's service for `record`'s document type (if any) by
/// `record`, processes and endpoints in the given order. Runs in a (nested)
/// transaction, so it never leaves half a tree. An unknown participant or profile
/// fails with [`StoreError::is_foreign_key_violation`].
pub fn replace(
    conn: &mut DbConnection,
    participant_id: i64,
    record: &ServiceRecord,
    now: i64,
) -> Result<(), StoreError> {
    let key = doctype_key(&record.doctype_scheme, &record.doctype_value);
    conn.transaction(|conn| {
        let existing = services::table
            .filter(services::participant_id.eq(participant_id))
            .filter(services::doctype_key.eq(&key));
        let created_at: Option<i64> = existing
            .select(services::created_at)
            .first(conn)
            .optional()?;
        diesel::delete(existing).execute(conn)?;
        let service_id: i64 = diesel::insert_into(services::table)
            .values((
                services::participant_id.eq(participant_id),
                services::doctype_scheme.eq(&record.doctype_scheme),
                services::doctype_value.eq(&record.doctype_value),
                services::doctype_key.eq(&key),
                services::redirect_href.eq(record.redirect.as_ref().map(|r| &r.href)),
                services::redirect_certificate_uid
                    .eq(record.redirect.as_ref().map(|r| &r.certificate_uid)),
                services::extension.eq(&record.extension),
                services::created_at.eq(created_at.unwrap_or(now)),
                services::updated_at.eq(now),
            ))
            .returning(services::id)
            .get_result(conn)?;
        for (position, process) in (0_i64..).zip(&record.processes) {
            let process_id: i64 = diesel::insert_into(processes::table)
                .values((
                    processes::service_id.eq(service_id),
                    processes::position.eq(position),
                    processes::scheme.eq(&process.scheme),
                    processes::value.eq(&process.value),
                    processes::extension.eq(&process.extension),
                ))
                .returning(processes::id)
                .get_result(conn)?;
            for (position, e) in (0_i64..).zip(&process.endpoints) {
                diesel::insert_into(endpoints::table)
                    .values((
                        (
                            endpoints::process_id.eq(process_id),
                            endpoints::position.eq(position),
                            endpoints::profile_id.eq(e.profile_id),
                            endpoints::transport_profile.eq(&e.transport_profile),
                            endpoints::endpoint_url.eq(&e.endpoint_url),
                            endpoints::certificate.eq(&e.certificate),
                            endpoints::service_description.eq(&e.service_description),
                        ),
                        (
                            endpoints::technical_contact_url.eq(&e.technical_contact_url),
                            endpoints::technical_information_url.eq(&e.technical_information_url),
                            endpoints::require_business_level_signature
                                .eq(e.require_business_level_signature),
                            endpoints::minimum_authentication_level
                                .eq(&e.minimum_authentication_level),
                            endpoints::activation_date.eq(&e.activation_date),
                            endpoints::expiration_date.eq(&e.expiration_date),
                            endpoints::extension.eq(&e.extension),
                        ),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

/// Deletes one service with its processes and endpoints. Returns whether it existed.
pub fn delete(
    conn: &mut DbConnection,
    participant_id: i64,
    doctype_scheme: &str,
    doctype_value: &str,
) -> Result<bool, StoreError> {
    Ok(diesel::delete(
        services::table
            .filter(services::participant_id.eq(participant_id))
            .filter(services::doctype_key.eq(doctype_key(doctype_scheme, doctype_value)))
            .filter(services::doctype_scheme.eq(doctype_scheme))
            .filter(services::doctype_value.eq(doctype_value)),
    )
    .execute(conn)?
        > 0)
}

/// Ids of the participants with at least one endpoint linked to the profile, ascending.
pub fn participants_using_profile(
    conn: &mut DbConnection,
    profile_id: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(endpoints::table
        .inner_join(processes::table.inner_join(services::table))
        .filter(endpoints::profile_id.eq(profile_id))
        .select(services::participant_id)
        .distinct()
        .order(services::participant_id)
        .load(conn)?)
}

/// Locks the participant rows of every user of the profile, in id order, and returns their
/// ids. Writes about a participant lock its row before its services and endpoints (a
/// delete removes the row, then the database cascades to the children); a profile change
/// writes endpoints of many participants, so it takes their rows first, in a fixed order,
/// or it deadlocks with a concurrent delete. PostgreSQL only: on SQLite the write
/// transaction already holds the database's write lock.
pub fn lock_participants_using_profile(
    conn: &mut DbConnection,
    profile_id: i64,
) -> Result<Vec<i64>, StoreError> {
    let users = participants_using_profile(conn, profile_id)?;
    match conn {
        DbConnection::Postgresql(pg) if !users.is_empty() => Ok(participants::table
            .filter(participants::id.eq_any(&users))
            .order(participants::id)
            .select(participants::id)
            .for_update()
            .load(pg)?),
        _ => Ok(users),
    }
}

/// Copies the profile's endpoint columns into every endpoint linked to it. Returns
/// how many endpoints actually changed (0 when all were up to date), so callers know
/// whether documents need re-publishing.
pub fn sync_profile_endpoints(
    conn: &mut DbConnection,
    profile: &ProfileRow,
) -> Result<usize, StoreError> {
    let wanted = ProfileColumns::from(profile);
    conn.transaction(|conn| {
        let linked: Vec<(i64, ProfileColumns)> = endpoints::table
            .filter(endpoints::profile_id.eq(profile.id))
            .order(endpoints::id)
            .select((endpoints::id, ProfileColumns::as_select()))
            .load(conn)?;
        let mut changed = 0;
        for (id, current) in linked {
            if current != wanted {
                changed += diesel::update(endpoints::table.find(id))
                    .set(&wanted)
                    .execute(conn)?;
            }
        }
        Ok(changed)
    })
}
