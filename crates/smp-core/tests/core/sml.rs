//! The SML registration worker, against an in-memory SML that can lose answers and refuse.
//! (The real SML emulator over its SOAP and DNS ports is exercised end to end in `tests/`.)

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use peppol_id::ParticipantId;
use smp_core::{ListParams, NewParticipant, SmlFailure, SmlFailureKind, SmlRegistry};

use crate::support::{PARTICIPANT, each_backend_with_sml};

/// What the fake does on the next create/delete call.
#[derive(Clone, Copy)]
enum Script {
    /// Apply the change, then lose the answer (transport error after commit).
    ApplyThenLose,
    /// Fail in transit without applying.
    Down,
    /// Refuse with ERR-101.
    Unauthorized,
}

#[derive(Default)]
struct FakeSml {
    registered: Mutex<HashSet<String>>,
    script: Mutex<VecDeque<Script>>,
    writes: Mutex<usize>,
}

impl FakeSml {
    fn transient() -> SmlFailure {
        SmlFailure {
            kind: SmlFailureKind::Transient,
            code: "sml.transport".into(),
            message: "connection reset".into(),
        }
    }

    fn write(&self, p: &ParticipantId, register: bool) -> Result<(), SmlFailure> {
        *self.writes.lock().unwrap() += 1;
        let step = self.script.lock().unwrap().pop_front();
        if let Some(Script::Down) = step {
            return Err(Self::transient());
        }
        if let Some(Script::Unauthorized) = step {
            return Err(SmlFailure {
                kind: SmlFailureKind::Refused,
                code: "sml.err_101".into(),
                message: "[ERR-101] unauthorized".into(),
            });
        }
        let mut set = self.registered.lock().unwrap();
        let changed = if register {
            set.insert(p.key())
        } else {
            set.remove(&p.key())
        };
        if !changed {
            let kind = if register {
                SmlFailureKind::AlreadyExists
            } else {
                SmlFailureKind::NotFound
            };
            return Err(SmlFailure {
                kind,
                code: "sml.err_106".into(),
                message: "exists or not found".into(),
            });
        }
        match step {
            Some(Script::ApplyThenLose) => Err(Self::transient()),
            _ => Ok(()),
        }
    }
}

impl SmlRegistry for FakeSml {
    fn create_participant(&self, p: &ParticipantId) -> Result<(), SmlFailure> {
        self.write(p, true)
    }
    fn delete_participant(&self, p: &ParticipantId) -> Result<(), SmlFailure> {
        self.write(p, false)
    }
    fn participant_exists(&self, p: &ParticipantId) -> Result<bool, SmlFailure> {
        Ok(self.registered.lock().unwrap().contains(&p.key()))
    }
    fn list_participants(&self) -> Result<Vec<ParticipantId>, SmlFailure> {
        Ok(self
            .registered
            .lock()
            .unwrap()
            .iter()
            .map(|k| ParticipantId::parse(k).unwrap())
            .collect())
    }
    // Registration never migrates or resolves: these answer as an SML would for a
    // participant with no migration record.
    fn prepare_to_migrate(&self, _: &ParticipantId, _: &str) -> Result<(), SmlFailure> {
        Err(SmlFailure {
            kind: SmlFailureKind::Refused,
            code: "sml.err_110".into(),
            message: "not here".into(),
        })
    }
    fn migrate(&self, _: &ParticipantId, _: &str) -> Result<(), SmlFailure> {
        Err(SmlFailure {
            kind: SmlFailureKind::Refused,
            code: "sml.err_111".into(),
            message: "no record".into(),
        })
    }
    fn lookup_smp(&self, p: &ParticipantId) -> Result<Option<String>, SmlFailure> {
        Ok(self
            .registered
            .lock()
            .unwrap()
            .contains(&p.key())
            .then(|| "https://smp.test/".to_owned()))
    }
}

fn new_participant(create_in_sml: Option<bool>) -> NewParticipant {
    NewParticipant {
        participant: PARTICIPANT.into(),
        capabilities: vec![],
        owner: None,
        create_in_sml,
    }
}

const LATER: i64 = i64::MAX / 2;

#[test]
fn create_registers_and_delete_deregisters() {
    each_backend_with_sml(|env| {
        let (r, sml) = (&env.registry, FakeSml::default());
        let view = r
            .participants()
            .create_participant(&env.admin, &new_participant(None))
            .unwrap();
        assert_eq!(view.sml_state.as_str(), "pending");
        assert_eq!(r.sml_sync().run_sml_jobs(&sml, 10).unwrap().done, 1);
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        assert_eq!(
            r.participants()
                .participant(&env.admin, &pid)
                .unwrap()
                .sml_state
                .as_str(),
            "registered"
        );
        assert!(sml.participant_exists(&pid).unwrap());

        r.participants()
            .delete_participant(&env.admin, &pid)
            .unwrap();
        assert_eq!(r.sml_sync().run_sml_jobs(&sml, 10).unwrap().done, 1);
        assert!(!sml.participant_exists(&pid).unwrap());
    });
}

#[test]
fn a_lost_answer_is_checked_not_repeated() {
    each_backend_with_sml(|env| {
        let (r, sml) = (&env.registry, FakeSml::default());
        sml.script.lock().unwrap().push_back(Script::ApplyThenLose);
        r.participants()
            .create_participant(&env.admin, &new_participant(None))
            .unwrap();
        let first = r.sml_sync().run_sml_jobs(&sml, 10).unwrap();
        assert_eq!(first.retrying, 1);
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        assert_eq!(
            r.participants()
                .participant(&env.admin, &pid)
                .unwrap()
                .sml_state
                .as_str(),
            "pending"
        );
        // Not due yet: backoff.
        assert_eq!(
            r.sml_sync().run_sml_jobs(&sml, 10).unwrap(),
            Default::default()
        );
        let second = r.sml_sync().run_sml_jobs_at(&sml, 10, LATER).unwrap();
        assert_eq!(second.done, 1);
        assert_eq!(
            *sml.writes.lock().unwrap(),
            1,
            "the create was not sent twice"
        );
        assert_eq!(
            r.participants()
                .participant(&env.admin, &pid)
                .unwrap()
                .sml_state
                .as_str(),
            "registered"
        );
    });
}

#[test]
fn an_sml_outage_keeps_participants_pending_until_it_returns() {
    each_backend_with_sml(|env| {
        let (r, sml) = (&env.registry, FakeSml::default());
        sml.script
            .lock()
            .unwrap()
            .extend([Script::Down, Script::Down]);
        r.participants()
            .create_participant(&env.admin, &new_participant(None))
            .unwrap();
        assert_eq!(r.sml_sync().run_sml_jobs(&sml, 10).unwrap().retrying, 1);
        assert_eq!(
            r.sml_sync()
                .run_sml_jobs_at(&sml, 10, LATER)
                .unwrap()
                .retrying,
            1
        );
        assert_eq!(
            r.sml_sync().run_sml_jobs_at(&sml, 10, LATER).unwrap().done,
            1
        );
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        assert_eq!(
            r.participants()
                .participant(&env.admin, &pid)
                .unwrap()
                .sml_state
                .as_str(),
            "registered"
        );
    });
}

#[test]
fn a_refusal_fails_with_the_sml_code() {
    each_backend_with_sml(|env| {
        let (r, sml) = (&env.registry, FakeSml::default());
        sml.script.lock().unwrap().push_back(Script::Unauthorized);
        r.participants()
            .create_participant(&env.admin, &new_participant(None))
            .unwrap();
        assert_eq!(r.sml_sync().run_sml_jobs(&sml, 10).unwrap().failed, 1);
        let view = r
            .participants()
            .participant(&env.admin, &ParticipantId::parse(PARTICIPANT).unwrap())
            .unwrap();
        assert_eq!(view.sml_state.as_str(), "failed");
        assert!(view.sml_error.unwrap_or_default().contains("sml.err_101"));
    });
}

#[test]
fn opting_out_registers_nothing() {
    each_backend_with_sml(|env| {
        let (r, sml) = (&env.registry, FakeSml::default());
        r.participants()
            .create_participant(&env.admin, &new_participant(Some(false)))
            .unwrap();
        assert_eq!(
            r.sml_sync().run_sml_jobs(&sml, 10).unwrap(),
            Default::default()
        );
        let page = r
            .participants()
            .list_participants(&env.admin, &ListParams::default())
            .unwrap();
        assert_eq!(page.items[0].sml_state.as_str(), "unregistered");
        // Deleting an unregistered participant asks nothing of the SML either.
        r.participants()
            .delete_participant(&env.admin, &ParticipantId::parse(PARTICIPANT).unwrap())
            .unwrap();
        assert_eq!(
            r.sml_sync().run_sml_jobs(&sml, 10).unwrap(),
            Default::default()
        );
        assert_eq!(*sml.writes.lock().unwrap(), 0);
    });
}

#[test]
fn a_delete_never_overtakes_its_create() {
    each_backend_with_sml(|env| {
        let (r, sml) = (&env.registry, FakeSml::default());
        sml.script.lock().unwrap().push_back(Script::ApplyThenLose);
        r.participants()
            .create_participant(&env.admin, &new_participant(None))
            .unwrap();
        assert_eq!(r.sml_sync().run_sml_jobs(&sml, 10).unwrap().retrying, 1);
        // Deleted while its create is still pending: the create is superseded, the
        // delete removes what the lost-answer create did register.
        r.participants()
            .delete_participant(&env.admin, &ParticipantId::parse(PARTICIPANT).unwrap())
            .unwrap();
        assert_eq!(
            r.sml_sync().run_sml_jobs_at(&sml, 10, LATER).unwrap().done,
            1
        );
        assert!(sml.registered.lock().unwrap().is_empty());
    });
}

/// An SML whose creates stop half-way until the test lets them go: a call in flight.
struct InFlightSml<'a> {
    inner: &'a FakeSml,
    entered: std::sync::mpsc::SyncSender<()>,
    release: Mutex<std::sync::mpsc::Receiver<()>>,
}

impl SmlRegistry for InFlightSml<'_> {
    fn create_participant(&self, p: &ParticipantId) -> Result<(), SmlFailure> {
        self.entered.send(()).unwrap();
        self.release.lock().unwrap().recv().unwrap();
        self.inner.create_participant(p)
    }
    fn delete_participant(&self, p: &ParticipantId) -> Result<(), SmlFailure> {
        self.inner.delete_participant(p)
    }
    fn participant_exists(&self, p: &ParticipantId) -> Result<bool, SmlFailure> {
        self.inner.participant_exists(p)
    }
    fn list_participants(&self) -> Result<Vec<ParticipantId>, SmlFailure> {
        self.inner.list_participants()
    }
    fn prepare_to_migrate(&self, p: &ParticipantId, key: &str) -> Result<(), SmlFailure> {
        self.inner.prepare_to_migrate(p, key)
    }
    fn migrate(&self, p: &ParticipantId, key: &str) -> Result<(), SmlFailure> {
        self.inner.migrate(p, key)
    }
    fn lookup_smp(&self, p: &ParticipantId) -> Result<Option<String>, SmlFailure> {
        self.inner.lookup_smp(p)
    }
}

/// Two workers on one database (two nodes): while one node's create is on its way to the
/// SML, the participant is deleted and the other node runs. The delete must wait for the
/// create; before job claims it ran at once, found nothing to delete, and the create then
/// left the participant registered at the SML (the drift the two-node soak found).
#[test]
fn a_delete_waits_for_a_create_in_flight_on_another_worker() {
    each_backend_with_sml(|env| {
        let (r, sml) = (&env.registry, FakeSml::default());
        let (entered_tx, entered) = std::sync::mpsc::sync_channel(1);
        let (release, release_rx) = std::sync::mpsc::sync_channel(1);
        let slow = InFlightSml {
            inner: &sml,
            entered: entered_tx,
            release: Mutex::new(release_rx),
        };
        r.participants()
            .create_participant(&env.admin, &new_participant(None))
            .unwrap();
        let pid = ParticipantId::parse(PARTICIPANT).unwrap();
        std::thread::scope(|s| {
            let first = s.spawn(|| r.sml_sync().run_sml_jobs(&slow, 10).unwrap());
            entered.recv().unwrap();
            r.participants()
                .delete_participant(&env.admin, &pid)
                .unwrap();
            let meanwhile = r.sml_sync().run_sml_jobs_at(&sml, 10, LATER);
            // Let the create finish before asserting, so a failure cannot leave it waiting.
            release.send(()).unwrap();
            assert_eq!(first.join().unwrap().done, 1);
            assert_eq!(
                meanwhile.unwrap(),
                Default::default(),
                "the delete ran while the create was in flight"
            );
        });
        assert_eq!(
            r.sml_sync().run_sml_jobs_at(&sml, 10, LATER).unwrap().done,
            1
        );
        assert!(
            !sml.participant_exists(&pid).unwrap(),
            "the participant was left at the SML"
        );
        assert_eq!(
            r.sml_sync().run_sml_jobs_at(&sml, 10, LATER).unwrap(),
            Default::default()
        );
    });
}
