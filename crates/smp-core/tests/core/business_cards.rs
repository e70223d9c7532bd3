use peppol_id::ParticipantId;
use smp_core::business_card_key;
use smp_xml::{BusinessCard, BusinessEntity, Contact, EntityIdentifier, Name, ParseOptions};

use crate::publication::with_endpoint;
use crate::support::{PARTICIPANT, each_backend};

fn card(pid: &ParticipantId) -> BusinessCard {
    BusinessCard {
        participant: pid.clone(),
        entities: vec![BusinessEntity {
            names: vec![Name {
                name: "Ferry Test BV".into(),
                language: Some("nl".into()),
            }],
            country_code: "BE".into(),
            geographical_information: Some("Brussels".into()),
            identifiers: vec![EntityIdentifier {
                scheme: "VAT".into(),
                value: "BE0123456749".into(),
            }],
            websites: vec!["https://example.org".into()],
            contacts: vec![Contact {
                contact_type: Some("support".into()),
                name: Some("Ops".into()),
                phone_number: None,
                email: Some("ops@example.org".into()),
            }],
            additional_information: None,
            registration_date: Some("2026-01-31".into()),
        }],
    }
}

#[test]
fn business_cards_round_trip_and_delete() {
    each_backend(|env| {
        let r = &env.registry;
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        assert_eq!(
            r.participants()
                .put_business_card(&env.admin, &pid, &card(&pid))
                .unwrap_err()
                .code(),
            "participant.not_found"
        );
        r.participants()
            .create_participant(
                &env.admin,
                &with_endpoint(PARTICIPANT, "https://ap.example.org/as4"),
            )
            .unwrap();
        r.participants()
            .put_business_card(&env.admin, &pid, &card(&pid))
            .unwrap();
        let doc = r
            .documents()
            .load(&business_card_key(&pid))
            .unwrap()
            .unwrap();
        let parsed = smp_xml::parse_business_card(&doc.content, &ParseOptions::default()).unwrap();
        assert_eq!(parsed, card(&pid));
        r.participants()
            .delete_business_card(&env.admin, &pid)
            .unwrap();
        assert!(
            r.documents()
                .load(&business_card_key(&pid))
                .unwrap()
                .is_none()
        );
        assert_eq!(
            r.participants()
                .delete_business_card(&env.admin, &pid)
                .unwrap_err()
                .code(),
            "business_card.not_found"
        );
    });
}
