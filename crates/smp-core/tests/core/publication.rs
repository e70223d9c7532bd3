use peppol_id::{DocumentTypeId, ParticipantId};
use smp_core::{
    CapabilitySpec, EndpointSpec, NewParticipant, service_group_key, service_metadata_key,
};
use smp_xml::{DsigVerifier, ParseOptions, ServiceMetadata, SignatureVerifier};

use crate::support::{DOCTYPE, PARTICIPANT, PROCESS, ap_cert_b64, each_backend};

pub(crate) fn endpoint(url: &str) -> EndpointSpec {
    EndpointSpec {
        url: url.into(),
        transport_profile: "peppol-transport-as4-v2_0".into(),
        certificate: ap_cert_b64(),
        service_description: "test AP".into(),
        technical_contact_url: "mailto:ops@example.org".into(),
        technical_information_url: None,
        require_business_level_signature: false,
        minimum_authentication_level: None,
        activation_date: None,
        expiration_date: None,
    }
}

pub(crate) fn with_endpoint(participant: &str, url: &str) -> NewParticipant {
    NewParticipant {
        participant: participant.into(),
        capabilities: vec![CapabilitySpec {
            document_type: DOCTYPE.into(),
            process: PROCESS.into(),
            endpoint: Some(endpoint(url)),
            endpoint_profile: None,
        }],
        owner: None,
        create_in_sml: None,
    }
}

#[test]
fn create_publishes_a_signed_document_and_an_absolute_href() {
    each_backend(|env| {
        let r = &env.registry;
        r.participants()
            .create_participant(
                &env.admin,
                &with_endpoint(PARTICIPANT, "https://ap.example.org/as4"),
            )
            .unwrap();
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        let doctype = DocumentTypeId::parse(DOCTYPE).unwrap();

        let group = r
            .documents()
            .load(&service_group_key(&pid))
            .unwrap()
            .expect("service group published");
        let group_text = String::from_utf8(group.content.to_vec()).unwrap();
        let href = format!(
            "http://smp.test/{}/services/{}",
            pid.path_segment(),
            doctype.path_segment()
        );
        assert!(
            group_text.contains(&href.replace('&', "&amp;")),
            "{} lacks {href}",
            env.backend
        );

        let signed = r
            .documents()
            .load(&service_metadata_key(&pid, &doctype))
            .unwrap()
            .expect("metadata published");
        DsigVerifier.verify(&signed.content).unwrap();
        match smp_xml::parse_signed_service_metadata(&signed.content, &ParseOptions::default())
            .unwrap()
        {
            ServiceMetadata::Information(info) => {
                assert_eq!(
                    info.processes[0].endpoints[0].address,
                    "https://ap.example.org/as4"
                );
            }
            ServiceMetadata::Redirect(_) => panic!("expected service information"),
        }
        assert!(signed.etag.starts_with('"') && signed.etag.ends_with('"'));
    });
}

#[test]
fn a_write_replaces_cached_bytes() {
    each_backend(|env| {
        let r = &env.registry;
        r.participants()
            .create_participant(
                &env.admin,
                &with_endpoint(PARTICIPANT, "https://old.example.org/as4"),
            )
            .unwrap();
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        let key = service_metadata_key(&pid, &DocumentTypeId::parse(DOCTYPE).unwrap());
        let first = r.documents().load(&key).unwrap().unwrap();
        assert!(
            r.documents().cached(&key).is_some(),
            "a load fills the cache"
        );

        let spec = with_endpoint(PARTICIPANT, "https://new.example.org/as4")
            .capabilities
            .remove(0);
        r.participants()
            .add_capability(&env.admin, &pid, &spec)
            .unwrap();
        assert!(
            r.documents().cached(&key).is_none(),
            "a write drops the cached bytes"
        );
        let second = r.documents().load(&key).unwrap().unwrap();
        assert_ne!(first.etag, second.etag);
        assert!(String::from_utf8_lossy(&second.content).contains("https://new.example.org/as4"));
    });
}

#[test]
fn delete_removes_every_document() {
    each_backend(|env| {
        let r = &env.registry;
        r.participants()
            .create_participant(
                &env.admin,
                &with_endpoint(PARTICIPANT, "https://ap.example.org/as4"),
            )
            .unwrap();
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        r.participants()
            .delete_participant(&env.admin, &pid)
            .unwrap();
        assert!(
            r.documents()
                .load(&service_group_key(&pid))
                .unwrap()
                .is_none()
        );
        assert!(
            r.documents()
                .load(&service_metadata_key(
                    &pid,
                    &DocumentTypeId::parse(DOCTYPE).unwrap()
                ))
                .unwrap()
                .is_none()
        );
        let again = r
            .participants()
            .delete_participant(&env.admin, &pid)
            .unwrap_err();
        assert_eq!(again.code(), "participant.not_found");
    });
}

#[test]
fn participant_lookup_is_case_insensitive() {
    each_backend(|env| {
        let r = &env.registry;
        r.participants()
            .create_participant(
                &env.admin,
                &with_endpoint(PARTICIPANT, "https://ap.example.org/as4"),
            )
            .unwrap();
        let upper = ParticipantId::parse(&PARTICIPANT.to_uppercase()).unwrap();
        assert!(
            r.documents()
                .load(&service_group_key(&upper))
                .unwrap()
                .is_some()
        );
        let dup = r.participants().create_participant(
            &env.admin,
            &with_endpoint(&PARTICIPANT.to_uppercase(), "https://x.example.org/as4"),
        );
        assert_eq!(dup.unwrap_err().code(), "participant.exists");
    });
}

#[test]
fn republishing_follows_the_fingerprint() {
    each_backend(|env| {
        let r = &env.registry;
        r.participants()
            .create_participant(
                &env.admin,
                &with_endpoint(PARTICIPANT, "https://ap.example.org/as4"),
            )
            .unwrap();
        assert_eq!(
            r.documents().republish_if_needed().unwrap(),
            1,
            "first start renders everything once"
        );
        assert!(r.documents().publication_is_current().unwrap());
        assert_eq!(
            r.documents().republish_if_needed().unwrap(),
            0,
            "nothing changed, nothing to do"
        );
    });
}

/// The write path signs the model it parsed (no detour through stored strings), and the
/// bytes equal what the stored record renders to when everything is republished.
#[test]
fn a_put_signs_the_parsed_model_exactly_as_republication_renders_it() {
    each_backend(|env| {
        let r = &env.registry;
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        let doctype = DocumentTypeId::parse(DOCTYPE).unwrap();
        r.participants()
            .create_participant(
                &env.admin,
                &with_endpoint(PARTICIPANT, "https://ap.example.org/as4"),
            )
            .unwrap();
        let key = service_metadata_key(&pid, &doctype);
        let first = r.documents().load(&key).unwrap().unwrap();
        let mut model =
            smp_xml::parse_signed_service_metadata(&first.content, &ParseOptions::default())
                .unwrap();
        let ServiceMetadata::Information(info) = &mut model else {
            panic!("information expected");
        };
        info.processes[0].endpoints[0].address = "https://other.example.org/as4".into();
        info.extension = Some(
            smp_xml::Extension::parse(
                r#"<x:Note xmlns:x="urn:example:ext" x:lang="en"><x:Text>kept</x:Text></x:Note>"#,
            )
            .unwrap(),
        );
        r.participants()
            .put_service_metadata(&env.admin, &pid, &doctype, &model)
            .unwrap();
        let written = r.documents().load(&key).unwrap().unwrap();
        assert!(
            String::from_utf8_lossy(&written.content).contains("other.example.org"),
            "the PUT was published"
        );
        // The first start of the publication fingerprint re-renders every stored record.
        assert_eq!(r.documents().republish_if_needed().unwrap(), 1);
        let rendered = r.documents().load(&key).unwrap().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&written.content),
            String::from_utf8_lossy(&rendered.content),
            "signed from the model == rendered from the record"
        );
    });
}
