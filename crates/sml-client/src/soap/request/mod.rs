//! Request envelopes, one builder per operation.

use peppol_id::ParticipantId;

use super::operation::Operation;
use super::{NS_BDMSL, NS_IDENTIFIERS, NS_LOCATOR, NS_SOAP_ENV};
use crate::error::SmlError;
use crate::migration_key::MigrationKey;
use crate::smp_entry::SmpEntry;
use crate::xml::{escape, is_xml_text};

/// CreateList and DeleteList take at most this many participants per call.
pub const MAX_LIST_PARTICIPANTS: usize = 100;

/// A request ready to send: POST `envelope` to `{base}/{operation.service().path()}` with
/// `Content-Type: text/xml; charset=utf-8` and `SOAPAction: {operation.soap_action_header()}`.
#[derive(Clone, PartialEq, Eq)]
pub struct SoapRequest {
    /// Which operation this is.
    pub operation: Operation,
    /// The complete SOAP envelope, UTF-8.
    pub envelope: Vec<u8>,
}

impl std::fmt::Debug for SoapRequest {
    // Migration keys travel in envelopes: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoapRequest")
            .field("operation", &self.operation)
            .field("envelope_bytes", &self.envelope.len())
            .finish()
    }
}

fn envelope(operation: Operation, body: &str) -> SoapRequest {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <soapenv:Envelope xmlns:soapenv=\"{NS_SOAP_ENV}\"><soapenv:Header/><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    );
    SoapRequest {
        operation,
        envelope: xml.into_bytes(),
    }
}

/// The SMP ID as sent in every request: non-empty, no whitespace or control characters. The
/// full DNS-label rule is checked only when the SMP entry is created or updated, so that an
/// SMP registered under an older, laxer rule can still be managed.
fn checked_smp_id(smp_id: &str) -> Result<String, SmlError> {
    if smp_id.is_empty()
        || !is_xml_text(smp_id)
        || smp_id.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(SmlError::invalid(
            "smp_id",
            format!("{smp_id:?} is empty or contains whitespace or control characters"),
        ));
    }
    Ok(escape(smp_id))
}

fn smp_id_element(smp_id: &str) -> Result<String, SmlError> {
    Ok(format!(
        "<lrs:ServiceMetadataPublisherID>{}</lrs:ServiceMetadataPublisherID>",
        checked_smp_id(smp_id)?
    ))
}

fn participant_element(p: &ParticipantId) -> String {
    format!(
        "<ids:ParticipantIdentifier scheme=\"{}\">{}</ids:ParticipantIdentifier>",
        escape(p.scheme()),
        escape(p.value())
    )
}

fn smp_service(
    operation: Operation,
    element: &str,
    entry: &SmpEntry,
) -> Result<SoapRequest, SmlError> {
    entry.validate()?;
    let body = format!(
        "<lrs:{element} xmlns:lrs=\"{NS_LOCATOR}\"><lrs:PublisherEndpoint><lrs:LogicalAddress>{}</lrs:LogicalAddress><lrs:PhysicalAddress>{}</lrs:PhysicalAddress></lrs:PublisherEndpoint>{}</lrs:{element}>",
        escape(&entry.logical_address),
        escape(&entry.physical_address),
        smp_id_element(&entry.smp_id)?,
    );
    Ok(envelope(operation, &body))
}

/// ManageServiceMetadataService Create: registers the SMP (`CreateServiceMetadataPublisherService`).
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] if the entry fails [`SmpEntry::validate`].
pub fn create_smp_request(entry: &SmpEntry) -> Result<SoapRequest, SmlError> {
    smp_service(
        Operation::CreateSmp,
        "CreateServiceMetadataPublisherService",
        entry,
    )
}

/// ManageServiceMetadataService Update: changes the SMP's addresses
/// (`UpdateServiceMetadataPublisherService`).
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] if the entry fails [`SmpEntry::validate`].
pub fn update_smp_request(entry: &SmpEntry) -> Result<SoapRequest, SmlError> {
    smp_service(
        Operation::UpdateSmp,
        "UpdateServiceMetadataPublisherService",
        entry,
    )
}

/// ManageServiceMetadataService Read (`ReadServiceMetadataPublisherService`). The schema
/// requires a whole entry; the endpoint children are sent empty, as the SML only reads the ID.
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] for an empty SMP ID or one with whitespace.
pub fn read_smp_request(smp_id: &str) -> Result<SoapRequest, SmlError> {
    let body = format!(
        "<lrs:ReadServiceMetadataPublisherService xmlns:lrs=\"{NS_LOCATOR}\"><lrs:PublisherEndpoint><lrs:LogicalAddress></lrs:LogicalAddress><lrs:PhysicalAddress></lrs:PhysicalAddress></lrs:PublisherEndpoint>{}</lrs:ReadServiceMetadataPublisherService>",
        smp_id_element(smp_id)?
    );
    Ok(envelope(Operation::ReadSmp, &body))
}

/// ManageServiceMetadataService Delete: the body is the bare `ServiceMetadataPublisherID`.
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] for an empty SMP ID or one with whitespace.
pub fn delete_smp_request(smp_id: &str) -> Result<SoapRequest, SmlError> {
    let body = format!(
        "<lrs:ServiceMetadataPublisherID xmlns:lrs=\"{NS_LOCATOR}\">{}</lrs:ServiceMetadataPublisherID>",
        checked_smp_id(smp_id)?
    );
    Ok(envelope(Operation::DeleteSmp, &body))
}

fn for_participant(
    operation: Operation,
    element: &str,
    smp_id: &str,
    p: &ParticipantId,
) -> Result<SoapRequest, SmlError> {
    let body = format!(
        "<lrs:{element} xmlns:lrs=\"{NS_LOCATOR}\" xmlns:ids=\"{NS_IDENTIFIERS}\">{}{}</lrs:{element}>",
        smp_id_element(smp_id)?,
        participant_element(p),
    );
    Ok(envelope(operation, &body))
}

/// ManageBusinessIdentifierService Create (`CreateParticipantIdentifier`).
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] for an empty SMP ID or one with whitespace.
pub fn create_participant_request(
    smp_id: &str,
    p: &ParticipantId,
) -> Result<SoapRequest, SmlError> {
    for_participant(
        Operation::CreateParticipant,
        "CreateParticipantIdentifier",
        smp_id,
        p,
    )
}

/// ManageBusinessIdentifierService Delete (`DeleteParticipantIdentifier`).
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] for an empty SMP ID or one with whitespace.
pub fn delete_participant_request(
    smp_id: &str,
    p: &ParticipantId,
) -> Result<SoapRequest, SmlError> {
    for_participant(
        Operation::DeleteParticipant,
        "DeleteParticipantIdentifier",
        smp_id,
        p,
    )
}

fn participant_list(
    operation: Operation,
    element: &str,
    smp_id: &str,
    ps: &[ParticipantId],
) -> Result<SoapRequest, SmlError> {
    if ps.len() > MAX_LIST_PARTICIPANTS {
        return Err(SmlError::TooManyParticipants {
            max: MAX_LIST_PARTICIPANTS,
            got: ps.len(),
        });
    }
    let participants: String = ps.iter().map(participant_element).collect();
    let body = format!(
        "<lrs:{element} xmlns:lrs=\"{NS_LOCATOR}\" xmlns:ids=\"{NS_IDENTIFIERS}\">{participants}{}</lrs:{element}>",
        smp_id_element(smp_id)?,
    );
    Ok(envelope(operation, &body))
}

/// ManageBusinessIdentifierService CreateList (`CreateList`: the participants, then the SMP ID).
///
/// # Errors
///
/// [`SmlError::TooManyParticipants`] above [`MAX_LIST_PARTICIPANTS`];
/// [`SmlError::InvalidRequest`] for a bad SMP ID.
pub fn create_participants_request(
    smp_id: &str,
    ps: &[ParticipantId],
) -> Result<SoapRequest, SmlError> {
    participant_list(Operation::CreateParticipants, "CreateList", smp_id, ps)
}

/// ManageBusinessIdentifierService DeleteList (`DeleteList`).
///
/// # Errors
///
/// [`SmlError::TooManyParticipants`] above [`MAX_LIST_PARTICIPANTS`];
/// [`SmlError::InvalidRequest`] for a bad SMP ID.
pub fn delete_participants_request(
    smp_id: &str,
    ps: &[ParticipantId],
) -> Result<SoapRequest, SmlError> {
    participant_list(Operation::DeleteParticipants, "DeleteList", smp_id, ps)
}

/// ManageBusinessIdentifierService List (`PageRequest`); `next_page` is the previous answer's
/// `NextPageIdentifier`, `None` for the first page.
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] for a bad SMP ID or a page identifier that cannot be sent.
pub fn list_participants_request(
    smp_id: &str,
    next_page: Option<&str>,
) -> Result<SoapRequest, SmlError> {
    let next = match next_page {
        Some(page) if !is_xml_text(page) => {
            return Err(SmlError::invalid(
                "next_page",
                "contains characters XML cannot carry",
            ));
        }
        Some(page) => format!(
            "<lrs:NextPageIdentifier>{}</lrs:NextPageIdentifier>",
            escape(page)
        ),
        None => String::new(),
    };
    let body = format!(
        "<lrs:PageRequest xmlns:lrs=\"{NS_LOCATOR}\">{}{next}</lrs:PageRequest>",
        smp_id_element(smp_id)?
    );
    Ok(envelope(Operation::ListParticipants, &body))
}

fn migration_record(
    operation: Operation,
    element: &str,
    smp_id: &str,
    p: &ParticipantId,
    key: &MigrationKey,
) -> Result<SoapRequest, SmlError> {
    let body = format!(
        "<lrs:{element} xmlns:lrs=\"{NS_LOCATOR}\" xmlns:ids=\"{NS_IDENTIFIERS}\">{}{}<lrs:MigrationKey>{}</lrs:MigrationKey></lrs:{element}>",
        smp_id_element(smp_id)?,
        participant_element(p),
        escape(key.as_str()),
    );
    Ok(envelope(operation, &body))
}

/// ManageBusinessIdentifierService PrepareToMigrate (`PrepareMigrationRecord`), sent by the
/// participant's current SMP with its own SMP ID.
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] for a bad SMP ID.
pub fn prepare_to_migrate_request(
    smp_id: &str,
    p: &ParticipantId,
    key: &MigrationKey,
) -> Result<SoapRequest, SmlError> {
    migration_record(
        Operation::PrepareToMigrate,
        "PrepareMigrationRecord",
        smp_id,
        p,
        key,
    )
}

/// ManageBusinessIdentifierService Migrate (`CompleteMigrationRecord`), sent by the new SMP
/// with its own SMP ID and the key it received.
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] for a bad SMP ID.
pub fn migrate_request(
    smp_id: &str,
    p: &ParticipantId,
    key: &MigrationKey,
) -> Result<SoapRequest, SmlError> {
    migration_record(
        Operation::Migrate,
        "CompleteMigrationRecord",
        smp_id,
        p,
        key,
    )
}

/// BDMSLService IsAlive.
pub fn is_alive_request() -> SoapRequest {
    envelope(
        Operation::IsAlive,
        &format!("<bdmsl:IsAlive xmlns:bdmsl=\"{NS_BDMSL}\"/>"),
    )
}

/// BDMSLService ExistsParticipantIdentifier (`ExistsParticipant`: participant first, then the
/// SMP ID, unlike the other services).
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] for a bad SMP ID.
pub fn exists_participant_request(
    smp_id: &str,
    p: &ParticipantId,
) -> Result<SoapRequest, SmlError> {
    let body = format!(
        "<bdmsl:ExistsParticipant xmlns:bdmsl=\"{NS_BDMSL}\" xmlns:ids=\"{NS_IDENTIFIERS}\" xmlns:lrs=\"{NS_LOCATOR}\">{}{}</bdmsl:ExistsParticipant>",
        participant_element(p),
        smp_id_element(smp_id)?,
    );
    Ok(envelope(Operation::ExistsParticipant, &body))
}

/// BDMSLService PrepareChangeCertificate: announces the SMP's next certificate, given as PEM
/// or DER (sent as the full PEM, BEGIN/END lines included, which is what the SML parses).
/// `migration_date` is an `xs:date` (`YYYY-MM-DD`) not in the past; without it the SML uses the
/// new certificate's notBefore, which must then be in the future.
///
/// # Errors
///
/// [`SmlError::InvalidRequest`] if the certificate does not parse or the date is not
/// `YYYY-MM-DD`.
pub fn prepare_change_certificate_request(
    new_certificate_pem_or_der: &[u8],
    migration_date: Option<&str>,
) -> Result<SoapRequest, SmlError> {
    let trimmed = new_certificate_pem_or_der.trim_ascii_start();
    let cert = if trimmed.starts_with(b"-----BEGIN") {
        openssl::x509::X509::from_pem(trimmed)
    } else {
        openssl::x509::X509::from_der(trimmed)
    }
    .map_err(|e| {
        SmlError::invalid(
            "new_certificate",
            format!("not a PEM or DER X.509 certificate: {e}"),
        )
    })?;
    let pem = cert
        .to_pem()
        .map_err(|e| SmlError::invalid("new_certificate", format!("cannot be PEM-encoded: {e}")))?;
    let pem = String::from_utf8_lossy(&pem);
    let date = match migration_date {
        Some(d) => {
            check_xs_date(d)?;
            format!("<bdmsl:migrationDate>{d}</bdmsl:migrationDate>")
        }
        None => String::new(),
    };
    let body = format!(
        "<bdmsl:PrepareChangeCertificate xmlns:bdmsl=\"{NS_BDMSL}\"><bdmsl:newCertificatePublicKey>{}</bdmsl:newCertificatePublicKey>{date}</bdmsl:PrepareChangeCertificate>",
        escape(pem.trim_end()),
    );
    Ok(envelope(Operation::PrepareChangeCertificate, &body))
}

/// `YYYY-MM-DD` with a real month and a day that exists in it.
fn check_xs_date(d: &str) -> Result<(), SmlError> {
    let bad = || {
        SmlError::invalid(
            "migration_date",
            format!("{d:?} is not a date of the form YYYY-MM-DD"),
        )
    };
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |s: &str| -> Result<u32, SmlError> {
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (year, month, day) = (num(&d[..4])?, num(&d[5..7])?, num(&d[8..])?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year == 0 || day == 0 || day > days {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
