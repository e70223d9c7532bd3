//! Parked import: batches with one CreateList each, resumable reruns, fallback to SML
//! jobs when CreateList fails, and inactive marking of participants a newer dump lacks.

use std::sync::Arc;

use party_config::{Actor, Handover, ParkedImportSpec, ParkedParticipant};
use peppol_id::ParticipantId;
use smp_core::ProfileSpec;

use crate::scheme_migration::FakeSml;
use crate::support::endpoint;
use crate::support::{DOCTYPE, PROCESS, each_backend_with_sml_registry};

fn line(n: u32) -> ParkedParticipant {
    ParkedParticipant {
        participant: format!("iso6523-actorid-upis::9915:parked{n:05}"),
        name: format!("Parked {n}"),
        country: "be".into(),
    }
}

fn spec(started_at: i64) -> ParkedImportSpec {
    ParkedImportSpec {
        endpoint_profile: "parking".into(),
        document_type: DOCTYPE.into(),
        process: PROCESS.into(),
        started_at,
    }
}

fn with_registry(test: impl Fn(&Actor, &Handover, &FakeSml)) {
    each_backend_with_sml_registry(
        || Some(Arc::new(FakeSml::default())),
        |env, sml| {
            env.registry
                .core()
                .profiles()
                .create_profile(
                    &env.admin,
                    &ProfileSpec {
                        name: "parking".into(),
                        endpoint: endpoint("https://parking.example.org/as4"),
                    },
                )
                .unwrap();
            let sml = sml.unwrap();
            test(&env.admin, &env.registry, &sml);
        },
    );
}

#[test]
fn batches_register_with_one_create_list_and_rerun_resumes() {
    with_registry(|admin, r, sml| {
        let lines: Vec<_> = (0..150).map(line).collect();
        let first = r
            .parked_import()
            .import_parked_batch(admin, &spec(1), &lines[..100])
            .unwrap();
        assert_eq!((first.created, first.sml_registered), (100, 100));
        assert_eq!(*sml.1.lock().unwrap(), 1, "one CreateList for the batch");
        let p = ParticipantId::parse(&lines[0].participant).unwrap();
        let view = r.core().participants().participant(admin, &p).unwrap();
        assert_eq!(view.sml_state, smp_core::SmlState::Registered);
        assert!(view.has_business_card);
        assert_eq!(
            view.capabilities[0].endpoint_profile.as_deref(),
            Some("parking")
        );

        // Rerun of the whole file: the first 100 are skipped, the rest created.
        let second = r
            .parked_import()
            .import_parked_batch(admin, &spec(1), &lines[..100])
            .unwrap();
        assert_eq!((second.created, second.existing), (0, 100));
        let third = r
            .parked_import()
            .import_parked_batch(admin, &spec(1), &lines[100..])
            .unwrap();
        assert_eq!((third.created, third.sml_registered), (50, 50));
        assert_eq!(sml.count(), 150);

        let too_many: Vec<_> = (0..101).map(line).collect();
        assert_eq!(
            r.parked_import()
                .import_parked_batch(admin, &spec(1), &too_many)
                .unwrap_err()
                .code(),
            "input.invalid"
        );
    });
}

#[test]
fn a_failed_create_list_leaves_durable_jobs() {
    with_registry(|admin, r, sml| {
        *sml.2.lock().unwrap() = true;
        let lines: Vec<_> = (0..3).map(line).collect();
        let out = r
            .parked_import()
            .import_parked_batch(admin, &spec(1), &lines)
            .unwrap();
        assert_eq!((out.created, out.sml_queued), (3, 3), "{out:?}");
        assert!(out.sml_error.is_some());
        assert_eq!(r.core().sml_sync().run_sml_jobs(sml, 10).unwrap().done, 3);
        assert_eq!(sml.count(), 3);
    });
}

#[test]
fn bad_lines_are_rejected_and_a_newer_dump_marks_missing_ones_inactive() {
    with_registry(|admin, r, _| {
        let mut lines: Vec<_> = (0..3).map(line).collect();
        lines.push(ParkedParticipant {
            participant: "not an identifier".into(),
            name: "x".into(),
            country: "BE".into(),
        });
        lines.push(ParkedParticipant {
            country: "Belgium".into(),
            ..line(9)
        });
        let out = r
            .parked_import()
            .import_parked_batch(admin, &spec(1), &lines)
            .unwrap();
        assert_eq!((out.created, out.rejected.len()), (3, 2), "{out:?}");
        assert_eq!(r.parked_import().finish_parked_import(admin, 1).unwrap(), 0);

        // The newer dump lacks line 2.
        let newer = r
            .parked_import()
            .import_parked_batch(admin, &spec(2), &lines[..2])
            .unwrap();
        assert_eq!(newer.existing, 2);
        assert_eq!(r.parked_import().finish_parked_import(admin, 2).unwrap(), 1);
        assert_eq!(
            r.parked_import().finish_parked_import(admin, 2).unwrap(),
            0,
            "idempotent"
        );

        // Listed again later: active again.
        let again = r
            .parked_import()
            .import_parked_batch(admin, &spec(3), &lines[..3])
            .unwrap();
        assert_eq!(again.reactivated, 1);
    });
}

/// Two batches written at the same time that share participants, in opposite order: on
/// PostgreSQL one waits on the other's insert (unique violation) or they deadlock and one
/// is aborted. Either way both batches succeed and each participant exists once.
#[test]
fn concurrent_batches_sharing_participants_both_succeed() {
    with_registry(|admin, r, sml| {
        let forward: Vec<_> = (0..40).map(line).collect();
        let backward: Vec<_> = (0..40).rev().map(line).collect();
        let (a, b) = std::thread::scope(|scope| {
            let a = scope.spawn(|| {
                r.parked_import()
                    .import_parked_batch(admin, &spec(1), &forward)
            });
            let b = scope.spawn(|| {
                r.parked_import()
                    .import_parked_batch(admin, &spec(1), &backward)
            });
            (a.join().unwrap(), b.join().unwrap())
        });
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.created + b.created, 40, "{a:?} {b:?}");
        assert_eq!(a.existing + b.existing, 40, "{a:?} {b:?}");
        assert_eq!(sml.count(), 40);
    });
}
