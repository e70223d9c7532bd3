use smp_store::{
    EntityRecord, NewParticipant, ParticipantQuery, ServiceRecord, Store, business_cards,
    participants, services,
};

use crate::common::{endpoint, participant, r, user, w, w_err};

per_backend!(
    insert_and_find,
    duplicate_key_is_unique_violation,
    unknown_owner_is_foreign_key_violation,
    update_and_touch,
    delete_cascades_to_services_and_card,
    list_orders_pages_and_counts,
    list_search_is_case_insensitive_and_literal,
    list_by_owner,
    all_keys_after_pages_through_everything,
);

fn insert_and_find(store: &Store) {
    let owner = user(store, "o", false);
    let row = w(store, |c| {
        participants::insert(
            c,
            &NewParticipant {
                participant_key: "iso6523-actorid-upis::0088:abc".into(),
                scheme: "iso6523-actorid-upis".into(),
                value: "0088:ABC".into(),
                owner_id: Some(owner.id),
                extension: Some("<Extension/>".into()),
                created_at: 77,
            },
        )
    });
    assert_eq!(row.value, "0088:ABC");
    assert_eq!(
        (row.owner_id, row.extension.as_deref()),
        (Some(owner.id), Some("<Extension/>"))
    );
    assert_eq!((row.created_at, row.updated_at), (77, 77));
    assert_eq!(
        r(store, |c| participants::get(c, row.id)),
        Some(row.clone())
    );
    assert_eq!(
        r(store, |c| participants::get_by_key(
            c,
            "iso6523-actorid-upis::0088:abc"
        )),
        Some(row.clone())
    );
    assert_eq!(
        r(store, |c| participants::get_by_key(
            c,
            "iso6523-actorid-upis::0088:ABC"
        )),
        None
    );
    assert_eq!(r(store, |c| participants::get(c, row.id + 1)), None);
    assert_eq!(r(store, participants::count), 1);
}

fn duplicate_key_is_unique_violation(store: &Store) {
    participant(store, "s::v");
    let err = w_err(store, |c| {
        participants::insert(
            c,
            &NewParticipant {
                participant_key: "s::v".into(),
                scheme: "S".into(),
                value: "V".into(),
                owner_id: None,
                extension: None,
                created_at: 1,
            },
        )
    });
    assert!(err.is_unique_violation(), "{err:?}");
    assert_eq!(r(store, participants::count), 1);
}

fn unknown_owner_is_foreign_key_violation(store: &Store) {
    let err = w_err(store, |c| {
        participants::insert(
            c,
            &NewParticipant {
                participant_key: "s::v".into(),
                scheme: "s".into(),
                value: "v".into(),
                owner_id: Some(4242),
                extension: None,
                created_at: 1,
            },
        )
    });
    assert!(err.is_foreign_key_violation(), "{err:?}");
}

fn update_and_touch(store: &Store) {
    let owner = user(store, "o", false);
    let p = participant(store, "s::v");
    assert!(w(store, |c| participants::update(
        c,
        p.id,
        Some(owner.id),
        Some("<X/>"),
        20
    )));
    let got = r(store, |c| participants::get(c, p.id)).unwrap();
    assert_eq!(
        (
            got.owner_id,
            got.extension.as_deref(),
            got.updated_at,
            got.created_at
        ),
        (Some(owner.id), Some("<X/>"), 20, 10)
    );
    assert!(w(store, |c| participants::update(c, p.id, None, None, 30)));
    let got = r(store, |c| participants::get(c, p.id)).unwrap();
    assert_eq!(
        (got.owner_id, got.extension, got.updated_at),
        (None, None, 30)
    );
    assert!(w(store, |c| participants::touch(c, p.id, 40)));
    assert_eq!(
        r(store, |c| participants::get(c, p.id)).unwrap().updated_at,
        40
    );
    assert!(!w(store, |c| participants::touch(c, p.id + 1, 40)));
    assert!(!w(store, |c| participants::update(
        c,
        p.id + 1,
        None,
        None,
        40
    )));
}

fn delete_cascades_to_services_and_card(store: &Store) {
    let p = participant(store, "s::v");
    let other = participant(store, "s::w");
    let record = |value: &str| ServiceRecord {
        doctype_scheme: "busdox-docid-qns".into(),
        doctype_value: value.into(),
        redirect: None,
        extension: None,
        processes: vec![smp_store::ProcessRecord {
            scheme: "cenbii-procid-ubl".into(),
            value: "urn:p".into(),
            extension: None,
            endpoints: vec![endpoint("https://a")],
        }],
    };
    for id in [p.id, other.id] {
        w(store, |c| services::replace(c, id, &record("d1"), 1));
        w(store, |c| {
            business_cards::replace(c, id, &[EntityRecord::default()], 1)
        });
    }
    assert!(w(store, |c| participants::delete(c, p.id)));
    assert!(!w(store, |c| participants::delete(c, p.id)));
    assert_eq!(r(store, |c| participants::get(c, p.id)), None);
    assert!(r(store, |c| services::list(c, p.id)).is_empty());
    assert_eq!(r(store, |c| business_cards::get(c, p.id)), None);
    // The other participant keeps everything.
    assert_eq!(
        r(store, |c| services::list(c, other.id)),
        vec![record("d1")]
    );
    assert!(r(store, |c| business_cards::get(c, other.id)).is_some());
    // Re-creating the key starts from nothing.
    let again = participant(store, "s::v");
    assert!(r(store, |c| services::list(c, again.id)).is_empty());
}

fn keys(rows: &[smp_store::ParticipantRow]) -> Vec<&str> {
    rows.iter().map(|p| p.participant_key.as_str()).collect()
}

fn list_orders_pages_and_counts(store: &Store) {
    for key in ["s::c", "s::a", "s::e", "s::b", "s::d"] {
        participant(store, key);
    }
    let q = |offset, limit| ParticipantQuery {
        search: None,
        owner_id: None,
        offset,
        limit,
    };
    let (rows, total) = r(store, |c| participants::list(c, &q(0, 100)));
    assert_eq!(keys(&rows), ["s::a", "s::b", "s::c", "s::d", "s::e"]);
    assert_eq!(total, 5);
    let (rows, total) = r(store, |c| participants::list(c, &q(1, 2)));
    assert_eq!((keys(&rows), total), (vec!["s::b", "s::c"], 5));
    let (rows, total) = r(store, |c| participants::list(c, &q(4, 2)));
    assert_eq!((keys(&rows), total), (vec!["s::e"], 5));
    let (rows, total) = r(store, |c| participants::list(c, &q(10, 2)));
    assert_eq!((rows.len(), total), (0, 5));
    let (rows, total) = r(store, |c| participants::list(c, &q(-3, -3)));
    assert_eq!((rows.len(), total), (0, 5));
}

fn list_search_is_case_insensitive_and_literal(store: &Store) {
    for key in [
        "iso::0088:abc",
        "iso::0088:xabcx",
        "iso::9915:zzz",
        "iso::a%c",
        "iso::a_c",
        "iso::abc_\\",
    ] {
        participant(store, key);
    }
    let search = |s: &str| {
        let query = ParticipantQuery {
            search: Some(s.into()),
            owner_id: None,
            offset: 0,
            limit: 100,
        };
        let (rows, total) = r(store, |c| participants::list(c, &query));
        assert_eq!(usize::try_from(total).unwrap(), rows.len());
        rows.into_iter()
            .map(|p| p.participant_key)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        search("ABC"),
        ["iso::0088:abc", "iso::0088:xabcx", "iso::abc_\\"]
    );
    assert_eq!(search("0088:"), ["iso::0088:abc", "iso::0088:xabcx"]);
    assert_eq!(search("a%c"), ["iso::a%c"]);
    assert_eq!(search("a_c"), ["iso::a_c"]);
    assert_eq!(search("_\\"), ["iso::abc_\\"]);
    assert!(search("nothing").is_empty());
    assert_eq!(search("").len(), 6);
}

fn list_by_owner(store: &Store) {
    let alice = user(store, "alice", false);
    let bob = user(store, "bob", false);
    for (key, owner) in [
        ("s::1", alice.id),
        ("s::2", bob.id),
        ("s::3", alice.id),
        ("s::10", alice.id),
    ] {
        let p = participant(store, key);
        w(store, |c| {
            participants::update(c, p.id, Some(owner), None, 11)
        });
    }
    let query = ParticipantQuery {
        search: Some("1".into()),
        owner_id: Some(alice.id),
        offset: 0,
        limit: 1,
    };
    let (rows, total) = r(store, |c| participants::list(c, &query));
    assert_eq!((keys(&rows), total), (vec!["s::1"], 2));
    let query = ParticipantQuery {
        owner_id: Some(bob.id),
        offset: 0,
        limit: 10,
        ..Default::default()
    };
    let (rows, total) = r(store, |c| participants::list(c, &query));
    assert_eq!((keys(&rows), total), (vec!["s::2"], 1));
}

fn all_keys_after_pages_through_everything(store: &Store) {
    let mut expected: Vec<String> = (0..23).map(|i| format!("s::{:03}", (i * 7) % 23)).collect();
    for key in &expected {
        participant(store, key);
    }
    expected.sort();
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let batch = r(store, |c| participants::all_keys_after(c, &after, 5));
        let Some(last) = batch.last() else { break };
        assert!(batch.len() <= 5);
        after = last.participant_key.clone();
        seen.extend(batch.into_iter().map(|p| p.participant_key));
    }
    assert_eq!(seen, expected);
    assert!(r(store, |c| participants::all_keys_after(c, "", 0)).is_empty());
}
