//! Peppol Directory business cards.

use peppol_id::ParticipantId;
use smp_store::{business_cards, documents};
use smp_xml::BusinessCard;

use crate::Participants;
use crate::kernel::{business_card_key, existing, may_change, now_ms, put_document, record};
use crate::publication::{entity_record, render_business_card};
use crate::{Actor, DomainError};

impl Participants<'_> {
    /// PUT /businesscard/{participant}: stores and publishes the card of a hosted participant.
    pub fn put_business_card(
        &self,
        actor: &Actor,
        url: &ParticipantId,
        card: &BusinessCard,
    ) -> Result<(), DomainError> {
        if card.participant != *url {
            return Err(DomainError::ParticipantMismatch {
                url: url.to_string(),
                body: card.participant.to_string(),
            });
        }
        let entities: Vec<_> = card.entities.iter().map(entity_record).collect();
        self.core.write(|conn, touched| {
            let now = now_ms();
            let row = existing(conn, url)?;
            may_change(actor, &row)?;
            store_business_card(conn, row.id, url, &entities, now)?;
            record(
                conn,
                touched,
                actor,
                "business_card.put",
                Some(&row.participant_key),
                None,
                now,
            )
        })
    }

    /// DELETE /businesscard/{participant}.
    pub fn delete_business_card(
        &self,
        actor: &Actor,
        pid: &ParticipantId,
    ) -> Result<(), DomainError> {
        self.core.write(|conn, touched| {
            let now = now_ms();
            let row = existing(conn, pid)?;
            may_change(actor, &row)?;
            if !business_cards::delete(conn, row.id)? {
                return Err(DomainError::BusinessCardNotFound {
                    participant: pid.to_string(),
                });
            }
            documents::delete(conn, &business_card_key(pid))?;
            record(
                conn,
                touched,
                actor,
                "business_card.delete",
                Some(&row.participant_key),
                None,
                now,
            )
        })
    }
}

/// Stores and publishes a participant's business card, in the caller's transaction.
pub fn store_business_card(
    conn: &mut smp_store::DbConnection,
    participant_id: i64,
    pid: &ParticipantId,
    entities: &[business_cards::EntityRecord],
    now: i64,
) -> Result<(), DomainError> {
    business_cards::replace(conn, participant_id, entities, now)?;
    let bytes = render_business_card(pid, entities)?;
    put_document(conn, business_card_key(pid), &bytes, now)
}
