use smp_store::{NewParticipant, NewUser, Store, participants, tokens, users};

use crate::common::{r, user, w, w_err};

per_backend!(
    insert_and_find,
    duplicate_username_is_unique_violation,
    update_fields,
    count_admins,
    delete_cascades
);

fn insert_and_find(store: &Store) {
    let row = w(store, |c| {
        users::insert(
            c,
            &NewUser {
                username: "Alice".into(),
                password_hash: Some("$argon2id$x".into()),
                is_admin: true,
                created_at: 42,
            },
        )
    });
    assert!(row.id > 0);
    assert_eq!(row.username, "Alice");
    assert_eq!(row.password_hash.as_deref(), Some("$argon2id$x"));
    assert!(row.is_admin);
    assert_eq!(row.created_at, 42);
    assert_eq!(r(store, |c| users::get(c, row.id)), Some(row.clone()));
    assert_eq!(
        r(store, |c| users::get_by_username(c, "Alice")),
        Some(row.clone())
    );
    // Usernames are compared exactly.
    assert_eq!(r(store, |c| users::get_by_username(c, "alice")), None);
    assert_eq!(r(store, |c| users::get(c, row.id + 1000)), None);

    user(store, "bob", false);
    user(store, "Zed", false);
    let names: Vec<String> = r(store, users::list)
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["Alice", "Zed", "bob"]); // byte order on both engines
}

fn duplicate_username_is_unique_violation(store: &Store) {
    user(store, "alice", false);
    let err = w_err(store, |c| {
        users::insert(
            c,
            &NewUser {
                username: "alice".into(),
                password_hash: None,
                is_admin: false,
                created_at: 1,
            },
        )
    });
    assert!(err.is_unique_violation(), "{err:?}");
    assert!(!err.is_foreign_key_violation());
    assert_eq!(err.code(), "store.query");
    assert_eq!(r(store, users::list).len(), 1);
}

fn update_fields(store: &Store) {
    let u = user(store, "alice", false);
    assert!(w(store, |c| users::set_password_hash(c, u.id, Some("h1"))));
    assert_eq!(
        r(store, |c| users::get(c, u.id))
            .unwrap()
            .password_hash
            .as_deref(),
        Some("h1")
    );
    assert!(w(store, |c| users::set_password_hash(c, u.id, None)));
    assert_eq!(
        r(store, |c| users::get(c, u.id)).unwrap().password_hash,
        None
    );
    assert!(w(store, |c| users::set_admin(c, u.id, true)));
    assert!(r(store, |c| users::get(c, u.id)).unwrap().is_admin);
    assert!(!w(store, |c| users::set_admin(c, u.id + 99, true)));
    assert!(!w(store, |c| users::set_password_hash(c, u.id + 99, None)));
}

fn count_admins(store: &Store) {
    assert_eq!(r(store, users::count_admins), 0);
    let a = user(store, "a", true);
    user(store, "b", true);
    user(store, "c", false);
    assert_eq!(r(store, users::count_admins), 2);
    w(store, |c| users::set_admin(c, a.id, false));
    assert_eq!(r(store, users::count_admins), 1);
}

fn delete_cascades(store: &Store) {
    let u = user(store, "owner", false);
    let t = w(store, |c| {
        tokens::insert(
            c,
            &tokens::NewToken {
                user_id: u.id,
                name: "t".into(),
                token_hash: "h".into(),
                created_at: 1,
                expires_at: None,
            },
        )
    });
    let p = w(store, |c| {
        participants::insert(
            c,
            &NewParticipant {
                participant_key: "iso6523-actorid-upis::0088:1".into(),
                scheme: "iso6523-actorid-upis".into(),
                value: "0088:1".into(),
                owner_id: Some(u.id),
                extension: None,
                created_at: 1,
            },
        )
    });
    assert!(w(store, |c| users::delete(c, u.id)));
    assert!(!w(store, |c| users::delete(c, u.id)));
    assert_eq!(r(store, |c| users::get(c, u.id)), None);
    // Tokens go with the user; owned participants stay, without owner.
    assert_eq!(r(store, |c| tokens::find_by_hash(c, &t.token_hash)), None);
    assert_eq!(
        r(store, |c| participants::get(c, p.id)).unwrap().owner_id,
        None
    );
}
