//! One module per table (or per aggregate, for services and business cards).

pub mod audit;
pub mod business_cards;
pub mod changes;
pub mod documents;
pub mod events;
pub mod migrations;
pub mod parked_participants;
pub mod parking;
pub mod participants;
pub mod profiles;
pub mod scheme_migrations;
pub mod services;
pub mod settings;
pub mod sml_jobs;
pub mod tokens;
pub mod users;
pub mod webhooks;

/// `(offset, limit)` made safe for both engines: PostgreSQL rejects negative values
/// and SQLite reads a negative LIMIT as "no limit".
pub(crate) fn page(offset: i64, limit: i64) -> (i64, i64) {
    (offset.max(0), limit.max(0))
}
