//! Handover tests (parked import, scheme migration) over the real database engines
//! (SQLite always, PostgreSQL when the test command provides one).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod support;

mod corrupt_details;
mod parked_import;
mod parking;
mod scheme_migration;
