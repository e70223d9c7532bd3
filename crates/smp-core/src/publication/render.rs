//! Store records → smp-xml documents → bytes.

use peppol_id::{DocumentTypeId, ParticipantId, ProcessId};
use smp_store::business_cards::EntityRecord;
use smp_store::services::{EndpointRecord, ServiceRecord};
use smp_xml::{
    BusinessCard, BusinessEntity, Contact, Endpoint, EntityIdentifier, Extension, Name, Process,
    Redirect, ServiceGroup, ServiceInformation, ServiceMetadata, SigningKey,
};

use super::Links;
use crate::DomainError;

fn corrupt(what: &str, e: impl std::fmt::Display) -> DomainError {
    DomainError::Corrupt(format!("{what}: {e}"))
}

fn extension(raw: Option<&String>) -> Result<Option<Extension>, DomainError> {
    raw.map(|x| Extension::parse(x).map_err(|e| corrupt("stored extension", e)))
        .transpose()
}

/// The ServiceGroup of a participant, with an absolute href per document type.
pub(crate) fn render_service_group(
    links: &Links,
    participant: &ParticipantId,
    participant_extension: Option<&String>,
    services: &[ServiceRecord],
) -> Result<Vec<u8>, DomainError> {
    let root = links.root();
    let mut references = Vec::with_capacity(services.len());
    for s in services {
        let doctype = DocumentTypeId::new(&s.doctype_scheme, &s.doctype_value)
            .map_err(|e| corrupt("stored document type", e))?;
        references.push(format!(
            "{root}/{}/services/{}",
            participant.path_segment(),
            doctype.path_segment()
        ));
    }
    let group = ServiceGroup {
        participant: participant.clone(),
        references,
        extension: extension(participant_extension)?,
    };
    Ok(smp_xml::write_service_group(&group))
}

/// The model of one service record, as it is signed.
pub(crate) fn service_model(
    participant: &ParticipantId,
    record: &ServiceRecord,
) -> Result<ServiceMetadata, DomainError> {
    if let Some(redirect) = &record.redirect {
        return Ok(ServiceMetadata::Redirect(Redirect {
            href: redirect.href.clone(),
            certificate_uid: redirect.certificate_uid.clone(),
            extension: extension(record.extension.as_ref())?,
        }));
    }
    let document_type = DocumentTypeId::new(&record.doctype_scheme, &record.doctype_value)
        .map_err(|e| corrupt("stored document type", e))?;
    let mut processes = Vec::with_capacity(record.processes.len());
    for p in &record.processes {
        let process =
            ProcessId::new(&p.scheme, &p.value).map_err(|e| corrupt("stored process", e))?;
        let endpoints = p
            .endpoints
            .iter()
            .map(endpoint_model)
            .collect::<Result<Vec<_>, _>>()?;
        processes.push(Process {
            process,
            endpoints,
            extension: extension(p.extension.as_ref())?,
        });
    }
    Ok(ServiceMetadata::Information(ServiceInformation {
        participant: participant.clone(),
        document_type,
        processes,
        extension: extension(record.extension.as_ref())?,
    }))
}

fn endpoint_model(e: &EndpointRecord) -> Result<Endpoint, DomainError> {
    Ok(Endpoint {
        transport_profile: e.transport_profile.clone(),
        address: e.endpoint_url.clone(),
        require_business_level_signature: e.require_business_level_signature,
        minimum_authentication_level: e.minimum_authentication_level.clone(),
        service_activation_date: e.activation_date.clone(),
        service_expiration_date: e.expiration_date.clone(),
        certificate: e.certificate.clone(),
        service_description: e.service_description.clone(),
        technical_contact_url: e.technical_contact_url.clone(),
        technical_information_url: e.technical_information_url.clone(),
        extension: extension(e.extension.as_ref())?,
    })
}

/// The SignedServiceMetadata bytes of one service record.
pub(crate) fn render_service_metadata(
    key: &SigningKey,
    participant: &ParticipantId,
    record: &ServiceRecord,
) -> Result<Vec<u8>, DomainError> {
    let model = service_model(participant, record)?;
    smp_xml::sign_service_metadata(&model, key).map_err(DomainError::Signing)
}

/// The business card bytes (Peppol Directory v3).
pub(crate) fn render_business_card(
    participant: &ParticipantId,
    entities: &[EntityRecord],
) -> Result<Vec<u8>, DomainError> {
    let entities = entities
        .iter()
        .map(entity_model)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(smp_xml::write_business_card(&BusinessCard {
        participant: participant.clone(),
        entities,
    }))
}

fn entity_model(e: &EntityRecord) -> Result<BusinessEntity, DomainError> {
    let names: Vec<(String, Option<String>)> = json(&e.names_json)?;
    let identifiers: Vec<(String, String)> = json(&e.identifiers_json)?;
    let contacts: Vec<[Option<String>; 4]> = json(&e.contacts_json)?;
    Ok(BusinessEntity {
        names: names
            .into_iter()
            .map(|(name, language)| Name { name, language })
            .collect(),
        country_code: e.country_code.clone(),
        geographical_information: e.geographical_information.clone(),
        identifiers: identifiers
            .into_iter()
            .map(|(scheme, value)| EntityIdentifier { scheme, value })
            .collect(),
        websites: json(&e.websites_json)?,
        contacts: contacts
            .into_iter()
            .map(|[contact_type, name, phone_number, email]| Contact {
                contact_type,
                name,
                phone_number,
                email,
            })
            .collect(),
        additional_information: e.additional_information.clone(),
        registration_date: e.registration_date.clone(),
    })
}

/// The store record of a business entity; lists are kept as JSON text.
pub fn entity_record(e: &BusinessEntity) -> EntityRecord {
    let names: Vec<(&String, &Option<String>)> =
        e.names.iter().map(|n| (&n.name, &n.language)).collect();
    let identifiers: Vec<(&String, &String)> = e
        .identifiers
        .iter()
        .map(|i| (&i.scheme, &i.value))
        .collect();
    let contacts: Vec<[&Option<String>; 4]> = e
        .contacts
        .iter()
        .map(|c| [&c.contact_type, &c.name, &c.phone_number, &c.email])
        .collect();
    EntityRecord {
        names_json: to_json(&names),
        country_code: e.country_code.clone(),
        geographical_information: e.geographical_information.clone(),
        identifiers_json: to_json(&identifiers),
        websites_json: to_json(&e.websites),
        contacts_json: to_json(&contacts),
        additional_information: e.additional_information.clone(),
        registration_date: e.registration_date.clone(),
    }
}

fn json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, DomainError> {
    serde_json::from_str(s).map_err(|e| corrupt("stored business card", e))
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    // Serialising plain strings and tuples cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| "[]".to_owned())
}
