//! Service metadata writes, from phoss-style XML and from JSON capabilities.

use peppol_id::{DocumentTypeId, ParticipantId};
use smp_store::services::{self, EndpointRecord, ProcessRecord, RedirectRecord, ServiceRecord};
use smp_store::{documents, participants, profiles};
use smp_xml::{Endpoint, ServiceMetadata};

use crate::Participants;
use crate::capability::{CapabilitySpec, capability_ids, endpoint_record, merge_capability};
use crate::kernel::{existing, may_change, now_ms, record, service_metadata_key};
use crate::{Actor, DomainError};

impl Participants<'_> {
    /// PUT /{participant}/services/{doctype}: stores and signs the metadata (or redirect).
    /// Returns true when the document type is new for the participant.
    pub fn put_service_metadata(
        &self,
        actor: &Actor,
        url_participant: &ParticipantId,
        url_doctype: &DocumentTypeId,
        metadata: &ServiceMetadata,
    ) -> Result<bool, DomainError> {
        let record = service_record(url_participant, url_doctype, metadata)?;
        // Signing is pure CPU: done before the transaction, from the parsed model.
        let signed = self.core.sign_model(metadata)?;
        self.core.write(|conn, touched| {
            let now = now_ms();
            let row = existing(conn, url_participant)?;
            may_change(actor, &row)?;
            self.core.policy.check(conn, row.id, url_doctype)?;
            let is_new =
                services::get(conn, row.id, url_doctype.scheme(), url_doctype.value())?.is_none();
            // The participant's row before its services: the lock order of every write (see
            // `services::lock_participants_using_profile`).
            participants::touch(conn, row.id, now)?;
            services::replace(conn, row.id, &record, now)?;
            self.core
                .put_signed(conn, url_participant, url_doctype, &signed, now)?;
            self.core.publish_group(conn, &row, now)?;
            record_change(
                conn,
                touched,
                actor,
                "service_metadata.put",
                &row.participant_key,
                url_doctype,
                now,
            )?;
            Ok(is_new)
        })
    }

    /// DELETE /{participant}/services/{doctype}.
    pub fn delete_service_metadata(
        &self,
        actor: &Actor,
        pid: &ParticipantId,
        doctype: &DocumentTypeId,
    ) -> Result<(), DomainError> {
        self.core.write(|conn, touched| {
            let now = now_ms();
            let row = existing(conn, pid)?;
            may_change(actor, &row)?;
            // The participant's row before its services (lock order).
            participants::touch(conn, row.id, now)?;
            if !services::delete(conn, row.id, doctype.scheme(), doctype.value())? {
                return Err(DomainError::ServiceNotFound {
                    participant: pid.to_string(),
                    document_type: doctype.to_string(),
                });
            }
            documents::delete(conn, &service_metadata_key(pid, doctype))?;
            self.core.publish_group(conn, &row, now)?;
            record_change(
                conn,
                touched,
                actor,
                "service_metadata.delete",
                &row.participant_key,
                doctype,
                now,
            )
        })
    }

    /// Adds one capability (document type + process + endpoint) to a participant.
    pub fn add_capability(
        &self,
        actor: &Actor,
        pid: &ParticipantId,
        spec: &CapabilitySpec,
    ) -> Result<(), DomainError> {
        let (doctype, _) = capability_ids(spec)?;
        self.core.write(|conn, touched| {
            let now = now_ms();
            let row = existing(conn, pid)?;
            may_change(actor, &row)?;
            // The participant's row before its services (lock order).
            participants::touch(conn, row.id, now)?;
            self.apply_capability(conn, row.id, pid, spec, now)?;
            self.core.publish_group(conn, &row, now)?;
            record_change(
                conn,
                touched,
                actor,
                "capability.add",
                &row.participant_key,
                &doctype,
                now,
            )
        })
    }

    /// The service record `spec` gives a participant that has no service for its document
    /// type yet (what [`apply_capability`](Self::apply_capability) would store for it).
    pub fn fresh_service_record(
        &self,
        conn: &mut smp_store::DbConnection,
        spec: &CapabilitySpec,
    ) -> Result<ServiceRecord, DomainError> {
        let (doctype, process) = capability_ids(spec)?;
        let endpoint = resolve_endpoint(conn, spec)?;
        Ok(merge_capability(None, &doctype, &process, endpoint))
    }

    /// Gives a participant created in this transaction the service `record` (from
    /// [`fresh_service_record`](Self::fresh_service_record)) with its document already
    /// signed: the same policy check and rows as `apply_capability`.
    pub fn apply_presigned_service(
        &self,
        conn: &mut smp_store::DbConnection,
        participant_id: i64,
        pid: &ParticipantId,
        record: &ServiceRecord,
        signed: &[u8],
        now: i64,
    ) -> Result<(), DomainError> {
        let doctype = DocumentTypeId::new(&record.doctype_scheme, &record.doctype_value)?;
        self.core.policy.check(conn, participant_id, &doctype)?;
        services::replace(conn, participant_id, record, now)?;
        self.core.put_signed_service(conn, pid, record, signed, now)
    }

    /// Merges a capability into the participant's stored services and re-signs that service.
    pub fn apply_capability(
        &self,
        conn: &mut smp_store::DbConnection,
        participant_id: i64,
        pid: &ParticipantId,
        spec: &CapabilitySpec,
        now: i64,
    ) -> Result<(), DomainError> {
        let (doctype, process) = capability_ids(spec)?;
        self.core.policy.check(conn, participant_id, &doctype)?;
        let endpoint = resolve_endpoint(conn, spec)?;
        let current = services::get(conn, participant_id, doctype.scheme(), doctype.value())?;
        let merged = merge_capability(current, &doctype, &process, endpoint);
        services::replace(conn, participant_id, &merged, now)?;
        self.core.publish_service(conn, pid, &merged, now)
    }
}

/// The endpoint of a capability: inline, or copied from the named profile (and linked to it).
fn resolve_endpoint(
    conn: &mut smp_store::DbConnection,
    spec: &CapabilitySpec,
) -> Result<EndpointRecord, DomainError> {
    match (&spec.endpoint, &spec.endpoint_profile) {
        (Some(endpoint), None) => endpoint_record(endpoint, None),
        (None, Some(name)) => {
            let profile = profiles::get_by_name(conn, name)?
                .ok_or_else(|| DomainError::ProfileNotFound { name: name.clone() })?;
            Ok(crate::profiles::endpoint_from_profile(&profile))
        }
        _ => Err(DomainError::invalid(
            "capabilities",
            "give exactly one of `endpoint` and `endpointProfile`",
        )),
    }
}

fn record_change(
    conn: &mut smp_store::DbConnection,
    touched: &mut Vec<String>,
    actor: &Actor,
    action: &str,
    participant_key: &str,
    doctype: &DocumentTypeId,
    now: i64,
) -> Result<(), DomainError> {
    record(
        conn,
        touched,
        actor,
        action,
        Some(participant_key),
        Some(doctype.to_string()),
        now,
    )
}

/// The store form of a submitted ServiceMetadata, after checking it belongs at this URL.
fn service_record(
    url_participant: &ParticipantId,
    url_doctype: &DocumentTypeId,
    metadata: &ServiceMetadata,
) -> Result<ServiceRecord, DomainError> {
    let base = |extension: Option<&smp_xml::Extension>| ServiceRecord {
        doctype_scheme: url_doctype.scheme().to_owned(),
        doctype_value: url_doctype.value().to_owned(),
        redirect: None,
        extension: extension.map(|e| e.as_str().to_owned()),
        processes: Vec::new(),
    };
    match metadata {
        ServiceMetadata::Redirect(r) => {
            let mut record = base(r.extension.as_ref());
            record.redirect = Some(RedirectRecord {
                href: r.href.clone(),
                certificate_uid: r.certificate_uid.clone(),
            });
            Ok(record)
        }
        ServiceMetadata::Information(info) => {
            if info.participant != *url_participant {
                return Err(DomainError::ParticipantMismatch {
                    url: url_participant.to_string(),
                    body: info.participant.to_string(),
                });
            }
            if info.document_type != *url_doctype {
                return Err(DomainError::DocumentTypeMismatch {
                    url: url_doctype.to_string(),
                    body: info.document_type.to_string(),
                });
            }
            let mut record = base(info.extension.as_ref());
            record.processes = info
                .processes
                .iter()
                .map(|p| ProcessRecord {
                    scheme: p.process.scheme().to_owned(),
                    value: p.process.value().to_owned(),
                    extension: p.extension.as_ref().map(|e| e.as_str().to_owned()),
                    endpoints: p.endpoints.iter().map(endpoint_of).collect(),
                })
                .collect();
            Ok(record)
        }
    }
}

fn endpoint_of(e: &Endpoint) -> EndpointRecord {
    EndpointRecord {
        profile_id: None,
        transport_profile: e.transport_profile.clone(),
        endpoint_url: e.address.clone(),
        certificate: e.certificate.clone(),
        service_description: e.service_description.clone(),
        technical_contact_url: e.technical_contact_url.clone(),
        technical_information_url: e.technical_information_url.clone(),
        require_business_level_signature: e.require_business_level_signature,
        minimum_authentication_level: e.minimum_authentication_level.clone(),
        activation_date: e.service_activation_date.clone(),
        expiration_date: e.service_expiration_date.clone(),
        extension: e.extension.as_ref().map(|x| x.as_str().to_owned()),
    }
}
