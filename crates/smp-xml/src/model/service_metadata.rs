//! `smp:ServiceMetadata` and its parts.

use peppol_id::{DocumentTypeId, ParticipantId, ProcessId};

use crate::model::extension::Extension;

/// The content of a ServiceMetadata document: either the service information itself or a
/// redirect to another SMP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceMetadata {
    /// `smp:ServiceInformation`.
    Information(ServiceInformation),
    /// `smp:Redirect`.
    Redirect(Redirect),
}

/// How one participant receives one document type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceInformation {
    /// The receiving participant.
    pub participant: ParticipantId,
    /// The document type.
    pub document_type: DocumentTypeId,
    /// At least one process in a valid document.
    pub processes: Vec<Process>,
    /// Optional extension.
    pub extension: Option<Extension>,
}

/// A process and the endpoints that serve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    /// The process identifier.
    pub process: ProcessId,
    /// At least one endpoint in a valid document.
    pub endpoints: Vec<Endpoint>,
    /// Optional extension.
    pub extension: Option<Extension>,
}

/// One access point endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `@transportProfile`, e.g. `peppol-transport-as4-v2_0`.
    pub transport_profile: String,
    /// `wsa:EndpointReference/wsa:Address`.
    pub address: String,
    /// `RequireBusinessLevelSignature`.
    pub require_business_level_signature: bool,
    /// `MinimumAuthenticationLevel`.
    pub minimum_authentication_level: Option<String>,
    /// `ServiceActivationDate`, `xs:dateTime` lexical form (validated, kept as written).
    pub service_activation_date: Option<String>,
    /// `ServiceExpirationDate`, `xs:dateTime` lexical form (validated, kept as written).
    pub service_expiration_date: Option<String>,
    /// The access point certificate: base64 of the DER, whitespace removed, validated as X.509.
    pub certificate: String,
    /// `ServiceDescription` (may be empty).
    pub service_description: String,
    /// `TechnicalContactUrl` (a URL or an e-mail address in practice).
    pub technical_contact_url: String,
    /// `TechnicalInformationUrl`.
    pub technical_information_url: Option<String>,
    /// Optional extension.
    pub extension: Option<Extension>,
}

/// A redirect to another SMP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// `@href`: where the client must go.
    pub href: String,
    /// `CertificateUID`: subject unique identifier of the destination SMP's certificate.
    pub certificate_uid: String,
    /// Optional extension.
    pub extension: Option<Extension>,
}
