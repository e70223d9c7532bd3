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

/// A profile change while a participant using it is being deleted (PostgreSQL; SQLite has
/// one writer at a time). The delete holds the participant's row, then cascades to its
/// endpoints; the profile change used to update every linked endpoint first and then wait
/// for that row: a deadlock, answered `500 internal.store` (found by bench/soak with two
/// nodes on PostgreSQL).
#[test]
fn a_profile_change_does_not_deadlock_with_a_concurrent_delete() {
    each_backend(|env| {
        if env.backend != "postgres" {
            return;
        }
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
        for p in [A, B] {
            r.participants()
                .create_participant(&env.admin, &using_profile(p))
                .unwrap();
        }
        let a_key = ParticipantId::parse(A).unwrap().key();
        let (locked, wait_locked) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            let deleter = s.spawn(|| {
                r.store().write(|conn| {
                    let row = smp_store::participants::get_by_key(conn, &a_key)?.unwrap();
                    // Hold A's row, as a delete does from its first statement on.
                    smp_store::participants::touch(conn, row.id, 1)?;
                    locked.send(()).unwrap();
                    // Let the profile change get as far as it can.
                    std::thread::sleep(std::time::Duration::from_millis(1500));
                    smp_store::participants::delete(conn, row.id)?;
                    Ok::<_, smp_store::StoreError>(())
                })
            });
            wait_locked.recv().unwrap();
            let update = r.profiles().update_profile(
                &env.admin,
                "main",
                &endpoint("https://new.example.org/as4"),
            );
            deleter.join().unwrap().expect("the delete commits");
            let update = update.expect("the profile change commits");
            assert_eq!(update.resigned_participants, 1, "only B is left");
        });
    });
}
