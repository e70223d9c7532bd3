//! The official and vendor samples in the spec directory parse.

use crate::common::{ap_certificate_b64, read_sample, sample_files, spec_dir};
use smp_xml::{
    ParseOptions, ServiceMetadata, parse_business_card, parse_service_group,
    parse_service_metadata, parse_signed_service_metadata, write_service_group,
    write_service_metadata,
};

fn opts() -> ParseOptions {
    ParseOptions::default()
}

/// VEFA samples whose participant peppol-id refuses under Policy for use of Identifiers
/// 4.4.0: ICD 0192 needs 9 digits, ICDs 9908 and 9901 were removed from the code list.
/// They must fail with `xml.invalid_identifier` carrying this peppol-id code.
const REFUSED_BY_POLICY: &[(&str, &str)] = &[
    (
        "busdox-servicemetadata-0192-12345678-1.xml",
        "id.invalid_format",
    ),
    (
        "busdox-servicemetadata-0192-12345678-2.xml",
        "id.invalid_format",
    ),
    (
        "busdox-servicemetadata-0192-12345678-3.xml",
        "id.invalid_format",
    ),
    (
        "busdox-servicemetadata-0192-98765432-1.xml",
        "id.invalid_format",
    ),
    (
        "busdox-servicemetadata-0192-98765432-2.xml",
        "id.invalid_format",
    ),
    (
        "busdox-servicemetadata-0192-98765432-3.xml",
        "id.invalid_format",
    ),
    ("busdox-servicemetadata-9908-12345678.xml", "id.removed_icd"),
    (
        "busdox-servicemetadata-9908-923829644.xml",
        "id.removed_icd",
    ),
    ("busdox-servicemetadata-9908-98765432.xml", "id.removed_icd"),
    (
        "peppol-doctype-wildcard-servicemetadata-9901-pint_c4_jp_sb.xml",
        "id.removed_icd",
    ),
];

#[test]
fn signed_vefa_and_peppol_commons_samples_parse() {
    let spec = spec_dir();
    let mut groups = 0;
    let mut metadata = 0;
    let mut refused = 0;
    for dir in ["peppol/signed-vefa", "peppol/signed-peppol-commons"] {
        for path in sample_files(&spec, dir) {
            let xml = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.contains("servicegroup") {
                let sg =
                    parse_service_group(&xml, &opts()).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(!sg.references.is_empty(), "{name}");
                assert_eq!(
                    parse_service_group(&write_service_group(&sg), &opts()).unwrap(),
                    sg
                );
                groups += 1;
            } else {
                let sm = match parse_signed_service_metadata(&xml, &opts()) {
                    Ok(sm) => sm,
                    Err(e) => {
                        // Participants that current Peppol policy refuses (see REFUSED_BY_POLICY).
                        let id_code = e.id_error().map(|i| i.code());
                        assert!(
                            REFUSED_BY_POLICY.contains(&(name.as_str(), id_code.unwrap_or(""))),
                            "{name}: {e}"
                        );
                        // Read as published (what `ferry lookup` does), they parse and the
                        // participant still says what the policy objects to.
                        let sm = parse_signed_service_metadata(&xml, &ParseOptions::as_published())
                            .unwrap_or_else(|e| panic!("{name} as published: {e}"));
                        let ServiceMetadata::Information(si) = &sm else {
                            panic!("{name}: expected ServiceInformation");
                        };
                        assert_eq!(
                            si.participant.policy_problem().map(|p| p.code()),
                            id_code,
                            "{name}"
                        );
                        refused += 1;
                        continue;
                    }
                };
                let again = parse_service_metadata(&write_service_metadata(&sm), &opts()).unwrap();
                assert_eq!(again, sm, "{name}");
                metadata += 1;
            }
        }
    }
    assert_eq!(
        (groups, metadata, refused),
        (3, 10, REFUSED_BY_POLICY.len())
    );
}

#[test]
fn commons_sample_values_are_read() {
    let spec = spec_dir();
    let xml = read_sample(
        &spec,
        "peppol/signed-peppol-commons/signed-service-metadata1.xml",
    );
    let ServiceMetadata::Information(si) = parse_signed_service_metadata(&xml, &opts()).unwrap()
    else {
        panic!("expected ServiceInformation");
    };
    assert_eq!(si.participant.value(), "0088:5026744000002");
    let e = &si.processes[0].endpoints[0];
    assert_eq!(e.transport_profile, "busdox-transport-as2-ver1p0");
    assert_eq!(e.address, "https://peppol.netedi.com/receive.aspx");
    assert!(!e.require_business_level_signature);
    assert_eq!(e.minimum_authentication_level.as_deref(), Some("1"));
    assert_eq!(
        e.service_activation_date.as_deref(),
        Some("2016-11-02T00:00:00Z")
    );
    assert_eq!(e.service_description, "");
    assert_eq!(
        e.technical_information_url.as_deref(),
        Some("+44 (0) 1772 977781")
    );
    assert!(
        e.certificate
            .starts_with("MIIFrzCCA5egAwIBAgIQGFKQA5zJVxoq")
    );
}

#[test]
fn redirect_sample_is_read() {
    let spec = spec_dir();
    let xml = read_sample(
        &spec,
        "peppol/signed-vefa/busdox-servicemetadata-redirect-0192-991825827.xml",
    );
    let ServiceMetadata::Redirect(r) = parse_signed_service_metadata(&xml, &opts()).unwrap() else {
        panic!("expected Redirect");
    };
    assert!(r.href.starts_with("http://test-smp2.difi.no/"));
    assert_eq!(
        r.certificate_uid,
        "C=NO,O=Direktoratet for Forvaltning og IKT,OU=PEPPOL TEST SMP,CN=PNO000179"
    );
}

#[test]
fn phoss_put_service_group_with_empty_collection() {
    let spec = spec_dir();
    let xml = read_sample(&spec, "peppol/phoss-rest-put/peppol-service-group.xml");
    let sg = parse_service_group(&xml, &opts()).unwrap();
    assert_eq!(sg.participant.value(), "9915:xxx");
    assert!(sg.references.is_empty());
    assert_eq!(
        parse_service_group(&write_service_group(&sg), &opts()).unwrap(),
        sg
    );
}

#[test]
fn phoss_put_service_metadata_needs_a_real_certificate() {
    let spec = spec_dir();
    let xml = read_sample(&spec, "peppol/phoss-rest-put/peppol-service-metadata.xml");
    let err = parse_service_metadata(&xml, &opts()).unwrap_err();
    assert_eq!(err.code(), "xml.invalid_certificate", "{err}");
    assert!(err.to_string().contains("Endpoint[1]/Certificate"), "{err}");

    let cert = ap_certificate_b64();
    let fixed = String::from_utf8(xml).unwrap().replace("blacert", &cert);
    let ServiceMetadata::Information(si) =
        parse_service_metadata(fixed.as_bytes(), &opts()).unwrap()
    else {
        panic!("expected ServiceInformation");
    };
    let e = &si.processes[0].endpoints[0];
    assert_eq!(e.certificate, cert);
    assert_eq!(e.transport_profile, "peppol-transport-as4-v2_0");
    assert_eq!(e.address, "http://test.smpserver/as4");
}

#[test]
fn phoss_business_card() {
    let spec = spec_dir();
    let xml = read_sample(&spec, "business-card/phoss-peppol-business-card-v3.xml");
    let bc = parse_business_card(&xml, &opts()).unwrap();
    assert_eq!(bc.participant.value(), "9915:xxx");
    let e = &bc.entities[0];
    assert_eq!(e.names[0].name, "Test entity");
    assert_eq!(e.names[0].language.as_deref(), Some("en"));
    assert_eq!(e.country_code, "AT");
    assert_eq!(e.identifiers[0].value, "12345678912");
    assert_eq!(
        parse_business_card(&smp_xml::write_business_card(&bc), &opts()).unwrap(),
        bc
    );
}
