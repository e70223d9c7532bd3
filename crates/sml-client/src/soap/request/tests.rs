use super::*;

fn p(s: &str) -> ParticipantId {
    ParticipantId::parse(s).unwrap()
}

fn text(r: &SoapRequest) -> String {
    String::from_utf8(r.envelope.clone()).unwrap()
}

#[test]
fn escapes_values() {
    let q = p("iso6523-actorid-upis::9915:a&b<c>");
    let r = create_participant_request("SMP", &q).unwrap();
    assert!(text(&r).contains(">9915:a&amp;b&lt;c&gt;</ids:ParticipantIdentifier>"));
    smp_xml::dom::parse_document(&r.envelope, &smp_xml::ParseOptions::default()).unwrap();
}

#[test]
fn list_limits() {
    let ps: Vec<_> = (0..=MAX_LIST_PARTICIPANTS)
        .map(|i| p(&format!("iso6523-actorid-upis::9915:p{i}")))
        .collect();
    assert!(matches!(
        create_participants_request("SMP", &ps),
        Err(SmlError::TooManyParticipants { max: 100, got: 101 })
    ));
    let r = delete_participants_request("SMP", &ps[..100]).unwrap();
    assert_eq!(text(&r).matches("<ids:ParticipantIdentifier ").count(), 100);
    let r = create_participants_request("SMP", &[]).unwrap();
    assert!(text(&r).contains("<lrs:CreateList xmlns:lrs"));
}

#[test]
fn bad_smp_ids_are_refused() {
    let q = p("iso6523-actorid-upis::9915:test");
    for id in ["", "a b", "a\u{0}b", "x\n"] {
        assert!(matches!(
            create_participant_request(id, &q),
            Err(SmlError::InvalidRequest {
                field: "smp_id",
                ..
            })
        ));
        assert!(delete_smp_request(id).is_err());
        assert!(list_participants_request(id, None).is_err());
    }
    assert!(list_participants_request("SMP", Some("a\u{1}")).is_err());
}

#[test]
fn dates() {
    for ok in ["2027-01-15", "2028-02-29", "2000-02-29", "2026-12-31"] {
        check_xs_date(ok).unwrap();
    }
    for bad in [
        "2027-1-15",
        "2027-13-01",
        "2027-02-29",
        "1900-02-29",
        "2027-04-31",
        "27-01-15x",
        "2027-01-00",
        "+027-01-15",
        "２０２７-01-15",
    ] {
        assert!(check_xs_date(bad).is_err(), "{bad}");
    }
}

#[test]
fn certificate_pem_or_der() {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../certs-test/smp/smp2.crt.pem"
    ))
    .unwrap();
    let der = openssl::x509::X509::from_pem(&pem)
        .unwrap()
        .to_der()
        .unwrap();
    let a = prepare_change_certificate_request(&pem, Some("2027-01-15")).unwrap();
    let b = prepare_change_certificate_request(&der, Some("2027-01-15")).unwrap();
    assert_eq!(a, b);
    let t = text(&a);
    assert!(t.contains("<bdmsl:newCertificatePublicKey>-----BEGIN CERTIFICATE-----\n"));
    assert!(t.contains("\n-----END CERTIFICATE-----</bdmsl:newCertificatePublicKey><bdmsl:migrationDate>2027-01-15</bdmsl:migrationDate>"));
    assert!(
        !text(&prepare_change_certificate_request(&pem, None).unwrap()).contains("migrationDate")
    );
    assert!(matches!(
        prepare_change_certificate_request(b"not a cert", None),
        Err(SmlError::InvalidRequest {
            field: "new_certificate",
            ..
        })
    ));
    assert!(matches!(
        prepare_change_certificate_request(&pem, Some("15.01.2027")),
        Err(SmlError::InvalidRequest {
            field: "migration_date",
            ..
        })
    ));
}

#[test]
fn debug_hides_the_envelope() {
    let key = MigrationKey::new("11AAbb$$").unwrap();
    let r = migrate_request("SMP", &p("iso6523-actorid-upis::9915:test"), &key).unwrap();
    assert!(!format!("{r:?}").contains("11AAbb"));
}
