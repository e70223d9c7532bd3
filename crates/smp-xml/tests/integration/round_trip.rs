//! parse(write(x)) == x for every document type, with every optional element.

use crate::common::{ap_certificate_b64, extension, full_information, full_redirect, participant};
use smp_xml::{
    BusinessCard, BusinessEntity, Contact, EntityIdentifier, Extension, Name, ParseOptions,
    ServiceGroup, parse_business_card, parse_service_group, parse_service_metadata,
    write_business_card, write_service_group, write_service_metadata,
};

fn opts() -> ParseOptions {
    ParseOptions::default()
}

#[test]
fn service_metadata_round_trips() {
    for sm in [full_information(&ap_certificate_b64()), full_redirect()] {
        let xml = write_service_metadata(&sm);
        assert_eq!(parse_service_metadata(&xml, &opts()).unwrap(), sm);
        // Writing is deterministic, so the bytes are stable as well.
        let again = parse_service_metadata(&xml, &opts()).unwrap();
        assert_eq!(write_service_metadata(&again), xml);
    }
}

#[test]
fn writer_uses_peppol_prefixes_and_declares_namespaces_on_the_root() {
    let xml = String::from_utf8(write_service_metadata(&full_information(
        &ap_certificate_b64(),
    )))
    .unwrap();
    assert!(
        xml.starts_with(concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<smp:ServiceMetadata xmlns:id="http://busdox.org/transport/identifiers/1.0/" "#,
            r#"xmlns:smp="http://busdox.org/serviceMetadata/publishing/1.0/" "#,
            r#"xmlns:wsa="http://www.w3.org/2005/08/addressing"><smp:ServiceInformation>"#
        )),
        "{xml}"
    );
    assert!(
        xml.contains("<wsa:Address>https://ap1.example.org/as4?a=1&amp;b=&lt;2&gt;</wsa:Address>")
    );
    assert!(xml.contains("<smp:ServiceDescription>Test \"AP\" &amp; co</smp:ServiceDescription>"));
    // The extension keeps its own namespaces.
    assert!(xml.contains(r#"<smp:Extension><ext:Info xmlns:ext="urn:example:ext" xmlns:o="urn:example:other" o:kind="endpoint">"#), "{xml}");
    assert_eq!(xml.matches("xmlns:smp=").count(), 1);
}

#[test]
fn service_group_round_trips() {
    for sg in [
        ServiceGroup { participant: participant(), references: vec![], extension: None },
        ServiceGroup {
            participant: participant(),
            references: vec![
                "https://smp.example.org/iso6523-actorid-upis%3A%3A0088%3A5798000000001/services/a%23b".to_owned(),
                "https://smp.example.org/x?y=1&z=\"2\"".to_owned(),
            ],
            extension: Some(extension("group")),
        },
    ] {
        assert_eq!(parse_service_group(&write_service_group(&sg), &opts()).unwrap(), sg);
    }
}

#[test]
fn business_card_round_trips() {
    let entity = |full: bool| BusinessEntity {
        names: vec![
            Name {
                name: "Test & <Co>".to_owned(),
                language: full.then(|| "en".to_owned()),
            },
            Name {
                name: "Test en Co".to_owned(),
                language: Some("nl".to_owned()),
            },
        ],
        country_code: "BE".to_owned(),
        geographical_information: full.then(|| "Street 1\n1000 Brussels".to_owned()),
        identifiers: if full {
            vec![EntityIdentifier {
                scheme: "VAT".to_owned(),
                value: "BE0123456749".to_owned(),
            }]
        } else {
            vec![]
        },
        websites: if full {
            vec![
                "https://example.org".to_owned(),
                "https://example.be".to_owned(),
            ]
        } else {
            vec![]
        },
        contacts: if full {
            vec![
                Contact {
                    contact_type: Some("support".to_owned()),
                    name: Some("Jane".to_owned()),
                    phone_number: Some("+32 2 000 00 00".to_owned()),
                    email: Some("jane@example.org".to_owned()),
                },
                Contact {
                    contact_type: None,
                    name: None,
                    phone_number: None,
                    email: Some("x@example.org".to_owned()),
                },
            ]
        } else {
            vec![]
        },
        additional_information: full.then(|| "more".to_owned()),
        registration_date: full.then(|| "2020-02-29".to_owned()),
    };
    for bc in [
        BusinessCard {
            participant: participant(),
            entities: vec![],
        },
        BusinessCard {
            participant: participant(),
            entities: vec![entity(true), entity(false)],
        },
    ] {
        assert_eq!(
            parse_business_card(&write_business_card(&bc), &opts()).unwrap(),
            bc
        );
    }
}

#[test]
fn extension_from_a_default_namespace_document_round_trips() {
    let xml = br#"<ServiceGroup xmlns="http://busdox.org/serviceMetadata/publishing/1.0/" xmlns:ids="http://busdox.org/transport/identifiers/1.0/">
  <ids:ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</ids:ParticipantIdentifier>
  <ServiceMetadataReferenceCollection/>
  <Extension><Foo xmlns:q="urn:q" q:a="1"><Bar>t</Bar></Foo></Extension>
</ServiceGroup>"#;
    let sg = parse_service_group(xml, &opts()).unwrap();
    let ext = sg.extension.clone().unwrap();
    // Foo is in the SMP namespace (inherited default) and carries that declaration itself.
    assert_eq!(
        ext.as_str(),
        r#"<Foo xmlns="http://busdox.org/serviceMetadata/publishing/1.0/" xmlns:q="urn:q" q:a="1"><Bar>t</Bar></Foo>"#
    );
    assert_eq!(Extension::parse(ext.as_str()).unwrap(), ext);
    assert_eq!(
        parse_service_group(&write_service_group(&sg), &opts()).unwrap(),
        sg
    );
}
