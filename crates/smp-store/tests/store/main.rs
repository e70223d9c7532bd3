//! Store tests against real engines. Every test in the area modules is a plain
//! `fn name(store: &Store)` listed in that module's `per_backend!`, which compiles it
//! once for SQLite and once for PostgreSQL (skipped with a message when
//! `FERRY_TEST_POSTGRES_URL` is unset). Engine-specific tests live in `open.rs`.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[macro_use]
mod common;

mod audit;
mod business_cards;
mod changes;
mod documents;
mod open;
mod parking;
mod participants;
mod profiles;
mod services;
mod settings;
mod sml_jobs;
mod tokens;
mod transactions;
mod users;
mod webhooks;
