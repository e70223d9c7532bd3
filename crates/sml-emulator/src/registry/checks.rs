//! What the SML checks in identifiers, SMP ids, endpoints and dates before it acts.

use time::{Date, OffsetDateTime, macros::format_description};

use super::PARTICIPANT_SCHEME;

use crate::sml_fault::SmlFault;
use crate::soap_request::{Endpoint, Participant};

pub(super) fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

pub(super) fn parse_date(s: &str) -> Option<Date> {
    // xs:date may carry a time-zone suffix (`Z`, `+01:00`); the day is what matters here.
    let day = s.get(..10)?;
    Date::parse(day, format_description!("[year]-[month]-[day]")).ok()
}

pub(super) fn key_of(p: &Participant) -> (String, String) {
    (p.scheme.to_ascii_lowercase(), p.value.to_lowercase())
}

pub(super) fn check_participant(p: &Participant) -> Result<(), SmlFault> {
    // Deliberately lighter than peppol-id's policy checks (no check digits): the SML accepts
    // any `NNNN:id` value under the Peppol scheme, and the SMP is the stricter party.
    if !p.scheme.eq_ignore_ascii_case(PARTICIPANT_SCHEME) {
        return Err(SmlFault::bad_request(format!(
            "The participant identifier scheme [{}] is not valid; expected [{PARTICIPANT_SCHEME}].",
            p.scheme
        )));
    }
    let v = &p.value;
    let icd_ok = v.split_once(':').is_some_and(|(icd, id)| {
        icd.len() == 4 && icd.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty()
    });
    if !icd_ok || v.len() > 130 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(SmlFault::bad_request(format!(
            "The participant identifier [{v}] is not valid for the scheme [{}]: expected ICD:identifier, at most 130 printable ASCII characters.",
            p.scheme
        )));
    }
    Ok(())
}

pub(super) fn check_smp_id(id: &str) -> Result<(), SmlFault> {
    let label_ok = !id.is_empty()
        && id.len() <= 63
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if label_ok {
        Ok(())
    } else {
        Err(SmlFault::bad_request(format!(
            "The SMP identifier [{id}] is not valid: it must be a DNS label (letters, digits and '-', at most 63 characters)."
        )))
    }
}

pub(super) fn check_endpoint(e: &Endpoint) -> Result<(), SmlFault> {
    let lower = e.logical_address.to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or("");
    if host.is_empty() || host.starts_with('/') || e.logical_address.contains(char::is_whitespace) {
        return Err(SmlFault::bad_request(format!(
            "The logical address [{}] is not a valid http(s) URL.",
            e.logical_address
        )));
    }
    if e.logical_address.contains('!') {
        // '!' delimits the NAPTR regexp; it cannot appear in the replacement.
        return Err(SmlFault::bad_request(format!(
            "The logical address [{}] must not contain '!'.",
            e.logical_address
        )));
    }
    if e.physical_address.parse::<std::net::Ipv4Addr>().is_err() {
        return Err(SmlFault::bad_request(format!(
            "The physical address [{}] is not a valid IPv4 address.",
            e.physical_address
        )));
    }
    Ok(())
}
