//! Storage for Ferry: the diesel schema, embedded migrations and one repository
//! module per table, over SQLite (embedded default) and PostgreSQL from one code base.
//!
//! [`Store::open`] builds a connection pool and migrates the schema;
//! [`Store::write`] and [`Store::read`] lend a [`DbConnection`] to the repository
//! functions (`smp_store::participants::insert(conn, ..)` and friends).
//!
//! What this crate deliberately does not do: it knows nothing about XML, HTTP,
//! Peppol identifiers or business rules. It stores plain strings, `i64` ids, `i64`
//! timestamps (unix milliseconds) and bools exactly as given; callers normalise
//! keys (e.g. the lower-case participant key) before they get here. Finders return
//! `Result<Option<_>, StoreError>`: a database error is never reported as "not found".
//! All diesel code of the project lives here, so nothing above needs diesel types
//! beyond [`DbConnection`].
//!
//! ```
//! # fn main() -> Result<(), smp_store::StoreError> {
//! use smp_store::{Store, settings};
//! let store = Store::open("sqlite::memory:", 1)?;
//! store.write(|conn| settings::set(conn, "greeting", "hello"))?;
//! let value = store.read(|conn| settings::get(conn, "greeting"))?;
//! assert_eq!(value.as_deref(), Some("hello"));
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))] // tests: a failed unwrap is a failed test

mod connection;
mod error;
mod repo;
mod schema;
pub mod states;
mod store;
mod upsert;
mod url;

pub use crate::{
    connection::{Backend, DbConnection},
    error::StoreError,
    repo::events::{EventRow, NewEvent},
    // Repository modules: callers write `smp_store::participants::insert(conn, ..)`.
    repo::{
        audit, business_cards, changes, documents, migrations, parked_participants, parking,
        participants, profiles, scheme_migrations, services, settings, sml_jobs, tokens, users,
    },
    repo::{
        audit::{AuditQuery, AuditRow, NewAuditEntry},
        business_cards::EntityRecord,
        changes::ChangeRow,
        documents::{DocumentKey, DocumentKind, StoredDocument},
        migrations::{HistoryRow, MigrationQuery, MigrationRow},
        parking::{CallerRow, CollectionRow, NewCollection},
        participants::{NewParticipant, ParticipantQuery, ParticipantRow},
        profiles::{NewProfile, ProfileRow},
        scheme_migrations::{NewSchemeMigration, SchemeMigrationCounts, SchemeMigrationRow},
        services::{EndpointRecord, ProcessRecord, RedirectRecord, ServiceRecord},
        sml_jobs::{AttemptOutcome, NewSmlJob, SmlJobRow},
        tokens::{NewToken, TokenRow},
        users::{NewUser, UserRow},
        webhooks::{DeliveryOutcome, DeliveryRow, DueDelivery, NewSubscription, SubscriptionRow},
    },
    // Events and webhooks.
    repo::{events, webhooks},
    store::Store,
};
