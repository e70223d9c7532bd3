//! Answers: a fault first (whatever the HTTP status), then the operation's output element.

use peppol_id::{IdError, ParticipantId};

use super::{NS_BDMSL, NS_IDENTIFIERS, NS_LOCATOR, NS_SOAP_ENV};
use crate::error::{FaultKind, SmlError};
use crate::smp_entry::SmpEntry;
use smp_xml::ParseOptions;
use smp_xml::dom::{self, Element};

/// How much of a non-SOAP body is quoted in a [`SmlError::Protocol`] message.
const SNIPPET_CHARS: usize = 200;

/// A participant as the SML listed it, before validation: the SML may hold identifiers that
/// today's rules refuse (a retired ICD such as 9956), and a reconciliation must still see them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListedParticipant {
    /// The `scheme` attribute.
    pub scheme: String,
    /// The element text.
    pub value: String,
}

impl ListedParticipant {
    /// Validates the identifier with today's rules.
    ///
    /// # Errors
    ///
    /// The [`IdError`] naming the broken rule.
    pub fn parse(&self) -> Result<ParticipantId, IdError> {
        ParticipantId::new(&self.scheme, &self.value)
    }
}

/// One page of a List answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantPage {
    /// The participants on this page, in the SML's order.
    pub participants: Vec<ListedParticipant>,
    /// The SMP ID the SML echoed, if any.
    pub smp_id: Option<String>,
    /// The identifier to ask for the next page with; `None` on the last page.
    pub next_page: Option<String>,
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

/// The `[ERR-nnn]` code at the start of (or anywhere in) a fault message.
fn err_code(message: &str) -> Option<u16> {
    let start = message.find("[ERR-")? + "[ERR-".len();
    let rest = &message[start..];
    let end = rest.find(']')?;
    let digits = &rest[..end];
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn fault(f: &Element, http_status: u16) -> SmlError {
    // faultcode/faultstring/detail are unqualified in SOAP 1.1; some stacks qualify them.
    let find = |local: &str| {
        f.child_elements()
            .find(|e| e.local_name() == local && (e.ns().is_empty() || e.ns() == NS_SOAP_ENV))
    };
    let faultstring = find("faultstring").map(|e| e.text().trim().to_owned());
    let detail = find("detail").and_then(|d| d.child_elements().next());
    let kind = detail.map_or(FaultKind::Other, |d| FaultKind::from_detail(d.local_name()));
    let fault_message = detail
        .and_then(|d| {
            d.child_elements()
                .find(|e| e.local_name() == "FaultMessage")
        })
        .map(|e| e.text().trim().to_owned())
        .filter(|m| !m.is_empty());
    let message = fault_message.or(faultstring).unwrap_or_default();
    SmlError::Fault {
        kind,
        code: err_code(&message),
        message,
        http_status,
    }
}

/// The Body's first child element; a fault becomes `Err(Fault)` whatever the status, and a
/// non-2xx status without a fault becomes `Err(Protocol)`. `Ok(None)` is an empty Body.
fn body_child(http_status: u16, body: &[u8]) -> Result<Option<Element>, SmlError> {
    let success = (200..300).contains(&http_status);
    // The client already refused answers over its size limit.
    let opts = ParseOptions {
        max_bytes: usize::MAX,
        ..ParseOptions::default()
    };
    let root = match dom::parse_document(body, &opts) {
        Ok(root) => root,
        Err(e) if success => {
            return Err(SmlError::protocol(
                http_status,
                format!("the answer is not well-formed XML ({e}): {}", snippet(body)),
            ));
        }
        Err(_) => {
            return Err(SmlError::protocol(
                http_status,
                format!("HTTP error without a SOAP fault: {}", snippet(body)),
            ));
        }
    };
    if !root.is(NS_SOAP_ENV, "Envelope") {
        return Err(SmlError::protocol(
            http_status,
            format!(
                "expected a SOAP 1.1 Envelope, found {}",
                root.display_name()
            ),
        ));
    }
    let soap_body = root
        .child(NS_SOAP_ENV, "Body")
        .ok_or_else(|| SmlError::protocol(http_status, "the SOAP envelope has no Body"))?;
    let child = soap_body.child_elements().next().cloned();
    if let Some(f) = child.as_ref().filter(|c| c.is(NS_SOAP_ENV, "Fault")) {
        return Err(fault(f, http_status));
    }
    if !success {
        return Err(SmlError::protocol(
            http_status,
            "HTTP error status with a SOAP answer that is not a fault",
        ));
    }
    Ok(child)
}

fn expect_child(http_status: u16, body: &[u8], ns: &str, local: &str) -> Result<Element, SmlError> {
    match body_child(http_status, body)? {
        Some(e) if e.is(ns, local) => Ok(e),
        Some(e) => Err(SmlError::protocol(
            http_status,
            format!(
                "expected {{{ns}}}{local} in the SOAP Body, found {}",
                e.display_name()
            ),
        )),
        None => Err(SmlError::protocol(
            http_status,
            format!("expected {{{ns}}}{local} in the SOAP Body, found an empty Body"),
        )),
    }
}

fn required_text(
    parent: &Element,
    ns: &str,
    local: &str,
    http_status: u16,
) -> Result<String, SmlError> {
    parent
        .child(ns, local)
        .map(|e| e.text().trim().to_owned())
        .ok_or_else(|| {
            SmlError::protocol(
                http_status,
                format!("{} has no {{{ns}}}{local}", parent.display_name()),
            )
        })
}

/// The answer of every operation without output (Create, Update, Delete, the lists,
/// PrepareToMigrate, Migrate, IsAlive, PrepareChangeCertificate): success is a 2xx status with
/// an envelope whose Body holds no fault. Header blocks (the SML's WS-Security signature) are
/// ignored. An entirely empty 2xx body is accepted too.
///
/// # Errors
///
/// [`SmlError::Fault`] for a fault at any status; [`SmlError::Protocol`] for anything else
/// that is not a 2xx SOAP envelope.
pub fn parse_empty_response(http_status: u16, body: &[u8]) -> Result<(), SmlError> {
    if (200..300).contains(&http_status) && body.trim_ascii().is_empty() {
        return Ok(());
    }
    body_child(http_status, body).map(|_| ())
}

/// The answer of ManageServiceMetadataService Read (`ServiceMetadataPublisherService`).
///
/// # Errors
///
/// [`SmlError::Fault`] (ERR-100 when the SMP does not exist), or [`SmlError::Protocol`].
pub fn parse_read_smp_response(http_status: u16, body: &[u8]) -> Result<SmpEntry, SmlError> {
    let svc = expect_child(
        http_status,
        body,
        NS_LOCATOR,
        "ServiceMetadataPublisherService",
    )?;
    let endpoint = svc.child(NS_LOCATOR, "PublisherEndpoint").ok_or_else(|| {
        SmlError::protocol(
            http_status,
            "ServiceMetadataPublisherService has no PublisherEndpoint",
        )
    })?;
    Ok(SmpEntry {
        smp_id: required_text(&svc, NS_LOCATOR, "ServiceMetadataPublisherID", http_status)?,
        logical_address: required_text(endpoint, NS_LOCATOR, "LogicalAddress", http_status)?,
        physical_address: required_text(endpoint, NS_LOCATOR, "PhysicalAddress", http_status)?,
    })
}

/// The answer of ManageBusinessIdentifierService List (`ParticipantIdentifierPage`).
///
/// # Errors
///
/// [`SmlError::Fault`], or [`SmlError::Protocol`] (also for a participant without `scheme`).
pub fn parse_list_response(http_status: u16, body: &[u8]) -> Result<ParticipantPage, SmlError> {
    let page = expect_child(http_status, body, NS_LOCATOR, "ParticipantIdentifierPage")?;
    let mut participants = Vec::new();
    for e in page
        .child_elements()
        .filter(|e| e.is(NS_IDENTIFIERS, "ParticipantIdentifier"))
    {
        let scheme = e.attr("scheme").ok_or_else(|| {
            SmlError::protocol(
                http_status,
                format!("listed participant {:?} has no scheme", e.text()),
            )
        })?;
        participants.push(ListedParticipant {
            scheme: scheme.trim().to_owned(),
            value: e.text().trim().to_owned(),
        });
    }
    let text = |local: &str| {
        page.child(NS_LOCATOR, local)
            .map(|e| e.text().trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    Ok(ParticipantPage {
        participants,
        smp_id: text("ServiceMetadataPublisherID"),
        next_page: text("NextPageIdentifier"),
    })
}

/// The answer of BDMSLService ExistsParticipantIdentifier (`ExistsParticipantResponse/Exist`).
///
/// # Errors
///
/// [`SmlError::Fault`], or [`SmlError::Protocol`] (also for an `Exist` that is not an
/// `xs:boolean`).
pub fn parse_exists_response(http_status: u16, body: &[u8]) -> Result<bool, SmlError> {
    let answer = expect_child(http_status, body, NS_BDMSL, "ExistsParticipantResponse")?;
    match required_text(&answer, NS_BDMSL, "Exist", http_status)?.as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(SmlError::protocol(
            http_status,
            format!("Exist is {other:?}, not an xs:boolean"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(body: &str) -> Vec<u8> {
        format!(r#"<soap:Envelope xmlns:soap="{NS_SOAP_ENV}"><soap:Body>{body}</soap:Body></soap:Envelope>"#).into_bytes()
    }

    #[test]
    fn err_codes() {
        assert_eq!(err_code("[ERR-106] x"), Some(106));
        assert_eq!(err_code("prefix [ERR-7] x"), Some(7));
        assert_eq!(err_code("[ERR-] x"), None);
        assert_eq!(err_code("[ERR-1a] x"), None);
        assert_eq!(err_code("[ERR-99999] x"), None);
        assert_eq!(err_code("[ERR-106 x"), None);
        assert_eq!(err_code("no code"), None);
    }

    #[test]
    fn fault_without_detail_uses_faultstring() {
        let body = env(
            "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>[ERR-110] gone</faultstring></soap:Fault>",
        );
        match parse_empty_response(500, &body).unwrap_err() {
            SmlError::Fault {
                kind,
                code,
                message,
                http_status,
            } => {
                assert_eq!(kind, FaultKind::Other);
                assert_eq!(code, Some(110));
                assert_eq!(message, "[ERR-110] gone");
                assert_eq!(http_status, 500);
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn fault_at_http_200_is_still_a_fault() {
        let body = env(&format!(
            "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>x</faultstring><detail><InternalErrorFault xmlns=\"{NS_LOCATOR}\"><FaultMessage>[ERR-105] db down</FaultMessage></InternalErrorFault></detail></soap:Fault>"
        ));
        let e = parse_exists_response(200, &body).unwrap_err();
        assert!(e.is_retryable());
        assert_eq!(e.sml_code(), Some(105));
    }

    #[test]
    fn non_soap_answers_are_protocol_errors() {
        for (status, body) in [
            (502, &b"<html><body>Bad gateway</body></html>"[..]),
            (200, b"<html><body>hello</body></html>"),
            (200, b"not xml"),
            (500, b""),
            (404, b"Not Found"),
        ] {
            match parse_empty_response(status, body) {
                Err(SmlError::Protocol { http_status, .. }) => assert_eq!(http_status, status),
                other => panic!("{status}: {other:?}"),
            }
        }
        assert!(parse_empty_response(200, b"").is_ok());
        assert!(parse_empty_response(200, &env("")).is_ok());
        assert!(matches!(
            parse_empty_response(400, &env("")),
            Err(SmlError::Protocol {
                http_status: 400,
                ..
            })
        ));
    }

    #[test]
    fn wrong_output_element() {
        let body = env(&format!("<x:Other xmlns:x=\"{NS_LOCATOR}\"/>"));
        let e = parse_read_smp_response(200, &body).unwrap_err();
        assert!(
            e.to_string()
                .contains("found {http://busdox.org/serviceMetadata/locator/1.0/}Other"),
            "{e}"
        );
        assert!(matches!(
            parse_list_response(200, &env("")),
            Err(SmlError::Protocol { .. })
        ));
    }

    #[test]
    fn exists_booleans() {
        for (v, expected) in [
            ("true", true),
            ("1", true),
            (" false ", false),
            ("0", false),
        ] {
            let body = env(&format!(
                "<ExistsParticipantResponse xmlns=\"{NS_BDMSL}\"><Exist>{v}</Exist></ExistsParticipantResponse>"
            ));
            assert_eq!(parse_exists_response(200, &body).unwrap(), expected);
        }
        let body = env(&format!(
            "<ExistsParticipantResponse xmlns=\"{NS_BDMSL}\"><Exist>yes</Exist></ExistsParticipantResponse>"
        ));
        assert!(parse_exists_response(200, &body).is_err());
    }

    #[test]
    fn listed_participants_keep_what_todays_rules_refuse() {
        let body = env(&format!(
            "<ParticipantIdentifierPage xmlns=\"{NS_LOCATOR}\" xmlns:i=\"{NS_IDENTIFIERS}\"><i:ParticipantIdentifier scheme=\"iso6523-actorid-upis\">9956:0123456789</i:ParticipantIdentifier></ParticipantIdentifierPage>"
        ));
        let page = parse_list_response(200, &body).unwrap();
        assert_eq!(page.participants.len(), 1);
        assert_eq!(page.participants[0].value, "9956:0123456789");
        assert!(page.participants[0].parse().is_err());
        assert_eq!(page.next_page, None);
    }
}
