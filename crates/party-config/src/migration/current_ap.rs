//! Who serves a participant now: its current SMP's published endpoint, best effort.

use std::time::Duration;

use peppol_id::ParticipantId;
use smp_xml::{ParseOptions, ServiceMetadata};

use super::CurrentAccessPoint;

/// Reads the participant's ServiceGroup and first ServiceMetadata at `smp_url` and returns
/// the first endpoint with the seat id from its certificate (CN). Any failure gives None:
/// this is information for the operator, not a condition of the migration.
pub(crate) fn current_ap(smp_url: &str, participant: &ParticipantId) -> Option<CurrentAccessPoint> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .ok()?;
    let base = smp_url.trim_end_matches('/');
    // The old provider's documents: read them as it published them.
    let opts = ParseOptions::as_published();
    let group_bytes = client
        .get(format!("{base}/{}", participant.path_segment()))
        .send()
        .ok()?
        .bytes()
        .ok()?;
    let group = smp_xml::parse_service_group(&group_bytes, &opts).ok()?;
    let href = group.references.first()?;
    let signed = client.get(href).send().ok()?.bytes().ok()?;
    let ServiceMetadata::Information(info) =
        smp_xml::parse_signed_service_metadata(&signed, &opts).ok()?
    else {
        return None;
    };
    let endpoint = info.processes.first()?.endpoints.first()?;
    Some(CurrentAccessPoint {
        endpoint_url: endpoint.address.clone(),
        seat_id: seat_id(&endpoint.certificate),
    })
}

/// The CN of a base64 DER certificate's subject (a Peppol AP certificate's seat id).
fn seat_id(certificate_b64: &str) -> Option<String> {
    let der = data_encoding::BASE64
        .decode(certificate_b64.as_bytes())
        .ok()?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
    let cn = cert
        .subject()
        .iter_common_name()
        .next()?
        .as_str()
        .ok()?
        .to_owned();
    Some(cn)
}
