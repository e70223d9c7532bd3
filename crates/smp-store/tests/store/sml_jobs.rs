use smp_store::{AttemptOutcome, NewSmlJob, Store, participants, sml_jobs};

use crate::common::{participant, r, w};

per_backend!(
    insert_pending_and_guarded_outcome,
    supersede_and_retry,
    claims_exclude_others_and_hold_off_supersede,
    sml_state_of_participants
);

fn job(key: &str, action: &str, at: i64) -> NewSmlJob {
    NewSmlJob {
        participant_key: key.into(),
        scheme: "s".into(),
        value: "v".into(),
        action: action.into(),
        created_at: at,
    }
}

fn insert_pending_and_guarded_outcome(store: &Store) {
    let a = w(store, |c| sml_jobs::insert(c, &job("p1", "create", 10)));
    let b = w(store, |c| sml_jobs::insert(c, &job("p2", "delete", 20)));
    assert_eq!(
        (a.status.as_str(), a.attempts, a.next_run_at),
        ("pending", 0, 10)
    );
    assert_eq!(
        r(store, |c| sml_jobs::pending(c, 10))
            .iter()
            .map(|j| j.id)
            .collect::<Vec<_>>(),
        [a.id, b.id]
    );
    assert_eq!(r(store, sml_jobs::count_pending), 2);

    let retry = AttemptOutcome {
        status: "pending",
        next_run_at: 99,
        error_code: Some("sml.transport"),
        error_message: Some("reset"),
    };
    assert!(w(store, |c| sml_jobs::record_attempt(
        c, a.id, 0, &retry, 30
    )));
    // A second worker that read the same attempt count loses the race.
    assert!(!w(store, |c| sml_jobs::record_attempt(
        c, a.id, 0, &retry, 30
    )));
    let done = AttemptOutcome {
        status: "done",
        next_run_at: 40,
        error_code: None,
        error_message: None,
    };
    assert!(w(store, |c| sml_jobs::record_attempt(
        c, a.id, 1, &done, 40
    )));
    let stored = r(store, |c| sml_jobs::for_participant(c, "p1"));
    assert_eq!(
        (
            stored[0].status.as_str(),
            stored[0].attempts,
            stored[0].last_error_code.as_deref()
        ),
        ("done", 2, None)
    );
    assert_eq!(r(store, |c| sml_jobs::pending(c, 10)).len(), 1);
}

fn supersede_and_retry(store: &Store) {
    let a = w(store, |c| sml_jobs::insert(c, &job("p", "create", 10)));
    assert_eq!(w(store, |c| sml_jobs::supersede_pending(c, "p", 11)), 1);
    assert_eq!(w(store, |c| sml_jobs::supersede_pending(c, "p", 12)), 0);
    let b = w(store, |c| sml_jobs::insert(c, &job("p", "delete", 13)));
    let failed = AttemptOutcome {
        status: "failed",
        next_run_at: 14,
        error_code: Some("sml.err_101"),
        error_message: Some("no"),
    };
    assert!(w(store, |c| sml_jobs::record_attempt(
        c, b.id, 0, &failed, 14
    )));
    assert_eq!(
        r(store, |c| sml_jobs::with_status(c, "failed", 10)).len(),
        1
    );
    assert!(
        !w(store, |c| sml_jobs::retry(c, a.id, 15)),
        "only failed jobs can be retried"
    );
    assert!(w(store, |c| sml_jobs::retry(c, b.id, 15)));
    let pending = r(store, |c| sml_jobs::pending(c, 10));
    assert_eq!(
        (pending.len(), pending[0].id, pending[0].next_run_at),
        (1, b.id, 15)
    );
}

fn sml_state_of_participants(store: &Store) {
    let p = participant(store, "iso::1");
    assert_eq!(p.sml_state, "unregistered");
    assert!(w(store, |c| participants::set_sml_state(
        c,
        p.id,
        "failed",
        Some("sml.err_101: no")
    )));
    let got = r(store, |c| participants::get(c, p.id)).unwrap();
    assert_eq!(
        (got.sml_state.as_str(), got.sml_error.as_deref()),
        ("failed", Some("sml.err_101: no"))
    );
    assert_eq!(
        r(store, |c| participants::keys_with_sml_state(c, "failed")),
        ["iso::1".to_owned()]
    );
    assert!(!w(store, |c| participants::set_sml_state(
        c,
        p.id + 100,
        "pending",
        None
    )));
}

fn claims_exclude_others_and_hold_off_supersede(store: &Store) {
    let a = w(store, |c| sml_jobs::insert(c, &job("p", "create", 10)));
    assert!(w(store, |c| sml_jobs::claim(c, a.id, 0, 20, 100)));
    // A second worker cannot claim it while the lease runs, nor with a stale attempt count.
    assert!(!w(store, |c| sml_jobs::claim(c, a.id, 0, 50, 130)));
    assert!(!w(store, |c| sml_jobs::claim(c, a.id, 1, 150, 230)));
    // Claimed: its call may be in flight, so a newer intent does not supersede it.
    assert_eq!(w(store, |c| sml_jobs::supersede_pending(c, "p", 60)), 0);
    assert_eq!(
        r(store, |c| sml_jobs::pending(c, 10))[0].claimed_until,
        Some(100)
    );
    // The lease ran out (its worker died): another worker takes the job over.
    assert!(w(store, |c| sml_jobs::claim(c, a.id, 0, 100, 180)));
    let done = AttemptOutcome {
        status: "done",
        next_run_at: 120,
        error_code: None,
        error_message: None,
    };
    assert!(w(store, |c| sml_jobs::record_attempt(
        c, a.id, 0, &done, 120
    )));
    let stored = r(store, |c| sml_jobs::for_participant(c, "p"));
    assert_eq!(
        (stored[0].status.as_str(), stored[0].claimed_until),
        ("done", None)
    );
    assert!(
        !w(store, |c| sml_jobs::claim(c, a.id, 1, 130, 200)),
        "done jobs are not claimed"
    );

    let b = w(store, |c| sml_jobs::insert(c, &job("q", "delete", 10)));
    assert!(w(store, |c| sml_jobs::claim(c, b.id, 0, 20, 100)));
    // After its lease has expired a claim no longer holds supersede off.
    assert_eq!(w(store, |c| sml_jobs::supersede_pending(c, "q", 100)), 1);
    assert!(
        !w(store, |c| sml_jobs::claim(c, b.id, 0, 110, 200)),
        "superseded jobs are not claimed"
    );
}
