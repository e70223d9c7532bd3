use diesel::Connection;
use smp_store::{
    Backend, NewUser, ServiceRecord, Store, StoreError, changes, participants, services, users,
};

use crate::common::{participant, r, user, w};

per_backend!(
    ping_and_backend,
    write_commits,
    write_rolls_back_on_caller_error,
    write_rolls_back_on_failed_statement,
    failed_replace_leaves_outer_transaction_usable,
    nested_transaction_rolls_back_alone,
    concurrent_writers_all_succeed,
);

#[derive(Debug)]
enum TestError {
    Store(StoreError),
    Abort,
}

impl From<StoreError> for TestError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

fn new_user(name: &str) -> NewUser {
    NewUser {
        username: name.into(),
        password_hash: None,
        is_admin: false,
        created_at: 1,
    }
}

fn ping_and_backend(store: &Store) {
    store.ping().unwrap();
    assert!(matches!(
        store.backend(),
        Backend::Sqlite | Backend::Postgres
    ));
    assert_eq!(r(store, |c| Ok(c.backend())), store.backend());
    let cloned = store.clone();
    cloned.ping().unwrap();
}

fn write_commits(store: &Store) {
    let id = w(store, |c| {
        let u = users::insert(c, &new_user("a"))?;
        users::set_admin(c, u.id, true)?;
        Ok(u.id)
    });
    assert!(r(store, |c| users::get(c, id)).unwrap().is_admin);
}

fn write_rolls_back_on_caller_error(store: &Store) {
    let result: Result<(), TestError> = store.write(|c| {
        users::insert(c, &new_user("a"))?;
        changes::record(c, "s::v", 1)?;
        Err(TestError::Abort)
    });
    assert!(matches!(result, Err(TestError::Abort)));
    assert!(r(store, users::list).is_empty());
    assert!(r(store, |c| changes::since(c, 0, 10)).is_empty());
    // The connection went back to the pool in a clean state.
    user(store, "b", false);
    assert_eq!(r(store, users::list).len(), 1);
}

fn write_rolls_back_on_failed_statement(store: &Store) {
    user(store, "taken", false);
    let result: Result<(), TestError> = store.write(|c| {
        users::insert(c, &new_user("fresh"))?;
        users::insert(c, &new_user("taken"))?;
        Ok(())
    });
    match result {
        Err(TestError::Store(e)) => assert!(e.is_unique_violation(), "{e:?}"),
        other => panic!("expected a unique violation, got {other:?}"),
    }
    assert_eq!(r(store, |c| users::get_by_username(c, "fresh")), None);
}

fn failed_replace_leaves_outer_transaction_usable(store: &Store) {
    let p = participant(store, "s::v");
    let mut bad = ServiceRecord {
        doctype_scheme: "d".into(),
        doctype_value: "v".into(),
        redirect: None,
        extension: None,
        processes: vec![smp_store::ProcessRecord {
            scheme: "p".into(),
            value: "v".into(),
            extension: None,
            endpoints: vec![crate::common::endpoint("https://x")],
        }],
    };
    bad.processes[0].endpoints[0].profile_id = Some(12345);
    w(store, |c| {
        let err = services::replace(c, p.id, &bad, 1).unwrap_err();
        assert!(err.is_foreign_key_violation(), "{err:?}");
        // On PostgreSQL this only works because replace ran in a savepoint.
        users::insert(c, &new_user("after"))?;
        Ok(())
    });
    assert!(r(store, |c| services::list(c, p.id)).is_empty());
    assert!(r(store, |c| users::get_by_username(c, "after")).is_some());
}

fn nested_transaction_rolls_back_alone(store: &Store) {
    w(store, |c| {
        users::insert(c, &new_user("outer"))?;
        let inner: Result<(), diesel::result::Error> = c.transaction(|c| {
            users::insert(c, &new_user("inner")).unwrap();
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(inner.is_err());
        participants::count(c)
    });
    let names: Vec<String> = r(store, users::list)
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["outer"]);
}

fn concurrent_writers_all_succeed(store: &Store) {
    const THREADS: i64 = 4;
    const WRITES: i64 = 15;
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            scope.spawn(move || {
                for i in 0..WRITES {
                    // Read-then-write: the pattern that deadlocks with deferred SQLite transactions.
                    w(store, |c| {
                        let before = changes::latest_id(c)?;
                        let id = changes::record(c, &format!("t{t}::{i}"), before)?;
                        assert!(id > before);
                        Ok(())
                    });
                }
            });
        }
    });
    assert_eq!(
        i64::try_from(r(store, |c| changes::since(c, 0, 1000)).len()).unwrap(),
        THREADS * WRITES
    );
}
