use smp_store::{NewCollection, NewParticipant, Store, parking, participants};

use crate::common::{r, w};

per_backend!(
    callers_are_created_once_and_controlled,
    collections_are_counted_and_listed,
    lifecycle_defaults_to_active
);

fn collection(caller: &str, at: i64, outcome: &str) -> NewCollection {
    NewCollection {
        at,
        caller_id: Some(caller.into()),
        caller_subject: Some("CN=PBE000001".into()),
        client_ip: "127.0.0.1".into(),
        participant_key: Some("iso6523-actorid-upis::0088:1".into()),
        outcome: outcome.into(),
        http_status: 200,
    }
}

fn callers_are_created_once_and_controlled(store: &Store) {
    let a = w(store, |c| {
        parking::ensure_caller(c, "ab", "CN=PBE000001", Some("PBE000001"), 10)
    });
    assert_eq!(
        (a.status.as_str(), a.daily_quota, a.created_at),
        ("active", None, 10)
    );
    let again = w(store, |c| {
        parking::ensure_caller(c, "ab", "CN=other", None, 20)
    });
    assert_eq!(again, a);
    w(store, |c| {
        parking::ensure_caller(c, "00", "CN=AAA", None, 30)
    });
    let ids: Vec<String> = r(store, parking::callers)
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["00", "ab"]);

    assert!(w(store, |c| parking::blacklist(c, "ab", 50)));
    let b = r(store, |c| parking::caller(c, "ab")).unwrap();
    assert_eq!(
        (b.status.as_str(), b.blacklisted_at),
        ("blacklisted", Some(50))
    );
    assert!(w(store, |c| parking::reactivate(c, "ab")));
    let b = r(store, |c| parking::caller(c, "ab")).unwrap();
    // The last blacklisting is kept: usage is counted from there on.
    assert_eq!((b.status.as_str(), b.blacklisted_at), ("active", Some(50)));

    assert!(w(store, |c| parking::set_daily_quota(c, "ab", Some(5))));
    assert!(w(store, |c| parking::schedule_quota(
        c,
        "ab",
        Some(1000),
        Some(50)
    )));
    let b = r(store, |c| parking::caller(c, "ab")).unwrap();
    assert_eq!(
        (b.daily_quota, b.quota_from, b.scheduled_quota),
        (Some(5), Some(1000), Some(50))
    );
    assert!(!w(store, |c| parking::set_daily_quota(
        c,
        "missing",
        Some(5)
    )));
    assert!(!w(store, |c| parking::reactivate(c, "missing")));
    assert!(!w(store, |c| parking::blacklist(c, "missing", 1)));
    assert_eq!(r(store, |c| parking::caller(c, "missing")), None);
}

fn collections_are_counted_and_listed(store: &Store) {
    w(store, |c| parking::record(c, &collection("ab", 100, "ok")));
    w(store, |c| parking::record(c, &collection("ab", 200, "ok")));
    w(store, |c| {
        parking::record(c, &collection("ab", 300, "token.unknown_participant"))
    });
    w(store, |c| parking::record(c, &collection("cd", 300, "ok")));
    assert_eq!(r(store, |c| parking::count_since(c, "ab", 150, &["ok"])), 1);
    assert_eq!(
        r(store, |c| parking::count_since(
            c,
            "ab",
            0,
            &["ok", "token.unknown_participant"]
        )),
        3
    );
    let all = r(store, |c| parking::collections(c, None, 0, 10));
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].caller_id.as_deref(), Some("cd"));
    let ab = r(store, |c| parking::collections(c, Some("ab"), 1, 10));
    assert_eq!(ab.iter().map(|x| x.at).collect::<Vec<_>>(), [200, 100]);
}

fn lifecycle_defaults_to_active(store: &Store) {
    w(store, |c| {
        participants::insert(
            c,
            &NewParticipant {
                participant_key: "iso6523-actorid-upis::0088:1".into(),
                scheme: "iso6523-actorid-upis".into(),
                value: "0088:1".into(),
                owner_id: None,
                extension: None,
                created_at: 1,
            },
        )
    });
    let key = "iso6523-actorid-upis::0088:1";
    assert_eq!(
        r(store, |c| parking::lifecycle(c, key)).as_deref(),
        Some("active")
    );
    assert!(w(store, |c| parking::set_lifecycle(c, key, "inactive")));
    assert_eq!(
        r(store, |c| parking::lifecycle(c, key)).as_deref(),
        Some("inactive")
    );
    assert!(!w(store, |c| parking::set_lifecycle(c, "nope", "inactive")));
    assert_eq!(r(store, |c| parking::lifecycle(c, "nope")), None);
}
