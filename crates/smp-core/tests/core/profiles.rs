use peppol_id::{DocumentTypeId, ParticipantId};
use smp_core::{CapabilitySpec, NewParticipant, ProfileSpec, service_metadata_key};
use smp_xml::{DsigVerifier, SignatureVerifier};

use crate::publication::endpoint;
use crate::support::{DOCTYPE, PROCESS, each_backend};

const A: &str = "iso6523-actorid-upis::0208:0123456749";
const B: &str = "iso6523-actorid-upis::0088:5798000000001";

fn using_profile(participant: &str) -> NewParticipant {
    NewParticipant {
        participant: participant.into(),
        capabilities: vec![CapabilitySpec {
            document_type: DOCTYPE.into(),
            process: PROCESS.into(),
            endpoint: None,
            endpoint_profile: Some("main".into()),
        }],
        owner: None,
        create_in_sml: None,
    }
}

#[test]
fn changing_a_profile_resigns_every_user_of_it() {
    each_backend(|env| {
        let r = &env.registry;
        r.profiles()
            .create_profile(
                &env.admin,
                &ProfileSpec {
                    name: "main".into(),
                    endpoint: endpoint("https://old.example.org/as4"),
                },
            )
            .unwrap();
        r.participants()
            .create_participant(&env.admin, &using_profile(A))
            .unwrap();
        r.participants()
            .create_participant(&env.admin, &using_profile(B))
            .unwrap();

        let update = r
            .profiles()
            .update_profile(&env.admin, "main", &endpoint("https://new.example.org/as4"))
            .unwrap();
        assert_eq!(update.resigned_participants, 2);
        let doctype = DocumentTypeId::parse(DOCTYPE).unwrap();
        for p in [A, B] {
            let doc = r
                .documents()
                .load(&service_metadata_key(
                    &ParticipantId::parse(p).unwrap(),
                    &doctype,
                ))
                .unwrap()
                .unwrap();
            assert!(
                String::from_utf8_lossy(&doc.content).contains("https://new.example.org/as4"),
                "{p}"
            );
            DsigVerifier.verify(&doc.content).unwrap();
        }
        let view = r
            .participants()
            .participant(&env.admin, &ParticipantId::parse(A).unwrap())
            .unwrap();
        assert_eq!(
            view.capabilities[0].endpoint_profile.as_deref(),
            Some("main")
        );
    });
}

#[test]
fn a_profile_in_use_cannot_be_deleted() {
    each_backend(|env| {
        let r = &env.registry;
        r.profiles()
            .create_profile(
                &env.admin,
                &ProfileSpec {
                    name: "main".into(),
                    endpoint: endpoint("https://ap.example.org/as4"),
                },
            )
            .unwrap();
        r.participants()
            .create_participant(&env.admin, &using_profile(A))
            .unwrap();
        assert_eq!(
            r.profiles()
                .delete_profile(&env.admin, "main")
                .unwrap_err()
                .code(),
            "profile.in_use"
        );
        r.participants()
            .delete_participant(&env.admin, &ParticipantId::parse(A).unwrap())
            .unwrap();
        r.profiles().delete_profile(&env.admin, "main").unwrap();
        assert_eq!(
            r.profiles().profile("main").unwrap_err().code(),
            "profile.not_found"
        );
    });
}

#[test]
fn profiles_refuse_bad_certificates_and_duplicates() {
    each_backend(|env| {
        let r = &env.registry;
        let mut bad = endpoint("https://ap.example.org/as4");
        bad.certificate = "blacert".into();
        let err = r
            .profiles()
            .create_profile(
                &env.admin,
                &ProfileSpec {
                    name: "bad".into(),
                    endpoint: bad,
                },
            )
            .unwrap_err();
        assert_eq!(err.code(), "input.invalid");
        let spec = ProfileSpec {
            name: "main".into(),
            endpoint: endpoint("https://ap.example.org/as4"),
        };
        r.profiles().create_profile(&env.admin, &spec).unwrap();
        assert_eq!(
            r.profiles()
                .create_profile(&env.admin, &spec)
                .unwrap_err()
                .code(),
            "profile.exists"
        );
    });
}
