//! Scheme-ID migration (9956 → 0208 and a general pair): copies with identical
//! capabilities, SML jobs for both steps, resumable runs, removal after the overlap, and
//! the three-stage report.

use std::collections::HashSet;
use std::sync::Mutex;

use party_config::SchemeMigrationRequest;
use peppol_id::ParticipantId;
use smp_core::{NewParticipant, SmlFailure, SmlFailureKind, SmlRegistry};

use crate::support::with_endpoint;
use crate::support::{Env, each_backend_with_sml};

const OLD_A: &str = "iso6523-actorid-upis::9956:0123456749";
const OLD_B: &str = "iso6523-actorid-upis::9956:1234567894";
const NEW_A: &str = "iso6523-actorid-upis::0208:0123456749";
const NEW_B: &str = "iso6523-actorid-upis::0208:1234567894";
const HOUR_MS: i64 = 3_600_000;

/// An SML that records who is registered, counts CreateList calls and can fail the next.
#[derive(Default)]
pub(crate) struct FakeSml(
    Mutex<HashSet<String>>,
    pub(crate) Mutex<usize>,
    pub(crate) Mutex<bool>,
);

impl FakeSml {
    pub(crate) fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    pub(crate) fn has(&self, p: &str) -> bool {
        self.0
            .lock()
            .unwrap()
            .contains(&ParticipantId::parse(p).unwrap().key())
    }
}

fn refused() -> SmlFailure {
    SmlFailure {
        kind: SmlFailureKind::Refused,
        code: "sml.err_110".into(),
        message: "not supported by this fake".into(),
    }
}

impl SmlRegistry for FakeSml {
    fn create_participant(&self, p: &ParticipantId) -> Result<(), SmlFailure> {
        self.0.lock().unwrap().insert(p.key());
        Ok(())
    }
    fn create_participants(&self, ps: &[ParticipantId]) -> Result<(), SmlFailure> {
        *self.1.lock().unwrap() += 1;
        if std::mem::take(&mut *self.2.lock().unwrap()) {
            return Err(SmlFailure {
                kind: SmlFailureKind::Transient,
                code: "sml.transport".into(),
                message: "connection reset".into(),
            });
        }
        let mut set = self.0.lock().unwrap();
        set.extend(ps.iter().map(ParticipantId::key));
        Ok(())
    }
    fn delete_participant(&self, p: &ParticipantId) -> Result<(), SmlFailure> {
        self.0.lock().unwrap().remove(&p.key());
        Ok(())
    }
    fn participant_exists(&self, p: &ParticipantId) -> Result<bool, SmlFailure> {
        Ok(self.0.lock().unwrap().contains(&p.key()))
    }
    fn list_participants(&self) -> Result<Vec<ParticipantId>, SmlFailure> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|k| ParticipantId::parse(k).unwrap())
            .collect())
    }
    fn prepare_to_migrate(&self, _: &ParticipantId, _: &str) -> Result<(), SmlFailure> {
        Err(refused())
    }
    fn migrate(&self, _: &ParticipantId, _: &str) -> Result<(), SmlFailure> {
        Err(refused())
    }
    fn lookup_smp(&self, _: &ParticipantId) -> Result<Option<String>, SmlFailure> {
        Ok(None)
    }
}

fn request(from: &str, to: &str, overlap_ms: i64, dry_run: bool) -> SchemeMigrationRequest {
    SchemeMigrationRequest {
        from_icd: from.into(),
        to_icd: to.into(),
        overlap_ms,
        dry_run,
    }
}

fn setup(env: &Env, sml: &FakeSml) {
    let r = &env.registry;
    r.core()
        .participants()
        .create_participant(
            &env.admin,
            &with_endpoint(OLD_A, "https://ap-a.example.org/as4"),
        )
        .unwrap();
    r.core()
        .participants()
        .create_participant(
            &env.admin,
            &with_endpoint(OLD_B, "https://ap-b.example.org/as4"),
        )
        .unwrap();
    assert_eq!(r.core().sml_sync().run_sml_jobs(sml, 10).unwrap().done, 2);
    // The report compares creation times with the migration's start (ms resolution).
    std::thread::sleep(std::time::Duration::from_millis(5));
}

fn exists(env: &Env, p: &str) -> bool {
    env.registry
        .core()
        .participants()
        .participant(&env.admin, &ParticipantId::parse(p).unwrap())
        .is_ok()
}

#[test]
fn copies_with_identical_capabilities_and_is_resumable() {
    each_backend_with_sml(|env| {
        let r = &env.registry;
        let sml = FakeSml::default();
        setup(&env, &sml);

        let dry = r
            .scheme_migration()
            .migrate_scheme(&env.admin, &request("9956", "0208", HOUR_MS, true))
            .unwrap();
        assert_eq!((dry.registered, dry.dry_run), (2, true));
        assert!(!exists(&env, NEW_A), "a dry run changes nothing");

        let run = r
            .scheme_migration()
            .migrate_scheme(&env.admin, &request("9956", "0208", HOUR_MS, false))
            .unwrap();
        assert_eq!((run.registered, run.old_removed), (2, 0), "{run:?}");
        assert!(run.rejected.is_empty(), "{run:?}");
        for (old, new) in [(OLD_A, NEW_A), (OLD_B, NEW_B)] {
            let old_view = r
                .core()
                .participants()
                .participant(&env.admin, &ParticipantId::parse(old).unwrap())
                .unwrap();
            let new_view = r
                .core()
                .participants()
                .participant(&env.admin, &ParticipantId::parse(new).unwrap())
                .unwrap();
            assert_eq!(
                serde_json::to_value(&old_view.capabilities).unwrap(),
                serde_json::to_value(&new_view.capabilities).unwrap()
            );
            assert_eq!(new_view.sml_state, smp_core::SmlState::Pending);
        }
        assert_eq!(r.core().sml_sync().run_sml_jobs(&sml, 10).unwrap().done, 2);
        assert!(sml.has(NEW_A) && sml.has(OLD_A), "both during the overlap");

        // A rerun finds everything done and inside the overlap.
        let again = r
            .scheme_migration()
            .migrate_scheme(&env.admin, &request("9956", "0208", HOUR_MS, false))
            .unwrap();
        assert_eq!((again.registered, again.in_overlap), (0, 2), "{again:?}");

        // Someone registers under the old scheme after the start: stage 1 shows it.
        r.core()
            .participants()
            .create_participant(
                &env.admin,
                &NewParticipant {
                    participant: "iso6523-actorid-upis::9956:0203201340".into(),
                    capabilities: vec![],
                    owner: None,
                    create_in_sml: Some(false),
                },
            )
            .unwrap();
        let report = r
            .scheme_migration()
            .scheme_migration_report(&env.admin, "9956", "0208")
            .unwrap();
        assert_eq!(report.new_under_old_since_start, 1, "{report:?}");
        assert!(!report.no_new_under_old());
        assert_eq!((report.migrated, report.not_migrated), (2, 1), "{report:?}");
        assert!((report.migrated_percent - 200.0 / 3.0).abs() < 0.01);
        assert_eq!((report.old_removed, report.old_remaining), (0, 3));
        assert!(!report.old_scheme_gone());
    });
}

#[test]
fn removes_the_old_identifier_after_the_overlap() {
    each_backend_with_sml(|env| {
        let r = &env.registry;
        let sml = FakeSml::default();
        setup(&env, &sml);
        let first = r
            .scheme_migration()
            .migrate_scheme(&env.admin, &request("9956", "0208", 0, false))
            .unwrap();
        assert_eq!((first.registered, first.old_removed), (2, 0));
        r.core().sml_sync().run_sml_jobs(&sml, 10).unwrap();

        let second = r
            .scheme_migration()
            .migrate_scheme(&env.admin, &request("9956", "0208", 0, false))
            .unwrap();
        assert_eq!(
            (second.registered, second.old_removed),
            (0, 2),
            "{second:?}"
        );
        assert_eq!(r.core().sml_sync().run_sml_jobs(&sml, 10).unwrap().done, 2);
        assert!(!exists(&env, OLD_A) && !exists(&env, OLD_B));
        assert!(exists(&env, NEW_A) && exists(&env, NEW_B));
        assert!(!sml.has(OLD_A) && !sml.has(OLD_B));
        assert!(sml.has(NEW_A) && sml.has(NEW_B));

        let report = r
            .scheme_migration()
            .scheme_migration_report(&env.admin, "9956", "0208")
            .unwrap();
        assert!(
            report.no_new_under_old() && report.old_scheme_gone(),
            "{report:?}"
        );
        assert_eq!((report.migrated, report.old_removed), (2, 2));
        assert!((report.migrated_percent - 100.0).abs() < f64::EPSILON);

        // Nothing left to do.
        let third = r
            .scheme_migration()
            .migrate_scheme(&env.admin, &request("9956", "0208", 0, false))
            .unwrap();
        assert_eq!((third.registered, third.old_removed), (0, 0));
    });
}

#[test]
fn identifiers_invalid_under_the_new_scheme_are_reported_not_migrated() {
    each_backend_with_sml(|env| {
        let r = &env.registry;
        for p in [
            "iso6523-actorid-upis::9915:0123456749",
            "iso6523-actorid-upis::9915:not-a-number",
        ] {
            r.core()
                .participants()
                .create_participant(
                    &env.admin,
                    &NewParticipant {
                        participant: p.into(),
                        capabilities: vec![],
                        owner: None,
                        create_in_sml: Some(false),
                    },
                )
                .unwrap();
        }
        let run = r
            .scheme_migration()
            .migrate_scheme(&env.admin, &request("9915", "0208", HOUR_MS, false))
            .unwrap();
        assert_eq!(run.registered, 1);
        assert_eq!(run.rejected.len(), 1, "{run:?}");
        assert!(run.rejected[0].participant.ends_with("not-a-number"));
        assert!(run.rejected[0].code.starts_with("id."), "{run:?}");
        assert!(exists(&env, NEW_A));

        let user = env.user("alice");
        assert_eq!(
            r.scheme_migration()
                .migrate_scheme(&user, &request("9915", "0208", 0, false))
                .unwrap_err()
                .code(),
            "auth.admin_required"
        );
        assert_eq!(
            r.scheme_migration()
                .migrate_scheme(&env.admin, &request("9915", "9915", 0, false))
                .unwrap_err()
                .code(),
            "input.invalid"
        );
    });
}
