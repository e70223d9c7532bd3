//! Dev-only helpers for tests that run against real database engines.
//!
//! SQLite needs nothing but a directory. PostgreSQL comes from the environment:
//! `FERRY_TEST_POSTGRES_URL` names a server the tests may create databases on
//! (e.g. `postgres://postgres@127.0.0.1:54331/postgres`). Without it, PostgreSQL
//! tests are skipped, unless `CI` or `FERRY_REQUIRE_ALL` is set: then a missing
//! server is an error, so CI cannot pass by silently testing less.
//!
//! [`http_stub`] is a loopback HTTP server for tests that need a peer (a webhook receiver,
//! another SMP).
//!
//! What this crate deliberately does not do: start or stop database servers, drop
//! the databases it creates (they belong to a throwaway server), or depend on any
//! Ferry crate.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))] // tests: a failed unwrap is a failed test

pub mod fixtures;
pub mod http_stub;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::{Connection, RunQueryDsl, pg::PgConnection};

/// Environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_ENV: &str = "FERRY_TEST_POSTGRES_URL";

/// The PostgreSQL server URL for tests, or `None` (skip) when none is configured.
///
/// # Panics
/// When no server is configured but `CI` or `FERRY_REQUIRE_ALL` is set.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let required = ["CI", "FERRY_REQUIRE_ALL"]
                .into_iter()
                .find(|v| std::env::var_os(v).is_some());
            if let Some(var) = required {
                panic!(
                    "{var} is set, so PostgreSQL tests must run, but {POSTGRES_URL_ENV} is not set: \
                     start a throwaway PostgreSQL and export \
                     {POSTGRES_URL_ENV}=postgres://postgres@127.0.0.1:PORT/postgres"
                );
            }
            None
        }
    }
}

/// Creates an empty database `ferry_t_<random>` on the configured PostgreSQL server
/// and returns its URL; `None` when no server is configured (see [`postgres_url`]).
///
/// # Panics
/// When the server is configured but cannot be reached or refuses `CREATE DATABASE`.
pub fn fresh_postgres_database() -> Option<String> {
    let server = postgres_url()?;
    let name = format!("ferry_t_{}", unique_suffix());
    let mut conn = PgConnection::establish(&server)
        .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_URL_ENV} server: {e}"));
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name} failed: {e}"));
    Some(with_database(&server, &name))
}

/// A `sqlite://` URL for a new database file inside `dir` (the file is created on open).
pub fn fresh_sqlite_url(dir: &Path) -> String {
    format!(
        "sqlite://{}",
        dir.join(format!("ferry-{}.db", unique_suffix())).display()
    )
}

/// The databases a store test should run against: `("sqlite", url)` always, and
/// `("postgres", url)` with a fresh database when a server is configured.
pub fn test_databases(tmp: &Path) -> Vec<(&'static str, String)> {
    let mut out = vec![("sqlite", fresh_sqlite_url(tmp))];
    if let Some(url) = fresh_postgres_database() {
        out.push(("postgres", url));
    }
    out
}

/// Replaces the database name (the URL path) of a PostgreSQL URL, keeping its query.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut url = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// Unique within the process (counter) and across processes and runs (pid, clock,
/// random hasher keys); lower-case hex so it is a valid bare SQL identifier part.
fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_database_name() {
        assert_eq!(
            with_database("postgres://u@h:1/postgres", "x"),
            "postgres://u@h:1/x"
        );
        assert_eq!(with_database("postgres://u@h:1", "x"), "postgres://u@h:1/x");
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }

    #[test]
    fn suffixes_differ() {
        let a = unique_suffix();
        let b = unique_suffix();
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn sqlite_urls_are_fresh_files_in_dir() {
        let dir = Path::new("/tmp/some dir");
        let a = fresh_sqlite_url(dir);
        assert!(a.starts_with("sqlite:///tmp/some dir/ferry-"), "{a}");
        assert_ne!(a, fresh_sqlite_url(dir));
    }
}
