//! The publisher: every document a participant publishes is rendered, signed and stored
//! here, inside the caller's transaction (sign on write, serve stored bytes).

use peppol_id::{DocumentTypeId, ParticipantId};
use smp_store::DbConnection;
use smp_store::documents::{self, DocumentKey, DocumentKind};
use smp_store::participants::ParticipantRow;
use smp_store::services::ServiceRecord;
use smp_xml::ServiceMetadata;

use super::participant_id_of;
use crate::publication::{
    etag_of, render_business_card, render_service_group, render_service_metadata,
};
use crate::{Core, DomainError};

impl Core {
    /// Re-renders the ServiceGroup of a participant from its current services.
    pub fn publish_group(
        &self,
        conn: &mut DbConnection,
        row: &ParticipantRow,
        now: i64,
    ) -> Result<(), DomainError> {
        let pid = participant_id_of(row)?;
        let services = smp_store::services::list(conn, row.id)?;
        let bytes = render_service_group(&self.links, &pid, row.extension.as_ref(), &services)?;
        put_document(conn, service_group_key(&pid), &bytes, now)
    }

    /// Re-signs one service of a participant.
    pub fn publish_service(
        &self,
        conn: &mut DbConnection,
        pid: &ParticipantId,
        record: &ServiceRecord,
        now: i64,
    ) -> Result<(), DomainError> {
        let bytes = self.sign_service(pid, record)?;
        self.put_signed_service(conn, pid, record, &bytes, now)
    }

    /// The SignedServiceMetadata of `record`: pure CPU, safe to run on several threads and
    /// outside a transaction (bulk imports sign a batch on every core before writing).
    pub fn sign_service(
        &self,
        pid: &ParticipantId,
        record: &ServiceRecord,
    ) -> Result<Vec<u8>, DomainError> {
        render_service_metadata(&self.signer, pid, record)
    }

    /// The SignedServiceMetadata of a document a client sent, signed as parsed: the write
    /// path goes from the request's model to signed bytes without a detour through the
    /// stored strings (the same bytes the stored record renders to on republication).
    pub fn sign_model(&self, model: &ServiceMetadata) -> Result<Vec<u8>, DomainError> {
        smp_xml::sign_service_metadata(model, &self.signer).map_err(DomainError::Signing)
    }

    /// Stores signed bytes as the SignedServiceMetadata of `pid` for `doctype`.
    pub fn put_signed(
        &self,
        conn: &mut DbConnection,
        pid: &ParticipantId,
        doctype: &DocumentTypeId,
        signed: &[u8],
        now: i64,
    ) -> Result<(), DomainError> {
        put_document(conn, service_metadata_key(pid, doctype), signed, now)
    }

    /// Stores a service's SignedServiceMetadata made by [`sign_service`](Self::sign_service).
    pub fn put_signed_service(
        &self,
        conn: &mut DbConnection,
        pid: &ParticipantId,
        record: &ServiceRecord,
        signed: &[u8],
        now: i64,
    ) -> Result<(), DomainError> {
        let doctype = DocumentTypeId::new(&record.doctype_scheme, &record.doctype_value)
            .map_err(|e| DomainError::Corrupt(format!("stored document type: {e}")))?;
        put_document(conn, service_metadata_key(pid, &doctype), signed, now)
    }

    /// Re-renders and re-signs every document of a participant.
    pub fn publish_all(
        &self,
        conn: &mut DbConnection,
        row: &ParticipantRow,
        now: i64,
    ) -> Result<(), DomainError> {
        let pid = participant_id_of(row)?;
        for record in smp_store::services::list(conn, row.id)? {
            self.publish_service(conn, &pid, &record, now)?;
        }
        self.publish_group(conn, row, now)?;
        self.publish_business_card(conn, &pid, row.id, now)
    }

    /// Re-renders a participant's business card, if it has one.
    pub fn publish_business_card(
        &self,
        conn: &mut DbConnection,
        pid: &ParticipantId,
        participant_id: i64,
        now: i64,
    ) -> Result<(), DomainError> {
        if let Some(entities) = smp_store::business_cards::get(conn, participant_id)? {
            let bytes = render_business_card(pid, &entities)?;
            put_document(conn, business_card_key(pid), &bytes, now)?;
        }
        Ok(())
    }
}

/// The key of a participant's ServiceGroup document.
pub fn service_group_key(pid: &ParticipantId) -> DocumentKey {
    DocumentKey {
        participant_key: pid.key(),
        kind: DocumentKind::ServiceGroup,
        doc_key: String::new(),
    }
}

/// The key of a participant's SignedServiceMetadata for one document type.
pub fn service_metadata_key(pid: &ParticipantId, doctype: &DocumentTypeId) -> DocumentKey {
    DocumentKey {
        participant_key: pid.key(),
        kind: DocumentKind::ServiceMetadata,
        doc_key: doctype.key(),
    }
}

/// The key of a participant's business card.
pub fn business_card_key(pid: &ParticipantId) -> DocumentKey {
    DocumentKey {
        participant_key: pid.key(),
        kind: DocumentKind::BusinessCard,
        doc_key: String::new(),
    }
}

pub(crate) fn put_document(
    conn: &mut DbConnection,
    key: DocumentKey,
    bytes: &[u8],
    now: i64,
) -> Result<(), DomainError> {
    documents::put(conn, &key, bytes, &etag_of(bytes), now)?;
    Ok(())
}
