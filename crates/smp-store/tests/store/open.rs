//! Opening stores: URLs, SQLite settings, migrations on reopen. Engine-specific.

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use smp_store::{Backend, DbConnection, Store, settings};

use crate::common::{r, w};

#[derive(diesel::QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

#[derive(diesel::QueryableByName)]
struct Word {
    #[diesel(sql_type = Text)]
    value: String,
}

fn sqlite_pragma_number(conn: &mut DbConnection, pragma: &str, column: &str) -> i64 {
    let DbConnection::Sqlite(c) = conn else {
        panic!("not SQLite")
    };
    diesel::sql_query(format!("SELECT {column} AS value FROM pragma_{pragma}"))
        .get_result::<Number>(c)
        .unwrap()
        .value
}

#[test]
fn memory_store_is_migrated_and_usable() {
    let store = Store::open("sqlite::memory:", 8).unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    w(&store, |c| settings::set(c, "k", "v"));
    assert_eq!(r(&store, |c| settings::get(c, "k")).as_deref(), Some("v"));
    // Each memory store is its own database.
    let other = Store::open("sqlite::memory:", 1).unwrap();
    assert_eq!(r(&other, |c| settings::get(c, "k")), None);
}

#[test]
fn sqlite_file_creates_dirs_sets_pragmas_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/ferry.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url, 3).unwrap();
    assert!(path.exists());
    w(&store, |c| settings::set(c, "kept", "yes"));
    // Hold several pooled connections at once: every one must carry the settings.
    store
        .read(|c1| {
            store.read(|c2| {
                for c in [&mut *c1, c2] {
                    assert_eq!(sqlite_pragma_number(c, "foreign_keys", "foreign_keys"), 1);
                    assert_eq!(sqlite_pragma_number(c, "busy_timeout", "timeout"), 10_000);
                    let DbConnection::Sqlite(inner) = c else {
                        panic!("not SQLite")
                    };
                    let mode =
                        diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
                            .get_result::<Word>(inner)
                            .unwrap();
                    assert_eq!(mode.value, "wal");
                }
                Ok::<_, smp_store::StoreError>(())
            })
        })
        .unwrap();
    drop(store);
    let again = Store::open(&url, 1).unwrap();
    assert_eq!(
        r(&again, |c| settings::get(c, "kept")).as_deref(),
        Some("yes")
    );
}

#[test]
fn relative_sqlite_path_is_accepted() {
    // Relative to the working directory, which cargo sets to the crate directory:
    // use a path inside target/ so the source tree stays clean.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let rel = dir
        .path()
        .strip_prefix(std::env::current_dir().unwrap())
        .ok()
        .map(|p| p.join("rel.db"));
    if let Some(rel) = rel {
        let store = Store::open(&format!("sqlite://{}", rel.display()), 1).unwrap();
        store.ping().unwrap();
        assert!(dir.path().join("rel.db").exists());
    }
}

#[test]
fn invalid_urls_are_rejected() {
    for url in [
        "",
        "sqlite://",
        "mysql://root:hunter2@db/ferry",
        "ferry.db",
        "sqlite://x.db?mode=memory",
    ] {
        let err = Store::open(url, 1).unwrap_err();
        assert_eq!(err.code(), "store.invalid_url", "{url}: {err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}

#[test]
fn uncreatable_sqlite_dir_is_reported() {
    let file = tempfile::NamedTempFile::new().unwrap();
    // A directory below a regular file cannot exist.
    let url = format!("sqlite://{}/sub/ferry.db", file.path().display());
    let err = Store::open(&url, 1).unwrap_err();
    assert_eq!(err.code(), "store.create_dir", "{err}");
}

#[test]
fn postgres_connect_failure_is_quick_and_redacted() {
    let started = std::time::Instant::now();
    let err = Store::open(
        "postgres://ferry:s3cret-pw@127.0.0.1:1/ferry?connect_timeout=2",
        4,
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.connect", "{err}");
    let message = err.to_string();
    assert!(!message.contains("s3cret-pw"), "{message}");
    assert!(message.contains("ferry:***@127.0.0.1:1"), "{message}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn every_test_database_opens_migrates_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let databases = test_support::test_databases(dir.path());
    if databases.len() == 1 {
        eprintln!("SKIP postgres: FERRY_TEST_POSTGRES_URL is not set");
    }
    for (name, url) in databases {
        let store = Store::open(&url, 2).unwrap();
        let expected = if name == "postgres" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        assert_eq!(store.backend(), expected);
        w(&store, |c| settings::set(c, "k", name));
        drop(store);
        // Migrations already applied: opening again is a no-op that keeps the data.
        let again = Store::open(&url, 2).unwrap();
        assert_eq!(r(&again, |c| settings::get(c, "k")).as_deref(), Some(name));
    }
}

#[test]
fn parallel_opens_of_one_postgres_database_migrate_once() {
    let Some(url) = test_support::fresh_postgres_database() else {
        eprintln!("SKIP postgres: FERRY_TEST_POSTGRES_URL is not set");
        return;
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| Store::open(&url, 1).map(|s| s.ping())))
            .collect();
        for h in handles {
            h.join().unwrap().unwrap().unwrap();
        }
    });
}
