//! End-to-end tests of the real `ferry` binary, one module per area. Every scenario runs once
//! per database (`for_each_database`: SQLite, and PostgreSQL when FERRY_TEST_POSTGRES_URL is
//! set). New tests go into the module of their area; helpers go into the harness
//! (`tests/src/`), so each test stays a few lines long.

mod auth;
mod bad_input;
mod cli;
mod cluster;
mod endpoint_profile;
mod json_api;
mod lifecycle;
mod lookup;
mod migrate_cli;
mod migration;
mod migration_access;
mod parked_import;
mod parking;
mod phoss_samples;
mod policy;
mod scheme_migration;
mod sml;
mod sml_entry;
mod sml_faults;
mod tls;
mod webhooks;
