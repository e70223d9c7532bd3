use smp_store::{DbConnection, Store, StoreError};
use tempfile::TempDir;

/// A store on a fresh database; the SQLite file lives as long as this value.
pub(crate) struct Db {
    pub(crate) store: Store,
    _dir: TempDir,
}

pub(crate) fn sqlite() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = test_support::fresh_sqlite_url(dir.path());
    Db {
        store: Store::open(&url, 4).unwrap(),
        _dir: dir,
    }
}

pub(crate) fn postgres() -> Option<Db> {
    let url = test_support::fresh_postgres_database()?;
    Some(Db {
        store: Store::open(&url, 4).unwrap(),
        _dir: tempfile::tempdir().unwrap(),
    })
}

/// Runs `f` in a write transaction and unwraps.
pub(crate) fn w<T>(store: &Store, f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>) -> T {
    store.write(f).unwrap()
}

/// Runs `f` in a write transaction and returns its error (the test expects one).
pub(crate) fn w_err<T: std::fmt::Debug>(
    store: &Store,
    f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
) -> StoreError {
    store.write(f).unwrap_err()
}

/// Runs `f` on a connection without a transaction and unwraps.
pub(crate) fn r<T>(store: &Store, f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>) -> T {
    store.read(f).unwrap()
}

/// Compiles each listed `fn(&Store)` of the calling module once per backend.
macro_rules! per_backend {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let db = crate::common::sqlite();
                    super::$name(&db.store);
                }
            )+
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    match crate::common::postgres() {
                        Some(db) => super::$name(&db.store),
                        None => eprintln!("SKIP postgres: FERRY_TEST_POSTGRES_URL is not set"),
                    }
                }
            )+
        }
    };
}

// Fixtures shared by several areas.

pub(crate) fn user(store: &Store, name: &str, admin: bool) -> smp_store::UserRow {
    w(store, |c| {
        smp_store::users::insert(
            c,
            &smp_store::NewUser {
                username: name.into(),
                password_hash: None,
                is_admin: admin,
                created_at: 1,
            },
        )
    })
}

pub(crate) fn participant(store: &Store, key: &str) -> smp_store::ParticipantRow {
    let (scheme, value) = key.split_once("::").unwrap();
    w(store, |c| {
        smp_store::participants::insert(
            c,
            &smp_store::NewParticipant {
                participant_key: key.into(),
                scheme: scheme.into(),
                value: value.into(),
                owner_id: None,
                extension: None,
                created_at: 10,
            },
        )
    })
}

pub(crate) fn new_profile(name: &str) -> smp_store::NewProfile {
    smp_store::NewProfile {
        name: name.into(),
        transport_profile: "peppol-transport-as4-v2_0".into(),
        endpoint_url: format!("https://{name}.example/as4"),
        certificate: "MIIB...".into(),
        service_description: "AP".into(),
        technical_contact_url: "mailto:ops@example.com".into(),
        technical_information_url: Some("https://example.com/info".into()),
        require_business_level_signature: false,
        minimum_authentication_level: None,
        activation_date: Some("2026-01-01T00:00:00Z".into()),
        expiration_date: None,
        owner_id: None,
        created_at: 5,
    }
}

pub(crate) fn endpoint(url: &str) -> smp_store::EndpointRecord {
    smp_store::EndpointRecord {
        profile_id: None,
        transport_profile: "peppol-transport-as4-v2_0".into(),
        endpoint_url: url.into(),
        certificate: "MIIC...".into(),
        service_description: "desc".into(),
        technical_contact_url: "https://contact".into(),
        technical_information_url: None,
        require_business_level_signature: true,
        minimum_authentication_level: Some("1".into()),
        activation_date: None,
        expiration_date: Some("2030-01-01T00:00:00Z".into()),
        extension: Some("<Ext xmlns=\"urn:x\">é</Ext>".into()),
    }
}
