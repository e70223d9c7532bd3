//! Our output checked by independent tools: `xmlsec1` verifies our signatures and `xmllint`
//! validates our documents against the official XSDs. Without the tools the tests print SKIP,
//! unless CI or FERRY_REQUIRE_ALL is set; without the spec directory they fail.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use common::{
    TestPki, ap_certificate_b64, full_information, full_redirect, participant, skip, spec_dir,
};
use smp_xml::{
    BusinessCard, BusinessEntity, Contact, EntityIdentifier, Name, ServiceGroup,
    sign_service_metadata, write_business_card, write_service_group, write_service_metadata,
};

fn tool(name: &str) -> bool {
    let found = Command::new(name).arg("--version").output().is_ok();
    if !found {
        skip(&format!("tool {name}"));
    }
    found
}

fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".xml").tempfile().unwrap();
    f.write_all(bytes).unwrap();
    f.flush().unwrap();
    f
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn xmlsec_verify(doc: &[u8]) -> (bool, String) {
    let f = temp_file(doc);
    run(Command::new("xmlsec1")
        .args(["--verify", "--enabled-key-data", "x509", "--insecure"])
        .arg(f.path()))
}

fn xmllint(doc: &[u8], xsd: &Path) -> (bool, String) {
    let f = temp_file(doc);
    run(Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(xsd)
        .arg(f.path()))
}

#[test]
fn xmlsec1_accepts_our_signatures() {
    if !tool("xmlsec1") {
        return;
    }
    let key = TestPki::generate("PSG000001").signing_key();
    for sm in [full_information(&ap_certificate_b64()), full_redirect()] {
        let signed = sign_service_metadata(&sm, &key).unwrap();
        let (ok, out) = xmlsec_verify(&signed);
        assert!(
            ok,
            "xmlsec1 rejected our signature:\n{out}\n{}",
            String::from_utf8_lossy(&signed)
        );
        assert!(out.contains("OK"), "{out}");
    }
}

#[test]
fn xmlsec1_rejects_a_tampered_signed_document() {
    if !tool("xmlsec1") {
        return;
    }
    let key = TestPki::generate("PSG000001").signing_key();
    let signed = sign_service_metadata(&full_information(&ap_certificate_b64()), &key).unwrap();
    let tampered = String::from_utf8(signed).unwrap().replacen(
        "https://ap1.example.org",
        "https://ap1.example.com",
        1,
    );
    let (ok, out) = xmlsec_verify(tampered.as_bytes());
    assert!(!ok, "xmlsec1 accepted a tampered document:\n{out}");
}

#[test]
fn xmllint_validates_our_documents() {
    let spec = spec_dir();
    if !tool("xmllint") {
        return;
    }
    let smp_xsd = spec.join("smp/xsd/peppol/peppol-smp-types-v1.xsd");
    let bc_xsd = spec.join("smp/xsd/peppol-directory/peppol-directory-business-card-20180621.xsd");
    let key = TestPki::generate("PSG000001").signing_key();
    let cert = ap_certificate_b64();
    let mut docs: Vec<(&str, Vec<u8>, &Path)> = vec![
        (
            "information",
            write_service_metadata(&full_information(&cert)),
            &smp_xsd,
        ),
        (
            "redirect",
            write_service_metadata(&full_redirect()),
            &smp_xsd,
        ),
        (
            "signed information",
            sign_service_metadata(&full_information(&cert), &key).unwrap(),
            &smp_xsd,
        ),
        (
            "signed redirect",
            sign_service_metadata(&full_redirect(), &key).unwrap(),
            &smp_xsd,
        ),
    ];
    let groups = [
        ServiceGroup {
            participant: participant(),
            references: vec![],
            extension: None,
        },
        ServiceGroup {
            participant: participant(),
            references: vec!["https://smp.example.org/a%3A%3Ab/services/c".to_owned(); 2],
            extension: Some(common::extension("group")),
        },
    ];
    for sg in &groups {
        docs.push(("service group", write_service_group(sg), &smp_xsd));
    }
    let card = BusinessCard {
        participant: participant(),
        entities: vec![BusinessEntity {
            names: vec![
                Name {
                    name: "Test & Co".to_owned(),
                    language: Some("en".to_owned()),
                },
                Name {
                    name: "Test en Co".to_owned(),
                    language: None,
                },
            ],
            country_code: "BE".to_owned(),
            geographical_information: Some("Street 1\n1000 Brussels".to_owned()),
            identifiers: vec![EntityIdentifier {
                scheme: "VAT".to_owned(),
                value: "BE0123456749".to_owned(),
            }],
            websites: vec!["https://example.org".to_owned()],
            contacts: vec![Contact {
                contact_type: Some("support".to_owned()),
                name: Some("Jane".to_owned()),
                phone_number: Some("+32 2 000 00 00".to_owned()),
                email: Some("jane@example.org".to_owned()),
            }],
            additional_information: Some("more".to_owned()),
            registration_date: Some("2020-02-29".to_owned()),
        }],
    };
    docs.push(("business card", write_business_card(&card), &bc_xsd));
    for (what, doc, xsd) in docs {
        let (ok, out) = xmllint(&doc, xsd);
        assert!(
            ok,
            "{what} does not validate:\n{out}\n{}",
            String::from_utf8_lossy(&doc)
        );
    }
}
