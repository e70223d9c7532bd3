//! Ownership, migration between two SMPs, lists and paging, certificate change.

use crate::support::{LRS, SCHEME, Soap, element_text, envelope, naptr, repo_file, start};

const KEY1: &str = "11AAbb$$";
const KEY2: &str = "1Ab$1Ab$";

#[test]
fn migration_between_two_smps() {
    let emulator = start(100);
    let a = Soap::new(&emulator, Some("smp"));
    let b = Soap::new(&emulator, Some("smp2"));
    a.create_smp("SMP-A", "https://a.example.org/smp")
        .assert_empty_ok();
    b.create_smp("SMP-B", "https://b.example.org")
        .assert_empty_ok();
    let p = "0208:0677424046";
    a.create("SMP-A", p).assert_empty_ok();

    // The other certificate cannot touch SMP-A's participants.
    b.create("SMP-A", "0208:1234567890")
        .assert_fault(401, "UnauthorizedFault", 101);
    b.delete("SMP-A", p)
        .assert_fault(401, "UnauthorizedFault", 101);
    b.prepare("SMP-A", p, KEY1)
        .assert_fault(401, "UnauthorizedFault", 101);
    // Registered anywhere means ERR-106 for everyone.
    b.create("SMP-B", p)
        .assert_fault(400, "BadRequestFault", 106);
    // Case-insensitive identifiers.
    b.create("SMP-B", &p.to_uppercase())
        .assert_fault(400, "BadRequestFault", 106);

    // Migrate without a record: ERR-111.
    b.migrate("SMP-B", p, KEY1)
        .assert_fault(404, "NotFoundFault", 111);
    // Prepare for a participant the SMP does not have: ERR-110.
    a.prepare("SMP-A", "0208:1111111111", KEY1)
        .assert_fault(404, "NotFoundFault", 110);

    a.prepare("SMP-A", p, KEY1).assert_empty_ok();
    // A pending record blocks Delete.
    a.delete("SMP-A", p)
        .assert_fault(401, "UnauthorizedFault", 114);
    // Re-prepare replaces the key: the first key no longer works.
    a.prepare("SMP-A", p, KEY2).assert_empty_ok();
    b.migrate("SMP-B", p, KEY1)
        .assert_fault(400, "BadRequestFault", 106);
    // The caller must own the new SMP (checked before the key).
    a.migrate("SMP-B", p, KEY2)
        .assert_fault(401, "UnauthorizedFault", 101);
    // Unknown new SMP comes first of all.
    b.migrate("SMP-NOPE", p, KEY2)
        .assert_fault(404, "NotFoundFault", 100);

    assert_eq!(
        naptr(emulator.dns_addr(), p, false),
        Ok(vec!["!.*!https://a.example.org/smp!".to_owned()])
    );
    b.migrate("SMP-B", p, KEY2).assert_empty_ok();
    assert_eq!(
        naptr(emulator.dns_addr(), p, false),
        Ok(vec!["!.*!https://b.example.org!".to_owned()])
    );

    // Now SMP-B owns it: A cannot delete, B can (no record pending any more).
    a.delete("SMP-A", p).assert_fault(404, "NotFoundFault", 110);
    let list = b.list("SMP-B", None);
    list.assert_ok();
    assert_eq!(
        element_text(&list.body, "ParticipantIdentifier").as_deref(),
        Some(p)
    );
    b.delete("SMP-B", p).assert_empty_ok();
    assert_eq!(naptr(emulator.dns_addr(), p, false), Err(true));

    // Migrating to oneself consumes the record (how an SMP cancels a migration).
    a.create("SMP-A", p).assert_empty_ok();
    a.prepare("SMP-A", p, KEY1).assert_empty_ok();
    a.migrate("SMP-A", p, KEY1).assert_empty_ok();
    a.delete("SMP-A", p).assert_empty_ok();

    let state: serde_json::Value =
        reqwest::blocking::get(format!("{}/state", emulator.admin_url()))
            .unwrap()
            .json()
            .unwrap();
    assert_eq!(state["smps"].as_array().unwrap().len(), 2);
    assert_eq!(state["participants"].as_array().unwrap().len(), 0);
    assert_eq!(state["migrations"].as_array().unwrap().len(), 0);
}

#[test]
fn lists_are_limited_and_paged() {
    let emulator = start(3);
    let a = Soap::new(&emulator, Some("smp"));
    a.create_smp("SMP-A", "https://a.example.org")
        .assert_empty_ok();
    let values: Vec<String> = (0..101).map(|i| format!("9915:p{i:03}")).collect();

    a.list_op("CreateList", "createListIn", "SMP-A", &values)
        .assert_fault(400, "BadRequestFault", 106);
    a.list_op("CreateList", "createListIn", "SMP-A", &[])
        .assert_fault(400, "BadRequestFault", 106);
    a.list_op("CreateList", "createListIn", "SMP-A", &values[..100])
        .assert_empty_ok();
    // All or nothing: one duplicate refuses the whole list.
    a.list_op("CreateList", "createListIn", "SMP-A", &values[99..101])
        .assert_fault(400, "BadRequestFault", 106);
    a.create("SMP-A", &values[100]).assert_empty_ok();

    // Walk the pages.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = a.list("SMP-A", next.as_deref());
        page.assert_ok();
        let count = page.body.matches("<ns2:ParticipantIdentifier").count();
        assert!(count <= 3);
        for chunk in page.body.split(&format!("scheme=\"{SCHEME}\">")).skip(1) {
            seen.push(chunk.split('<').next().unwrap().to_owned());
        }
        next = element_text(&page.body, "NextPageIdentifier");
        if next.is_none() {
            break;
        }
    }
    assert_eq!(seen, values);
    a.list("SMP-A", Some("x"))
        .assert_fault(400, "BadRequestFault", 106);

    a.list_op("DeleteList", "deleteListIn", "SMP-A", &values)
        .assert_fault(400, "BadRequestFault", 106);
    a.list_op("DeleteList", "deleteListIn", "SMP-A", &values[..100])
        .assert_empty_ok();
    let rest = a.list("SMP-A", None);
    assert_eq!(
        element_text(&rest.body, "ParticipantIdentifier").as_deref(),
        Some("9915:p100")
    );
    assert!(element_text(&rest.body, "NextPageIdentifier").is_none());
}

#[test]
fn smp_update_and_delete_move_dns_and_participants() {
    let emulator = start(100);
    let a = Soap::new(&emulator, Some("smp"));
    a.create_smp("SMP-A", "https://a.example.org")
        .assert_empty_ok();
    a.create("SMP-A", "0088:5798000000001").assert_empty_ok();
    let update = envelope(&format!(
        r#"<lrs:UpdateServiceMetadataPublisherService xmlns:lrs="{LRS}"><lrs:PublisherEndpoint><lrs:LogicalAddress>https://moved.example.org</lrs:LogicalAddress><lrs:PhysicalAddress>10.0.0.1</lrs:PhysicalAddress></lrs:PublisherEndpoint><lrs:ServiceMetadataPublisherID>SMP-A</lrs:ServiceMetadataPublisherID></lrs:UpdateServiceMetadataPublisherService>"#
    ));
    a.call(
        "manageservicemetadata",
        "http://busdox.org/serviceMetadata/ManageServiceMetadataService/1.0/:updateIn",
        &update,
    )
    .assert_empty_ok();
    assert_eq!(
        naptr(emulator.dns_addr(), "0088:5798000000001", true),
        Ok(vec!["!.*!https://moved.example.org!".to_owned()])
    );
    let delete = envelope(&format!(
        r#"<lrs:ServiceMetadataPublisherID xmlns:lrs="{LRS}">SMP-A</lrs:ServiceMetadataPublisherID>"#
    ));
    a.call(
        "manageservicemetadata",
        "http://busdox.org/serviceMetadata/ManageServiceMetadataService/1.0/:deleteIn",
        &delete,
    )
    .assert_empty_ok();
    assert_eq!(
        naptr(emulator.dns_addr(), "0088:5798000000001", true),
        Err(true)
    );
}

#[test]
fn prepare_change_certificate_hands_the_smp_to_the_new_certificate() {
    let emulator = start(100);
    let a = Soap::new(&emulator, Some("smp"));
    let b = Soap::new(&emulator, Some("smp2"));
    a.create_smp("SMP-A", "https://a.example.org")
        .assert_empty_ok();
    b.list("SMP-A", None)
        .assert_fault(401, "UnauthorizedFault", 101);
    let pem = std::fs::read_to_string(repo_file("certs-test/smp/smp2.crt.pem")).unwrap();
    let body = |date: &str| {
        envelope(&format!(
            r#"<bdmsl:PrepareChangeCertificate xmlns:bdmsl="ec:services:wsdl:BDMSL:data:1.0"><bdmsl:newCertificatePublicKey>{}</bdmsl:newCertificatePublicKey>{date}</bdmsl:PrepareChangeCertificate>"#,
            pem.trim()
        ))
    };
    let action = "ec:services:wsdl:BDMSL:1.0:prepareChangeCertificateIn";
    // A date in the past is refused; one in the future keeps the old certificate for now.
    a.call(
        "bdmslservice",
        action,
        &body("<bdmsl:migrationDate>2020-01-01</bdmsl:migrationDate>"),
    )
    .assert_fault(400, "BadRequestFault", 106);
    a.call(
        "bdmslservice",
        action,
        &body("<bdmsl:migrationDate>2999-01-01</bdmsl:migrationDate>"),
    )
    .assert_empty_ok();
    a.list("SMP-A", None).assert_ok();
    b.list("SMP-A", None)
        .assert_fault(401, "UnauthorizedFault", 101);
    // Without a date the change applies at once.
    a.call("bdmslservice", action, &body("")).assert_empty_ok();
    b.list("SMP-A", None).assert_ok();
    a.list("SMP-A", None)
        .assert_fault(401, "UnauthorizedFault", 101);
    // The caller of PrepareChangeCertificate must own an SMP.
    a.call("bdmslservice", action, &body(""))
        .assert_fault(401, "UnauthorizedFault", 101);
}
