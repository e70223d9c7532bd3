//! Hostile or wrong input gives the exact error code.

use smp_xml::{
    ParseOptions, parse_business_card, parse_service_group, parse_service_metadata,
    parse_signed_service_metadata,
};

use crate::common::ap_certificate_b64;

const SMP: &str = "http://busdox.org/serviceMetadata/publishing/1.0/";

fn group(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<smp:ServiceGroup xmlns:smp="{SMP}" xmlns:id="http://busdox.org/transport/identifiers/1.0/">{body}</smp:ServiceGroup>"#
    )
}

const PID: &str = r#"<id:ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</id:ParticipantIdentifier>"#;

fn group_code(xml: &str) -> &'static str {
    parse_service_group(xml.as_bytes(), &ParseOptions::default())
        .unwrap_err()
        .code()
}

/// A valid ServiceMetadata whose endpoint children are `endpoint_body`.
fn metadata_with_endpoint(endpoint_body: &str) -> String {
    format!(
        r#"<smp:ServiceMetadata xmlns:smp="{SMP}" xmlns:id="http://busdox.org/transport/identifiers/1.0/" xmlns:wsa="http://www.w3.org/2005/08/addressing"><smp:ServiceInformation>{PID}<id:DocumentIdentifier scheme="busdox-docid-qns">urn:x::y##z::2.1</id:DocumentIdentifier><smp:ProcessList><smp:Process><id:ProcessIdentifier scheme="cenbii-procid-ubl">urn:p</id:ProcessIdentifier><smp:ServiceEndpointList><smp:Endpoint transportProfile="peppol-transport-as4-v2_0">{endpoint_body}</smp:Endpoint></smp:ServiceEndpointList></smp:Process></smp:ProcessList></smp:ServiceInformation></smp:ServiceMetadata>"#
    )
}

fn endpoint(rbls: &str, dates: &str, cert: &str, extra_after_cert: &str) -> String {
    format!(
        "<wsa:EndpointReference><wsa:Address>https://ap.example.org/as4</wsa:Address><wsa:ReferenceParameters><x/></wsa:ReferenceParameters><wsa:Metadata/><o:Other xmlns:o=\"urn:o\"/></wsa:EndpointReference>\
         <smp:RequireBusinessLevelSignature>{rbls}</smp:RequireBusinessLevelSignature>{dates}\
         <smp:Certificate>{cert}</smp:Certificate>{extra_after_cert}<smp:ServiceDescription>d</smp:ServiceDescription>\
         <smp:TechnicalContactUrl>https://example.org</smp:TechnicalContactUrl>"
    )
}

fn metadata_code(xml: &str) -> &'static str {
    parse_service_metadata(xml.as_bytes(), &ParseOptions::default())
        .unwrap_err()
        .code()
}

#[test]
fn valid_baselines_parse() {
    let sg = group(&format!("{PID}<smp:ServiceMetadataReferenceCollection/>"));
    parse_service_group(sg.as_bytes(), &ParseOptions::default()).unwrap();
    let sm = metadata_with_endpoint(&endpoint("true", "", &ap_certificate_b64(), ""));
    parse_service_metadata(sm.as_bytes(), &ParseOptions::default()).unwrap();
}

#[test]
fn malformed() {
    assert_eq!(group_code("<smp:ServiceGroup"), "xml.malformed");
    assert_eq!(
        group_code(&group(PID).replace("</smp:ServiceGroup>", "")),
        "xml.malformed"
    );
    assert_eq!(group_code("<a></b>"), "xml.malformed");
    assert_eq!(group_code("not xml"), "xml.malformed");
    let latin1 = b"<?xml version=\"1.0\"?><a>\xE9</a>";
    let err = parse_service_group(latin1, &ParseOptions::default()).unwrap_err();
    assert_eq!(err.code(), "xml.malformed");
}

#[test]
fn doctype_and_entities_are_refused() {
    let xxe = format!(
        r#"<?xml version="1.0"?><!DOCTYPE smp:ServiceGroup [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>{}"#,
        group(&format!("{PID}<smp:ServiceMetadataReferenceCollection><smp:ServiceMetadataReference href=\"&xxe;\"/></smp:ServiceMetadataReferenceCollection>"))
            .trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#)
    );
    assert_eq!(group_code(&xxe), "xml.dtd_forbidden");
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"#;
    assert_eq!(group_code(laughs), "xml.dtd_forbidden");
    // An undeclared entity without any DOCTYPE is refused the same way.
    assert_eq!(
        group_code(&group(&format!(
            "{PID}<smp:ServiceMetadataReferenceCollection>&lol;</smp:ServiceMetadataReferenceCollection>"
        ))),
        "xml.dtd_forbidden"
    );
    let bc = r#"<!DOCTYPE x SYSTEM "http://example.org/x.dtd"><BusinessCard xmlns="http://www.peppol.eu/schema/pd/businesscard/20180621/"/>"#;
    assert_eq!(
        parse_business_card(bc.as_bytes(), &ParseOptions::default())
            .unwrap_err()
            .code(),
        "xml.dtd_forbidden"
    );
}

/// Found by the xml_service_group fuzz target: an extension element named `ext:Sub/` was
/// accepted and stored, and the document written from it did not parse.
#[test]
fn extension_names_must_be_xml_names() {
    let xml = group(&format!(
        r#"{PID}<smp:ServiceMetadataReferenceCollection/><smp:Extension><ext:Info xmlns:ext="urn:x">a<ext:Sub//></ext:Info></smp:Extension>"#
    ));
    assert_eq!(group_code(&xml), "xml.malformed");
}

#[test]
fn oversize_is_refused_before_parsing() {
    let xml = group(&format!("{PID}<smp:ServiceMetadataReferenceCollection/>"));
    let opts = ParseOptions {
        max_bytes: xml.len() - 1,
        ..ParseOptions::default()
    };
    let err = parse_service_group(xml.as_bytes(), &opts).unwrap_err();
    assert_eq!(err.code(), "xml.too_large");
    // Even garbage: the size check comes first.
    let err = parse_service_group(
        &[b'<'; 100],
        &ParseOptions {
            max_bytes: 10,
            ..ParseOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "xml.too_large");
    assert!(
        parse_service_group(
            xml.as_bytes(),
            &ParseOptions {
                max_bytes: xml.len(),
                ..ParseOptions::default()
            }
        )
        .is_ok()
    );
}

#[test]
fn wrong_namespace() {
    let xml = group(&format!("{PID}<smp:ServiceMetadataReferenceCollection/>"))
        .replace(SMP, "http://docs.oasis-open.org/bdxr/ns/SMP/2016/05");
    assert_eq!(group_code(&xml), "xml.wrong_namespace");
    assert_eq!(group_code("<ServiceGroup/>"), "xml.wrong_namespace");
    // The right namespace but another root element is a misplaced element.
    let sm = metadata_with_endpoint(&endpoint("true", "", &ap_certificate_b64(), ""));
    assert_eq!(group_code(&sm), "xml.unexpected_element");
}

#[test]
fn unexpected_elements() {
    assert_eq!(
        group_code(&group(&format!(
            "{PID}<smp:Bogus/><smp:ServiceMetadataReferenceCollection/>"
        ))),
        "xml.unexpected_element"
    );
    assert_eq!(
        group_code(&group(&format!(
            "{PID}<smp:ServiceMetadataReferenceCollection/><smp:Bogus/>"
        ))),
        "xml.unexpected_element"
    );
    assert_eq!(
        group_code(&group(&format!(
            "{PID}<smp:ServiceMetadataReferenceCollection>text</smp:ServiceMetadataReferenceCollection>"
        ))),
        "xml.unexpected_element"
    );
    // Extension takes exactly one element.
    assert_eq!(
        group_code(&group(&format!(
            "{PID}<smp:ServiceMetadataReferenceCollection/><smp:Extension><a/><b/></smp:Extension>"
        ))),
        "xml.unexpected_element"
    );
    let cert = ap_certificate_b64();
    // Out of schema order: ServiceActivationDate after Certificate.
    let xml = metadata_with_endpoint(&endpoint(
        "true",
        "",
        &cert,
        "<smp:ServiceActivationDate>2020-01-01T00:00:00Z</smp:ServiceActivationDate>",
    ));
    assert_eq!(metadata_code(&xml), "xml.unexpected_element");
    // An unknown WS-Addressing element inside EndpointReference.
    let xml = metadata_with_endpoint(&endpoint("true", "", &cert, ""))
        .replace("<wsa:Metadata/>", "<wsa:Metadata/><wsa:Bogus/>");
    assert_eq!(metadata_code(&xml), "xml.unexpected_element");
}

#[test]
fn missing_elements() {
    assert_eq!(group_code(&group(PID)), "xml.missing_element");
    assert_eq!(
        group_code(&group("<smp:ServiceMetadataReferenceCollection/>")),
        "xml.missing_element"
    );
    let cert = ap_certificate_b64();
    let xml = metadata_with_endpoint(&endpoint("true", "", &cert, "")).replace(
        "<smp:TechnicalContactUrl>https://example.org</smp:TechnicalContactUrl>",
        "",
    );
    assert_eq!(metadata_code(&xml), "xml.missing_element");
    let xml = metadata_with_endpoint(&endpoint("true", "", &cert, ""))
        .replace(" transportProfile=\"peppol-transport-as4-v2_0\"", "");
    assert_eq!(metadata_code(&xml), "xml.missing_element");
    let signed_without_signature = format!(
        r#"<smp:SignedServiceMetadata xmlns:smp="{SMP}">{}</smp:SignedServiceMetadata>"#,
        metadata_with_endpoint(&endpoint("true", "", &cert, ""))
    );
    let err = parse_signed_service_metadata(
        signed_without_signature.as_bytes(),
        &ParseOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "dsig.missing", "{err}");
}

#[test]
fn invalid_identifiers_keep_the_id_error() {
    let bad = PID.replace("0088:5798000000001", "0088:5798000000002");
    let err = parse_service_group(
        group(&format!("{bad}<smp:ServiceMetadataReferenceCollection/>")).as_bytes(),
        &ParseOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "xml.invalid_identifier", "{err}");
    assert!(err.id_error().is_some_and(|e| e.code().starts_with("id.")));
    let bad = PID.replace("iso6523-actorid-upis", "bogus-scheme");
    assert_eq!(
        group_code(&group(&format!(
            "{bad}<smp:ServiceMetadataReferenceCollection/>"
        ))),
        "xml.invalid_identifier"
    );
    let xml = metadata_with_endpoint(&endpoint("true", "", &ap_certificate_b64(), ""))
        .replace("busdox-docid-qns", "no-such-scheme");
    assert_eq!(metadata_code(&xml), "xml.invalid_identifier");
}

#[test]
fn invalid_values() {
    let cert = ap_certificate_b64();
    assert_eq!(
        metadata_code(&metadata_with_endpoint(&endpoint("yes", "", &cert, ""))),
        "xml.invalid_value"
    );
    let bad_date = "<smp:ServiceActivationDate>2020-02-30T00:00:00Z</smp:ServiceActivationDate>";
    assert_eq!(
        metadata_code(&metadata_with_endpoint(&endpoint(
            "true", bad_date, &cert, ""
        ))),
        "xml.invalid_value"
    );
    let xml = metadata_with_endpoint(&endpoint("true", "", &cert, ""))
        .replace("https://ap.example.org/as4", "  ");
    assert_eq!(metadata_code(&xml), "xml.invalid_value");
    // Certificates: not base64, base64 of something else.
    assert_eq!(
        metadata_code(&metadata_with_endpoint(&endpoint(
            "true", "", "blacert", ""
        ))),
        "xml.invalid_certificate"
    );
    assert_eq!(
        metadata_code(&metadata_with_endpoint(&endpoint(
            "true", "", "aGVsbG8=", ""
        ))),
        "xml.invalid_certificate"
    );
    assert_eq!(
        metadata_code(&metadata_with_endpoint(&endpoint("true", "", "", ""))),
        "xml.invalid_certificate"
    );
    let bc = r#"<BusinessCard xmlns="http://www.peppol.eu/schema/pd/businesscard/20180621/"><ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</ParticipantIdentifier><BusinessEntity><Name>x</Name><CountryCode>BEL</CountryCode></BusinessEntity></BusinessCard>"#;
    assert_eq!(
        parse_business_card(bc.as_bytes(), &ParseOptions::default())
            .unwrap_err()
            .code(),
        "xml.invalid_value"
    );
}

#[test]
fn certificate_whitespace_is_removed() {
    let cert = ap_certificate_b64();
    let wrapped: String = cert
        .as_bytes()
        .chunks(64)
        .map(|c| format!("{}\n  ", String::from_utf8_lossy(c)))
        .collect();
    let sm = parse_service_metadata(
        metadata_with_endpoint(&endpoint("1", "", &wrapped, "")).as_bytes(),
        &ParseOptions::default(),
    )
    .unwrap();
    let smp_xml::ServiceMetadata::Information(si) = sm else {
        panic!()
    };
    assert_eq!(si.processes[0].endpoints[0].certificate, cert);
    assert!(si.processes[0].endpoints[0].require_business_level_signature);
}

#[test]
fn comments_and_processing_instructions_are_ignored() {
    let xml = group(&format!(
        "<!-- c -->{PID}<?pi x?><smp:ServiceMetadataReferenceCollection><!-- c --></smp:ServiceMetadataReferenceCollection>"
    ));
    parse_service_group(xml.as_bytes(), &ParseOptions::default()).unwrap();
}
