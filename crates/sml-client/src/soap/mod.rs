//! The pure half of the client: every request envelope as bytes with its SOAPAction, and
//! every answer parsed into a value or an [`SmlError`](crate::SmlError). No I/O; the
//! [`SmlClient`](crate::SmlClient) only adds the HTTP round trip.
//!
//! Envelopes are SOAP 1.1, document/literal, with the prefixes of the Peppol samples
//! (`soapenv`, `lrs`, `ids`, `bdmsl`); the Body's child validates against the WSDLs' schemas.
//! Parsers take the HTTP status and the body and look for a fault first, whatever the status.

mod operation;
mod request;
mod response;

pub use operation::{Operation, Service};
pub use request::{
    MAX_LIST_PARTICIPANTS, SoapRequest, create_participant_request, create_participants_request,
    create_smp_request, delete_participant_request, delete_participants_request,
    delete_smp_request, exists_participant_request, is_alive_request, list_participants_request,
    migrate_request, prepare_change_certificate_request, prepare_to_migrate_request,
    read_smp_request, update_smp_request,
};
pub use response::{
    ListedParticipant, ParticipantPage, parse_empty_response, parse_exists_response,
    parse_list_response, parse_read_smp_response,
};

/// SOAP 1.1 envelope namespace.
pub const NS_SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The SML locator types (`lrs:`): every Body element except the BDMSL ones, and the faults.
pub const NS_LOCATOR: &str = "http://busdox.org/serviceMetadata/locator/1.0/";
/// The identifier types (`ids:ParticipantIdentifier`).
pub const NS_IDENTIFIERS: &str = "http://busdox.org/transport/identifiers/1.0/";
/// The BDMSL extension types (`bdmsl:`).
pub const NS_BDMSL: &str = "ec:services:wsdl:BDMSL:data:1.0";
