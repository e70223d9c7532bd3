//! phoss-SMP compatible management with the phoss REST samples, and the public read API
//! checked with xmllint (official XSDs) and xmlsec1 (signatures).

use ferry_e2e::{
    ADMIN_TOKEN, AP_CERT_PLACEHOLDER, DOCTYPE, DOCTYPE_VALUE, FerryProcess, PARTICIPANT,
    ap_cert_b64, assert_problem, business_card_sample, encode_segment, for_each_database, hrefs,
    metadata_path, participant_path, phoss_service_group, phoss_service_metadata,
    publish_phoss_sample, xmllint_validate, xmlsec_verify,
};

const SMP_XSD: &str = "smp/xsd/peppol/peppol-smp-types-v1.xsd";
const BUSINESS_CARD_XSD: &str =
    "smp/xsd/peppol-directory/peppol-directory-business-card-20180621.xsd";

fn group_path() -> String {
    participant_path(PARTICIPANT)
}

fn metadata() -> String {
    metadata_path(PARTICIPANT, DOCTYPE)
}

fn business_card_path() -> String {
    format!("/businesscard/{}", encode_segment(PARTICIPANT))
}

/// GETs `path`, asserts a 200 text/xml answer and returns its body.
fn get_xml(ferry: &FerryProcess, path: &str) -> Vec<u8> {
    let response = ferry.get(path);
    response.assert_xml_ok();
    response.body
}

#[test]
fn service_group_sample_is_stored_and_served_valid() {
    for_each_database(&[], |ferry| {
        let group = phoss_service_group();
        ferry
            .put_xml(&group_path(), group, Some(ADMIN_TOKEN))
            .assert_status(200);
        let served = get_xml(ferry, &group_path());
        xmllint_validate(&served, SMP_XSD);
        assert!(String::from_utf8_lossy(&served).contains("9915:xxx"));
    });
}

#[test]
fn placeholder_certificate_is_rejected_and_nothing_stored() {
    for_each_database(&[], |ferry| {
        let group = phoss_service_group();
        let bad = phoss_service_metadata(AP_CERT_PLACEHOLDER);
        ferry
            .put_xml(&group_path(), group, Some(ADMIN_TOKEN))
            .assert_status(200);
        let put = ferry.put_xml(&metadata(), bad, Some(ADMIN_TOKEN));
        assert_problem(&put, 400, "xml.invalid_certificate");
        assert_problem(&ferry.get(&metadata()), 404, "service.not_found");
        let group = ferry.get(&group_path());
        group.assert_xml_ok();
        assert!(hrefs(&group.text()).is_empty(), "{group}");
    });
}

#[test]
fn signed_metadata_validates_and_verifies() {
    for_each_database(&[], |ferry| {
        publish_phoss_sample(ferry);
        let served = get_xml(ferry, &metadata());
        let text = String::from_utf8_lossy(&served);
        assert!(text.contains("SignedServiceMetadata"), "{text}");
        assert!(
            text.contains(&ap_cert_b64()),
            "AP certificate missing: {text}"
        );
        xmllint_validate(&served, SMP_XSD);
        xmlsec_verify(&served);
    });
}

#[test]
fn service_group_hrefs_are_absolute_and_followable() {
    for_each_database(&[], |ferry| {
        publish_phoss_sample(ferry);
        let group = get_xml(ferry, &group_path());
        xmllint_validate(&group, SMP_XSD);
        let links = hrefs(&String::from_utf8_lossy(&group));
        assert_eq!(links.len(), 1, "{}", String::from_utf8_lossy(&group));
        let path = links[0]
            .strip_prefix(ferry.base_url())
            .unwrap_or_else(|| panic!("href {} is not under {}", links[0], ferry.base_url()));
        assert_eq!(get_xml(ferry, path), get_xml(ferry, &metadata()));
    });
}

#[test]
fn services_path_and_doctype_without_scheme_are_served() {
    for_each_database(&[], |ferry| {
        publish_phoss_sample(ferry);
        let services = format!("{}/services", group_path());
        assert_eq!(get_xml(ferry, &services), get_xml(ferry, &group_path()));
        let without_scheme = metadata_path(PARTICIPANT, DOCTYPE_VALUE);
        assert_eq!(get_xml(ferry, &without_scheme), get_xml(ferry, &metadata()));
    });
}

#[test]
fn percent_encoding_variants_and_participant_case_are_equivalent() {
    for_each_database(&[], |ferry| {
        publish_phoss_sample(ferry);
        let reference = get_xml(ferry, &metadata());
        let lower_hex = metadata().replace("%3A", "%3a");
        // Raw colons; `#` must stay encoded or it would start a fragment.
        let raw_colons = format!(
            "/{PARTICIPANT}/services/{}",
            encode_segment(DOCTYPE).replace("%3A", ":")
        );
        let upper_case = metadata_path("iso6523-actorid-upis::9915:XXX", DOCTYPE);
        for path in [lower_hex, raw_colons, upper_case] {
            assert_eq!(get_xml(ferry, &path), reference, "GET {path}");
        }
        assert_eq!(
            get_xml(ferry, &format!("/{PARTICIPANT}")),
            get_xml(ferry, &group_path())
        );
    });
}

#[test]
fn etag_and_if_none_match_give_304() {
    for_each_database(&[], |ferry| {
        publish_phoss_sample(ferry);
        for path in [group_path(), metadata()] {
            let first = ferry.get(&path);
            first.assert_xml_ok();
            assert!(first.header("last-modified").is_some(), "{first}");
            let etag = first
                .header("etag")
                .unwrap_or_else(|| panic!("no ETag\n{first}"));
            let again = ferry.get_with_headers(&path, &[("if-none-match", etag)]);
            again.assert_status(304);
            assert!(again.body.is_empty(), "{again}");
            let other = ferry.get_with_headers(&path, &[("if-none-match", "\"other\"")]);
            other.assert_xml_ok();
        }
    });
}

#[test]
fn business_card_put_get_delete() {
    for_each_database(&[], |ferry| {
        let group = phoss_service_group();
        let card = business_card_sample(PARTICIPANT);
        ferry
            .put_xml(&group_path(), group, Some(ADMIN_TOKEN))
            .assert_status(200);
        ferry
            .put_xml(&business_card_path(), card, Some(ADMIN_TOKEN))
            .assert_status(200);
        let served = get_xml(ferry, &business_card_path());
        xmllint_validate(&served, BUSINESS_CARD_XSD);
        assert!(String::from_utf8_lossy(&served).contains("Test entity"));
        ferry
            .delete(&business_card_path(), Some(ADMIN_TOKEN))
            .assert_status(200);
        assert_problem(
            &ferry.get(&business_card_path()),
            404,
            "business_card.not_found",
        );
    });
}

#[test]
fn delete_removes_metadata_then_participant() {
    for_each_database(&[], |ferry| {
        publish_phoss_sample(ferry);
        ferry
            .delete(&metadata(), Some(ADMIN_TOKEN))
            .assert_status(200);
        assert_problem(&ferry.get(&metadata()), 404, "service.not_found");
        let group = get_xml(ferry, &group_path());
        assert!(hrefs(&String::from_utf8_lossy(&group)).is_empty());
        ferry
            .delete(&group_path(), Some(ADMIN_TOKEN))
            .assert_status(200);
        assert_problem(&ferry.get(&group_path()), 404, "participant.not_found");
        // Either code is right for a document of a participant that is gone.
        ferry.get(&metadata()).assert_status(404);
    });
}
