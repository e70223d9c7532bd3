//! The JSON view of participants: create with capabilities, list, show.

use std::collections::HashMap;

use peppol_id::ParticipantId;
use smp_store::participants::{self, ParticipantQuery};
use smp_store::{DbConnection, audit, business_cards, profiles, services, users};

use crate::Participants;
use crate::events::{PARTICIPANT_REGISTERED, emit_participant};
use crate::kernel::{existing, may_change, now_ms, participant_id_of, record};
use crate::states::SmlState;
use crate::views::{
    AuditView, CapabilityView, ListParams, NewParticipant, Page, ParticipantSummary,
    ParticipantView, RedirectView, page_offset, rfc3339,
};
use crate::{Actor, DomainError};

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 1000;

impl Participants<'_> {
    /// Creates a participant with its capabilities in one transaction (all or nothing).
    pub fn create_participant(
        &self,
        actor: &Actor,
        request: &NewParticipant,
    ) -> Result<ParticipantView, DomainError> {
        let pid = ParticipantId::parse(request.participant.trim())?;
        for capability in &request.capabilities {
            crate::capability::capability_ids(capability)?;
        }
        let view = self.core.write(|conn, touched| {
            let now = now_ms();
            let owner_id = match &request.owner {
                Some(name) if name != &actor.username => {
                    actor.require_admin()?;
                    users::get_by_username(conn, name)?
                        .ok_or_else(|| DomainError::UserNotFound {
                            username: name.clone(),
                        })?
                        .id
                }
                _ => actor.user_id.get(),
            };
            if participants::get_by_key(conn, &pid.key())?.is_some() {
                return Err(DomainError::ParticipantExists {
                    participant: pid.to_string(),
                });
            }
            let row = participants::insert(
                conn,
                &participants::NewParticipant {
                    participant_key: pid.key(),
                    scheme: pid.scheme().to_owned(),
                    value: pid.value().to_owned(),
                    owner_id: Some(owner_id),
                    extension: None,
                    created_at: now,
                },
            )?;
            self.core.sml_sync().queue_create(
                conn,
                &row,
                request.create_in_sml.unwrap_or(true),
                now,
            )?;
            let row = participants::get(conn, row.id)?.ok_or_else(|| {
                DomainError::Corrupt("participant vanished inside its transaction".into())
            })?;
            for capability in &request.capabilities {
                self.apply_capability(conn, row.id, &pid, capability, now)?;
            }
            self.core.publish_group(conn, &row, now)?;
            // Last write of the transaction: on PostgreSQL it takes the event-order lock.
            emit_participant(conn, PARTICIPANT_REGISTERED, &row, now)?;
            record(
                conn,
                touched,
                actor,
                "participant.create",
                Some(&row.participant_key),
                None,
                now,
            )?;
            participant_view(conn, &row)
        })?;
        Ok(view)
    }

    /// Pages through participants; non-administrators see their own only.
    pub fn list_participants(
        &self,
        actor: &Actor,
        params: &ListParams,
    ) -> Result<Page<ParticipantSummary>, DomainError> {
        let offset = page_offset(params.offset)?;
        let limit = params.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let query = ParticipantQuery {
            search: params
                .search
                .as_ref()
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty()),
            owner_id: if actor.is_admin {
                None
            } else {
                actor.as_owner()
            },
            offset,
            limit,
        };
        self.core.store.read(|conn| {
            let (rows, total) = participants::list(conn, &query)?;
            let mut owners = OwnerNames::default();
            let items = rows
                .iter()
                .map(|row| {
                    Ok(ParticipantSummary {
                        participant: format!("{}::{}", row.scheme, row.value),
                        sml_state: SmlState::from_stored(&row.sml_state)?,
                        owner: owners.name(conn, row.owner_id)?,
                        created_at: rfc3339(row.created_at),
                        updated_at: rfc3339(row.updated_at),
                    })
                })
                .collect::<Result<Vec<_>, DomainError>>()?;
            Ok(Page {
                items,
                total,
                offset,
                limit,
            })
        })
    }

    /// One participant with its capabilities.
    pub fn participant(
        &self,
        actor: &Actor,
        pid: &ParticipantId,
    ) -> Result<ParticipantView, DomainError> {
        self.core.store.read(|conn| {
            let row = existing(conn, pid)?;
            may_change(actor, &row)?;
            participant_view(conn, &row)
        })
    }

    /// The audit trail (administrators), newest first.
    pub fn audit_log(
        &self,
        actor: &Actor,
        participant: Option<&ParticipantId>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AuditView>, DomainError> {
        actor.require_admin()?;
        let query = audit::AuditQuery {
            participant_key: participant.map(ParticipantId::key),
            offset: page_offset(Some(offset))?,
            limit: limit.clamp(1, MAX_PAGE),
        };
        let rows = self.core.store.read(|conn| audit::list(conn, &query))?;
        Ok(rows
            .into_iter()
            .map(|r| AuditView {
                at: rfc3339(r.at),
                actor: r.actor,
                action: r.action,
                participant: r.participant_key,
                target: r.target,
                detail: r.detail,
            })
            .collect())
    }
}

#[derive(Default)]
struct OwnerNames(HashMap<i64, String>);

impl OwnerNames {
    fn name(
        &mut self,
        conn: &mut DbConnection,
        id: Option<i64>,
    ) -> Result<Option<String>, DomainError> {
        let Some(id) = id else { return Ok(None) };
        if let Some(name) = self.0.get(&id) {
            return Ok(Some(name.clone()));
        }
        let name = users::get(conn, id)?.map(|u| u.username);
        if let Some(n) = &name {
            self.0.insert(id, n.clone());
        }
        Ok(name)
    }
}

pub fn participant_view(
    conn: &mut DbConnection,
    row: &participants::ParticipantRow,
) -> Result<ParticipantView, DomainError> {
    let pid = participant_id_of(row)?;
    let mut profile_names = HashMap::new();
    let mut capabilities = Vec::new();
    let mut redirects = Vec::new();
    for service in services::list(conn, row.id)? {
        let document_type = format!("{}::{}", service.doctype_scheme, service.doctype_value);
        if let Some(r) = service.redirect {
            redirects.push(RedirectView {
                document_type,
                href: r.href,
                certificate_uid: r.certificate_uid,
            });
            continue;
        }
        for process in &service.processes {
            for e in &process.endpoints {
                let endpoint_profile = match e.profile_id {
                    Some(id) => match profile_names.get(&id) {
                        Some(name) => Some(Clone::clone(name)),
                        None => {
                            let name = profiles::get(conn, id)?.map(|p| p.name);
                            if let Some(n) = &name {
                                profile_names.insert(id, n.clone());
                            }
                            name
                        }
                    },
                    None => None,
                };
                capabilities.push(CapabilityView {
                    document_type: document_type.clone(),
                    process: format!("{}::{}", process.scheme, process.value),
                    endpoint: crate::profiles::endpoint_spec(e),
                    endpoint_profile,
                });
            }
        }
    }
    let owner = match row.owner_id {
        Some(id) => users::get(conn, id)?.map(|u| u.username),
        None => None,
    };
    Ok(ParticipantView {
        participant: pid.to_string(),
        owner,
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
        capabilities,
        redirects,
        has_business_card: business_cards::get(conn, row.id)?.is_some(),
        sml_state: SmlState::from_stored(&row.sml_state)?,
        sml_error: row.sml_error.clone(),
    })
}
