//! Every request in spec/sml/samples answered with its documented success or fault.

use crate::support::{Sample, Soap, element_text, fault_sample, samples_dir, start};

#[test]
fn every_request_sample_gets_its_documented_answer() {
    // Page size 1 so the List sample's page "2" exists and points at page "3" as in its response.
    let emulator = start(1);
    let smp = Soap::new(&emulator, Some("smp"));
    let smp2 = Soap::new(&emulator, Some("smp2"));
    let mut answered = Vec::new();
    let mut send = |who: &Soap, name: &str| {
        answered.push(name.to_owned());
        who.sample(name)
    };

    send(&smp, "bdmsl-isalive.request.xml").assert_empty_ok();

    // Reading an SMP that does not exist: fault-notfound-smp.
    let (status, expected) = fault_sample("fault-notfound-smp.response.xml");
    let got =
        send(&smp, "smp-read.request.xml").assert_fault(status, &expected.kind, expected.code);
    assert_eq!(got.message, expected.message);

    send(&smp, "smp-create.request.xml").assert_empty_ok();
    // A second Create of the same SMP ID is a bad request.
    send(&smp, "smp-create.request.xml").assert_fault(400, "BadRequestFault", 106);

    let read = send(&smp, "smp-read.request.xml");
    read.assert_ok();
    let expected = std::fs::read_to_string(samples_dir().join("smp-read.response.xml")).unwrap();
    for field in [
        "LogicalAddress",
        "PhysicalAddress",
        "ServiceMetadataPublisherID",
    ] {
        assert_eq!(
            element_text(&read.body, field),
            element_text(&expected, field),
            "{field}"
        );
    }
    assert!(read.body.contains(
        "<ServiceMetadataPublisherService xmlns=\"http://busdox.org/serviceMetadata/locator/1.0/\""
    ));

    // Another certificate reading the SMP: fault-unauthorized-certificate.
    let (status, expected) = fault_sample("fault-unauthorized-certificate.response.xml");
    let got =
        send(&smp2, "smp-read.request.xml").assert_fault(status, &expected.kind, expected.code);
    assert!(
        got.message.starts_with("[ERR-101] The SMP [SMP-EXAMPLE-OLD] was not created with the certificate [CN=FERRY-TEST-SMP-2,O=Ferry Test,C=BE:"),
        "{}",
        got.message
    );

    send(&smp, "participant-create.request.xml").assert_empty_ok();
    let (status, expected) = fault_sample("fault-badrequest-duplicate-participant.response.xml");
    let got = send(&smp, "participant-create.request.xml").assert_fault(
        status,
        &expected.kind,
        expected.code,
    );
    assert_eq!(
        got.message,
        "[ERR-106] The participant identifier [0088:5798000000001] with scheme: [iso6523-actorid-upis] already exist with naptr service [Meta:SMP] on subdomain: [sml.ferry.test]"
    );

    let exists = send(&smp, "bdmsl-exists-participant.request.xml");
    exists.assert_ok();
    let expected =
        std::fs::read_to_string(samples_dir().join("bdmsl-exists-participant.response.xml"))
            .unwrap();
    for field in [
        "ParticipantIdentifier",
        "ServiceMetadataPublisherID",
        "Exist",
    ] {
        assert_eq!(
            element_text(&exists.body, field),
            element_text(&expected, field),
            "{field}"
        );
    }

    // Three more participants so that page "2" (the third, page size 1) is followed by "3".
    for v in ["0088:5798000000002", "0088:5798000000003", "9915:test"] {
        smp.create("SMP-EXAMPLE-OLD", v).assert_empty_ok();
    }
    let page = send(&smp, "participant-list.request.xml");
    page.assert_ok();
    assert_eq!(
        element_text(&page.body, "NextPageIdentifier").as_deref(),
        Some("3")
    );
    assert_eq!(
        element_text(&page.body, "ServiceMetadataPublisherID").as_deref(),
        Some("SMP-EXAMPLE-OLD")
    );
    assert_eq!(
        page.body.matches("ParticipantIdentifier scheme=").count(),
        1
    );

    send(&smp, "participant-prepare-to-migrate.request.xml").assert_empty_ok();
    let (status, expected) = fault_sample("fault-migration-planned.response.xml");
    let got = send(&smp, "participant-delete.request.xml").assert_fault(
        status,
        &expected.kind,
        expected.code,
    );
    assert_eq!(got.message, expected.message);

    // The bad key of the fault sample, sent in the prepare sample.
    let (status, expected) = fault_sample("fault-badrequest-migration-key.response.xml");
    let bad = Sample::load("participant-prepare-to-migrate.request.xml");
    let xml = bad
        .xml
        .replace("Ab1$Cd2%Ef3^Gh4!Ij5+Kl6=", "77a9f1b1-0438-43f3-b56c-");
    let got = smp.call(&bad.service, &bad.action, &xml).assert_fault(
        status,
        &expected.kind,
        expected.code,
    );
    assert_eq!(got.message, expected.message);

    // Migrate to an SMP that does not exist yet: ERR-100.
    send(&smp2, "participant-migrate.request.xml").assert_fault(404, "NotFoundFault", 100);
    smp2.create_smp("SMP-EXAMPLE-NEW", "https://new.example.org")
        .assert_empty_ok();
    send(&smp2, "participant-migrate.request.xml").assert_empty_ok();
    // The record is consumed: a second Migrate has none (ERR-111).
    send(&smp2, "participant-migrate.request.xml").assert_fault(404, "NotFoundFault", 111);
    // The old SMP no longer has the participant.
    send(&smp, "participant-delete.request.xml").assert_fault(404, "NotFoundFault", 110);

    // The sample's certificate is a placeholder, not a PEM certificate.
    send(&smp, "bdmsl-prepare-change-certificate.request.xml").assert_fault(
        400,
        "BadRequestFault",
        106,
    );

    send(&smp, "smp-delete.request.xml").assert_empty_ok();
    send(&smp, "smp-read.request.xml").assert_fault(404, "NotFoundFault", 100);

    let mut all: Vec<String> = std::fs::read_dir(samples_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".request.xml"))
        .collect();
    all.sort();
    answered.sort();
    answered.dedup();
    assert_eq!(answered, all, "every request sample is exercised");
}

#[test]
fn malformed_requests_are_bad_request_faults() {
    let emulator = start(100);
    let smp = Soap::new(&emulator, Some("smp"));
    let create = Sample::load("smp-create.request.xml");
    for (action, body) in [
        (create.action.as_str(), "not xml at all"),
        (create.action.as_str(), "<a/>"),
        (
            create.action.as_str(),
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body/></soapenv:Envelope>",
        ),
        // Right body, wrong SOAPAction.
        (
            "http://busdox.org/serviceMetadata/ManageServiceMetadataService/1.0/:readIn",
            create.xml.as_str(),
        ),
    ] {
        smp.call("manageservicemetadata", action, body)
            .assert_fault(400, "BadRequestFault", 106);
    }
    // The nine spaces of the participant service actions are required.
    let p = Sample::load("participant-create.request.xml");
    let eight = p.action.replace("         :", "        :");
    smp.call(&p.service, &eight, &p.xml)
        .assert_fault(400, "BadRequestFault", 106);
    // Bad SMP ID and bad endpoint.
    smp.create_smp("bad id!", "https://x.example")
        .assert_fault(400, "BadRequestFault", 106);
    smp.create_smp("OK-ID", "ftp://x.example")
        .assert_fault(400, "BadRequestFault", 106);
    // Bad participant identifiers.
    smp.create_smp("OK-ID", "https://x.example")
        .assert_empty_ok();
    smp.create("OK-ID", "not-an-icd")
        .assert_fault(400, "BadRequestFault", 106);
    smp.create("OK-ID", "0088:has space")
        .assert_fault(400, "BadRequestFault", 106);
}

#[test]
fn no_client_certificate_is_unauthorized() {
    let emulator = start(100);
    let anonymous = Soap::new(&emulator, None);
    anonymous
        .sample("bdmsl-isalive.request.xml")
        .assert_empty_ok();
    anonymous
        .sample("smp-create.request.xml")
        .assert_fault(401, "UnauthorizedFault", 101);
}
