//! Core service tests over the real database engines (SQLite always, PostgreSQL when the
//! test command provides one). Every scenario runs once per backend.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod support;

mod authentication;
mod business_cards;
mod ownership;
mod policy;
mod profiles;
mod publication;
mod rollback;
mod sml;
mod webhook_lanes;
mod webhooks;
