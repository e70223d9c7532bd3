use smp_store::{NewToken, Store, tokens};

use crate::common::{r, user, w, w_err};

per_backend!(
    insert_find_touch_delete,
    list_for_user_in_order,
    unknown_user_and_duplicate_hash
);

fn token(user_id: i64, name: &str, hash: &str) -> NewToken {
    NewToken {
        user_id,
        name: name.into(),
        token_hash: hash.into(),
        created_at: 100,
        expires_at: Some(200),
    }
}

fn insert_find_touch_delete(store: &Store) {
    let u = user(store, "alice", true);
    let t = w(store, |c| tokens::insert(c, &token(u.id, "ci", "hash-1")));
    assert_eq!(
        (t.user_id, t.name.as_str(), t.token_hash.as_str()),
        (u.id, "ci", "hash-1")
    );
    assert_eq!(
        (t.created_at, t.expires_at, t.last_used_at),
        (100, Some(200), None)
    );

    let (found, owner) = r(store, |c| tokens::find_by_hash(c, "hash-1")).unwrap();
    assert_eq!(found, t);
    assert_eq!(owner, u);
    assert_eq!(r(store, |c| tokens::find_by_hash(c, "HASH-1")), None);

    assert!(w(store, |c| tokens::touch(c, t.id, 150)));
    assert_eq!(
        r(store, |c| tokens::find_by_hash(c, "hash-1"))
            .unwrap()
            .0
            .last_used_at,
        Some(150)
    );
    assert!(!w(store, |c| tokens::touch(c, t.id + 100, 150)));

    assert!(w(store, |c| tokens::delete(c, t.id)));
    assert!(!w(store, |c| tokens::delete(c, t.id)));
    assert_eq!(r(store, |c| tokens::find_by_hash(c, "hash-1")), None);
}

fn list_for_user_in_order(store: &Store) {
    let a = user(store, "a", false);
    let b = user(store, "b", false);
    w(store, |c| tokens::insert(c, &token(a.id, "z-first", "h1")));
    w(store, |c| tokens::insert(c, &token(b.id, "other", "h2")));
    w(store, |c| tokens::insert(c, &token(a.id, "a-second", "h3")));
    let names: Vec<String> = r(store, |c| tokens::list_for_user(c, a.id))
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["z-first", "a-second"]);
    assert!(r(store, |c| tokens::list_for_user(c, b.id + 100)).is_empty());
}

fn unknown_user_and_duplicate_hash(store: &Store) {
    let u = user(store, "a", false);
    let err = w_err(store, |c| tokens::insert(c, &token(u.id + 100, "x", "h")));
    assert!(err.is_foreign_key_violation(), "{err:?}");
    w(store, |c| tokens::insert(c, &token(u.id, "x", "h")));
    let err = w_err(store, |c| tokens::insert(c, &token(u.id, "y", "h")));
    assert!(err.is_unique_violation(), "{err:?}");
}
