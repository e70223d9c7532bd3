//! Capabilities as operators describe them (document type + process + endpoint), and how
//! they fold into the stored service tree.

use peppol_id::{DocumentTypeId, ProcessId, TransportProfile};
use serde::{Deserialize, Serialize};
use smp_store::services::{EndpointRecord, ProcessRecord, ServiceRecord};
use utoipa::ToSchema;

use crate::DomainError;
use crate::certificate::normalise_certificate;

/// An access point endpoint, inline or as the body of an endpoint profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointSpec {
    /// The AP's receiving URL (absolute http(s) URL; production Peppol requires https).
    pub url: String,
    /// Transport profile, e.g. `peppol-transport-as4-v2_0`.
    pub transport_profile: String,
    /// The AP certificate: base64 DER or PEM.
    pub certificate: String,
    /// Free text shown to senders.
    #[serde(default)]
    pub service_description: String,
    /// A URL or e-mail address for technical contact.
    #[serde(default)]
    pub technical_contact_url: String,
    /// Optional URL with technical information.
    #[serde(default)]
    pub technical_information_url: Option<String>,
    /// Whether senders must sign at business level (false in Peppol).
    #[serde(default)]
    pub require_business_level_signature: bool,
    /// Optional minimum authentication level.
    #[serde(default)]
    pub minimum_authentication_level: Option<String>,
    /// Optional xs:dateTime from which the endpoint is active.
    #[serde(default)]
    pub activation_date: Option<String>,
    /// Optional xs:dateTime after which the endpoint is no longer active.
    #[serde(default)]
    pub expiration_date: Option<String>,
}

/// One capability: this participant receives this document type in this process at this endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CapabilitySpec {
    /// `scheme::value`, e.g. `busdox-docid-qns::urn:oasis:...::2.1`.
    pub document_type: String,
    /// `scheme::value`, e.g. `cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0`.
    pub process: String,
    /// The endpoint, inline. Give this or `endpointProfile`.
    #[serde(default)]
    pub endpoint: Option<EndpointSpec>,
    /// The name of an endpoint profile. Give this or `endpoint`.
    #[serde(default)]
    pub endpoint_profile: Option<String>,
}

/// A checked endpoint, ready to store.
pub(crate) fn endpoint_record(
    spec: &EndpointSpec,
    profile_id: Option<i64>,
) -> Result<EndpointRecord, DomainError> {
    let url = spec.url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.len() < 10
        || url.contains(char::is_whitespace)
    {
        return Err(DomainError::invalid(
            "endpoint.url",
            format!("`{url}` is not an absolute http(s) URL"),
        ));
    }
    let profile = TransportProfile::new(spec.transport_profile.trim())?;
    for (field, value) in [
        ("activationDate", &spec.activation_date),
        ("expirationDate", &spec.expiration_date),
    ] {
        if let Some(v) = value {
            check_date_time(field, v)?;
        }
    }
    Ok(EndpointRecord {
        profile_id,
        transport_profile: profile.as_str().to_owned(),
        endpoint_url: url.to_owned(),
        certificate: normalise_certificate(&spec.certificate)?,
        service_description: spec.service_description.clone(),
        technical_contact_url: spec.technical_contact_url.clone(),
        technical_information_url: spec.technical_information_url.clone(),
        require_business_level_signature: spec.require_business_level_signature,
        minimum_authentication_level: spec.minimum_authentication_level.clone(),
        activation_date: spec.activation_date.clone(),
        expiration_date: spec.expiration_date.clone(),
        extension: None,
    })
}

/// xs:dateTime, with or without a time zone.
fn check_date_time(field: &str, v: &str) -> Result<(), DomainError> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let local = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    if time::OffsetDateTime::parse(v, &Rfc3339).is_ok()
        || time::PrimitiveDateTime::parse(v, local).is_ok()
    {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            format!("`{v}` is not an xs:dateTime such as 2026-01-31T00:00:00Z"),
        ))
    }
}

/// Parsed identifiers of a capability.
pub fn capability_ids(spec: &CapabilitySpec) -> Result<(DocumentTypeId, ProcessId), DomainError> {
    Ok((
        DocumentTypeId::parse(spec.document_type.trim())?,
        ProcessId::parse(spec.process.trim())?,
    ))
}

/// Adds one capability to a service record (or starts one): a capability with the same
/// process and transport profile replaces the old endpoint; a redirect is replaced.
pub(crate) fn merge_capability(
    existing: Option<ServiceRecord>,
    doctype: &DocumentTypeId,
    process: &ProcessId,
    endpoint: EndpointRecord,
) -> ServiceRecord {
    let mut record = match existing {
        Some(r) if r.redirect.is_none() => r,
        _ => ServiceRecord {
            doctype_scheme: doctype.scheme().to_owned(),
            doctype_value: doctype.value().to_owned(),
            redirect: None,
            extension: None,
            processes: Vec::new(),
        },
    };
    match record
        .processes
        .iter_mut()
        .find(|p| p.scheme == process.scheme() && p.value == process.value())
    {
        Some(p) => match p
            .endpoints
            .iter_mut()
            .find(|e| e.transport_profile == endpoint.transport_profile)
        {
            Some(slot) => *slot = endpoint,
            None => p.endpoints.push(endpoint),
        },
        None => record.processes.push(ProcessRecord {
            scheme: process.scheme().to_owned(),
            value: process.value().to_owned(),
            extension: None,
            endpoints: vec![endpoint],
        }),
    }
    record
}
