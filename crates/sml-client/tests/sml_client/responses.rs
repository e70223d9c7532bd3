//! Every sample answer parses: success, read, list, exists, and each fault with its kind and
//! ERR code, at the HTTP status the sample names and at every other status the SML uses.

use sml_client::soap;
use sml_client::{FaultKind, SmlError};

use crate::support::{sample, sml_spec_dir};

/// The "Expected HTTP status for this sample: NNN" of a sample's comment.
fn expected_status(xml: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(xml);
    let marker = "Expected HTTP status for this sample: ";
    let i = text.find(marker).map(|i| i + marker.len());
    i.map_or(200, |i| text[i..i + 3].parse().unwrap())
}

/// The faultstring ends with the SML's request id, ` [` + 32 hex digits + `]`.
fn ends_with_request_id(message: &str) -> bool {
    let Some(open) = message.rfind(" [") else {
        return false;
    };
    let id = &message[open + 2..];
    id.len() == 33 && id.ends_with(']') && id[..32].bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn success_samples() {
    let dir = sml_spec_dir();
    soap::parse_empty_response(200, &sample(&dir, "success-empty.response.xml")).unwrap();

    let entry = soap::parse_read_smp_response(200, &sample(&dir, "smp-read.response.xml")).unwrap();
    assert_eq!(entry.smp_id, "SMP-EXAMPLE-OLD");
    assert_eq!(entry.logical_address, "https://smp.example.org/smp");
    assert_eq!(entry.physical_address, "1.1.1.1");

    let page =
        soap::parse_list_response(200, &sample(&dir, "participant-list.response.xml")).unwrap();
    let values: Vec<_> = page
        .participants
        .iter()
        .map(|p| (p.scheme.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            ("iso6523-actorid-upis", "0088:5798000000001"),
            ("iso6523-actorid-upis", "9915:test")
        ]
    );
    assert!(page.participants.iter().all(|p| p.parse().is_ok()));
    assert_eq!(page.smp_id.as_deref(), Some("SMP-EXAMPLE-OLD"));
    assert_eq!(page.next_page.as_deref(), Some("3"));

    assert!(
        soap::parse_exists_response(200, &sample(&dir, "bdmsl-exists-participant.response.xml"))
            .unwrap()
    );
}

#[test]
fn success_with_a_security_header_is_accepted() {
    let body = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><wsse:Security soap:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><x/></wsse:Security></soap:Header><soap:Body/></soap:Envelope>"#;
    soap::parse_empty_response(200, body).unwrap();
}

#[test]
fn fault_samples() {
    let dir = sml_spec_dir();
    let cases = [
        (
            "fault-badrequest-duplicate-participant.response.xml",
            FaultKind::BadRequest,
            106,
            400,
        ),
        (
            "fault-badrequest-migration-key.response.xml",
            FaultKind::BadRequest,
            106,
            400,
        ),
        (
            "fault-migration-planned.response.xml",
            FaultKind::Unauthorized,
            114,
            401,
        ),
        (
            "fault-notfound-smp.response.xml",
            FaultKind::NotFound,
            100,
            404,
        ),
        (
            "fault-unauthorized-certificate.response.xml",
            FaultKind::Unauthorized,
            101,
            401,
        ),
    ];
    for (name, kind, code, status) in cases {
        let xml = sample(&dir, name);
        assert_eq!(expected_status(&xml), status, "{name}");
        for http in [status, 200, 400, 401, 404, 500] {
            // Every parser looks for the fault first.
            let errors = [
                soap::parse_empty_response(http, &xml).unwrap_err(),
                soap::parse_read_smp_response(http, &xml).unwrap_err(),
                soap::parse_list_response(http, &xml).unwrap_err(),
                soap::parse_exists_response(http, &xml).unwrap_err(),
            ];
            for err in errors {
                match &err {
                    SmlError::Fault {
                        kind: k,
                        code: c,
                        message,
                        http_status,
                    } => {
                        assert_eq!((*k, *c, *http_status), (kind, Some(code), http), "{name}");
                        assert!(
                            message.starts_with(&format!("[ERR-{code}]")),
                            "{name}: {message}"
                        );
                        // The FaultMessage is preferred: it has no trailing request id.
                        assert!(!ends_with_request_id(message), "{name}: {message}");
                    }
                    other => panic!("{name}: {other:?}"),
                }
                assert_eq!(err.code(), format!("sml.err_{code}"));
            }
        }
    }
}

#[test]
fn fault_predicates_on_samples() {
    let dir = sml_spec_dir();
    let err = |name: &str| soap::parse_empty_response(400, &sample(&dir, name)).unwrap_err();
    assert!(err("fault-badrequest-duplicate-participant.response.xml").is_already_exists());
    assert!(!err("fault-badrequest-migration-key.response.xml").is_already_exists());
    assert!(err("fault-migration-planned.response.xml").is_migration_planned());
    assert!(!err("fault-migration-planned.response.xml").is_unauthorized());
    assert!(err("fault-notfound-smp.response.xml").is_not_found());
    assert!(err("fault-unauthorized-certificate.response.xml").is_unauthorized());
    for name in [
        "fault-badrequest-duplicate-participant.response.xml",
        "fault-notfound-smp.response.xml",
        "fault-unauthorized-certificate.response.xml",
    ] {
        assert!(!err(name).is_retryable(), "{name}");
    }
}

#[test]
fn request_samples_are_not_valid_answers() {
    let dir = sml_spec_dir();
    // An answer of the wrong operation is a protocol error, not silently accepted.
    let read_request = sample(&dir, "smp-read.request.xml");
    assert!(matches!(
        soap::parse_read_smp_response(200, &read_request),
        Err(SmlError::Protocol { .. })
    ));
    let list = sample(&dir, "participant-list.response.xml");
    assert!(matches!(
        soap::parse_exists_response(200, &list),
        Err(SmlError::Protocol { .. })
    ));
}
