//! phoss-compatible ServiceGroup writes: PUT creates or updates, DELETE removes everything.

use peppol_id::ParticipantId;
use smp_store::participants::{self, NewParticipant};
use smp_store::{business_cards, documents};
use smp_xml::ServiceGroup;

use crate::Participants;
use crate::events::{PARTICIPANT_DELETED, PARTICIPANT_REGISTERED, emit_participant};
use crate::kernel::{existing, may_change, now_ms, record};
use crate::{Actor, DomainError};

impl Participants<'_> {
    /// PUT /{participant}: creates the participant (owned by the caller) or updates its
    /// ServiceGroup extension. The references in the body are ignored: Ferry lists the
    /// document types it actually publishes. Returns true when created. A new participant
    /// is queued for SML registration unless `register_in_sml` is false (the phoss
    /// `?create-in-sml=false` flag).
    pub fn put_service_group(
        &self,
        actor: &Actor,
        url: &ParticipantId,
        group: &ServiceGroup,
        register_in_sml: bool,
    ) -> Result<bool, DomainError> {
        if group.participant != *url {
            return Err(DomainError::ParticipantMismatch {
                url: url.to_string(),
                body: group.participant.to_string(),
            });
        }
        let extension = group.extension.as_ref().map(|e| e.as_str().to_owned());
        self.core.write(|conn, touched| {
            let now = now_ms();
            let key = url.key();
            let (row, created) = match participants::get_by_key(conn, &key)? {
                Some(row) => {
                    may_change(actor, &row)?;
                    participants::update(conn, row.id, row.owner_id, extension.as_deref(), now)?;
                    let row = participants::get(conn, row.id)?.ok_or_else(|| {
                        DomainError::Corrupt("participant vanished inside its transaction".into())
                    })?;
                    (row, false)
                }
                None => {
                    let row = participants::insert(
                        conn,
                        &NewParticipant {
                            participant_key: key.clone(),
                            scheme: url.scheme().to_owned(),
                            value: url.value().to_owned(),
                            owner_id: actor.as_owner(),
                            extension: extension.clone(),
                            created_at: now,
                        },
                    )?;
                    self.core
                        .sml_sync()
                        .queue_create(conn, &row, register_in_sml, now)?;
                    (row, true)
                }
            };
            self.core.publish_group(conn, &row, now)?;
            let action = if created {
                "participant.create"
            } else {
                "service_group.put"
            };
            record(conn, touched, actor, action, Some(&key), None, now)?;
            if created {
                // Last write of the transaction: on PostgreSQL it takes the event-order lock.
                emit_participant(conn, PARTICIPANT_REGISTERED, &row, now)?;
            }
            Ok(created)
        })
    }

    /// DELETE /{participant}: removes the participant, its services, business card and
    /// every published document.
    pub fn delete_participant(
        &self,
        actor: &Actor,
        pid: &ParticipantId,
    ) -> Result<(), DomainError> {
        self.core.write(|conn, touched| {
            let now = now_ms();
            let row = existing(conn, pid)?;
            may_change(actor, &row)?;
            business_cards::delete(conn, row.id)?;
            participants::delete(conn, row.id)?;
            self.core.sml_sync().queue_delete(conn, &row, now)?;
            emit_participant(conn, PARTICIPANT_DELETED, &row, now)?;
            documents::delete_for_participant(conn, &row.participant_key)?;
            record(
                conn,
                touched,
                actor,
                "participant.delete",
                Some(&row.participant_key),
                None,
                now,
            )
        })
    }
}
