//! Every request envelope: the Body's child validates against the WSDL's schema, and the
//! envelope has the same elements, order, namespaces and values as the Peppol sample.

use std::process::Command;

use peppol_id::ParticipantId;
use sml_client::soap::{self, Operation, SoapRequest};
use sml_client::{MigrationKey, SmpEntry};

use crate::support::{body_child, cert_file, flatten, sample, sml_spec_dir, xmllint_available};

const OLD: &str = "SMP-EXAMPLE-OLD";
const NEW: &str = "SMP-EXAMPLE-NEW";
const KEY: &str = "Ab1$Cd2%Ef3^Gh4!Ij5+Kl6=";

fn participant() -> ParticipantId {
    ParticipantId::parse("iso6523-actorid-upis::0088:5798000000001").unwrap()
}

fn entry() -> SmpEntry {
    SmpEntry {
        smp_id: OLD.into(),
        logical_address: "https://smp.example.org/smp".into(),
        physical_address: "1.1.1.1".into(),
    }
}

fn key() -> MigrationKey {
    MigrationKey::new(KEY).unwrap()
}

/// Every operation with representative arguments, and the sample it corresponds to (if the
/// spec folder has one).
fn all_requests() -> Vec<(SoapRequest, Option<&'static str>)> {
    let p = participant();
    let q = ParticipantId::parse("iso6523-actorid-upis::9915:test").unwrap();
    let cert = cert_file("smp/smp2.crt.pem");
    vec![
        (
            soap::create_smp_request(&entry()).unwrap(),
            Some("smp-create.request.xml"),
        ),
        (
            soap::read_smp_request(OLD).unwrap(),
            Some("smp-read.request.xml"),
        ),
        (soap::update_smp_request(&entry()).unwrap(), None),
        (
            soap::delete_smp_request(OLD).unwrap(),
            Some("smp-delete.request.xml"),
        ),
        (
            soap::create_participant_request(OLD, &p).unwrap(),
            Some("participant-create.request.xml"),
        ),
        (
            soap::create_participants_request(OLD, &[p.clone(), q.clone()]).unwrap(),
            None,
        ),
        (
            soap::delete_participant_request(OLD, &p).unwrap(),
            Some("participant-delete.request.xml"),
        ),
        (
            soap::delete_participants_request(OLD, &[p.clone(), q]).unwrap(),
            None,
        ),
        (
            soap::list_participants_request(OLD, Some("2")).unwrap(),
            Some("participant-list.request.xml"),
        ),
        (soap::list_participants_request(OLD, None).unwrap(), None),
        (
            soap::prepare_to_migrate_request(OLD, &p, &key()).unwrap(),
            Some("participant-prepare-to-migrate.request.xml"),
        ),
        (
            soap::migrate_request(NEW, &p, &key()).unwrap(),
            Some("participant-migrate.request.xml"),
        ),
        (soap::is_alive_request(), Some("bdmsl-isalive.request.xml")),
        (
            soap::exists_participant_request(OLD, &p).unwrap(),
            Some("bdmsl-exists-participant.request.xml"),
        ),
        (
            soap::prepare_change_certificate_request(&cert, Some("2027-01-15")).unwrap(),
            Some("bdmsl-prepare-change-certificate.request.xml"),
        ),
        (
            soap::prepare_change_certificate_request(&cert, None).unwrap(),
            None,
        ),
    ]
}

#[test]
fn every_operation_is_covered() {
    let mut ops: Vec<Operation> = all_requests().iter().map(|(r, _)| r.operation).collect();
    ops.dedup();
    assert_eq!(ops, Operation::ALL.to_vec());
}

#[test]
fn bodies_validate_against_the_wsdl_schemas() {
    let dir = sml_spec_dir();
    if !xmllint_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for (i, (request, _)) in all_requests().into_iter().enumerate() {
        let child = body_child(&request.envelope);
        let schema = if request.operation.service() == soap::Service::Bdmsl {
            "BDMSLService-1.0-icd130.xsd"
        } else {
            "peppol-sml-types-v1.xsd"
        };
        let file = tmp.path().join(format!("{i}.xml"));
        std::fs::write(&file, &child).unwrap();
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(dir.join(schema))
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{:?} does not validate against {schema}:\n{}\n{child}",
            request.operation,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A broken body must fail the same check, or the test above proves nothing.
#[test]
fn the_schema_check_can_fail() {
    let dir = sml_spec_dir();
    if !xmllint_available() {
        return;
    }
    let request = soap::create_participant_request(OLD, &participant()).unwrap();
    // Swap the two children: the schema fixes their order.
    let child = body_child(&request.envelope);
    let smp = "<lrs:ServiceMetadataPublisherID>SMP-EXAMPLE-OLD</lrs:ServiceMetadataPublisherID>";
    let broken = child.replace(smp, "").replace(
        "</lrs:CreateParticipantIdentifier>",
        &format!("{smp}</lrs:CreateParticipantIdentifier>"),
    );
    assert_ne!(broken, child);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("broken.xml");
    std::fs::write(&file, broken).unwrap();
    let status = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(dir.join("peppol-sml-types-v1.xsd"))
        .arg(&file)
        .output()
        .unwrap()
        .status;
    assert!(!status.success());
}

#[test]
fn envelopes_match_the_samples() {
    let dir = sml_spec_dir();
    let mut compared = 0;
    for (request, name) in all_requests() {
        let Some(name) = name else { continue };
        let ours = flatten(&request.envelope);
        let mut theirs = flatten(&sample(&dir, name));
        if request.operation == Operation::PrepareChangeCertificate {
            // The sample's certificate is a placeholder ("MIIB...base64..."): compare the
            // PEM framing, then the rest with our certificate text.
            let i = theirs
                .iter()
                .position(|t| t.contains("BEGIN CERTIFICATE"))
                .unwrap();
            assert!(theirs[i].contains("-----END CERTIFICATE-----"));
            let j = ours
                .iter()
                .position(|t| t.contains("BEGIN CERTIFICATE"))
                .unwrap();
            assert!(
                ours[j].starts_with("text \"-----BEGIN CERTIFICATE-----\\n"),
                "{}",
                ours[j]
            );
            assert!(
                ours[j].ends_with("\\n-----END CERTIFICATE-----\""),
                "{}",
                ours[j]
            );
            theirs[i] = ours[j].clone();
        }
        assert_eq!(ours, theirs, "{name}");
        compared += 1;
    }
    assert_eq!(compared, 11);
}

#[test]
fn soap_actions_match_the_samples() {
    let dir = sml_spec_dir();
    for (request, name) in all_requests() {
        let Some(name) = name else { continue };
        let text = String::from_utf8(sample(&dir, name)).unwrap();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("SOAPAction:"))
            .unwrap();
        let expected = line.trim_start().trim_start_matches("SOAPAction:").trim();
        assert_eq!(request.operation.soap_action_header(), expected, "{name}");
        let url = text.lines().find(|l| l.contains("HTTP POST ")).unwrap();
        assert!(
            url.trim_end()
                .ends_with(&format!("/{}", request.operation.service().path())),
            "{name}"
        );
    }
}
