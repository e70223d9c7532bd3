//! The domain core of Ferry: participants, their capabilities and published documents.
//!
//! Every operation the HTTP API or the CLI offers is one method of [`Registry`]. A write
//! updates the normalised tables, re-renders and re-signs the documents it affects, and
//! records an audit row and a change row, all in one transaction; the read path then
//! serves stored bytes through [`DocumentCache`].
//!
//! This crate does not speak HTTP and does not parse URLs: handlers give it parsed
//! identifiers and parsed documents. It does not touch SQL either: `smp-store` does.
//! The one HTTP client here delivers webhooks ([`HttpWebhookSender`]); subscribers' URLs
//! are the one kind of URL it checks.
#![forbid(unsafe_code)]

mod access;
mod adapters;
mod capability;
mod certificate;
mod error;
mod events;
mod migration;
mod parked_import;
mod parking;
mod policy;
mod publication;
mod registry;
mod scheme_migration;
mod sealed;
mod sml;
mod views;

pub use crate::access::Actor;
pub use crate::adapters::SmlClientRegistry;
pub use crate::capability::{CapabilitySpec, EndpointSpec};
pub use crate::error::DomainError;
pub use crate::events::{
    DeliveryRunSummary, DeliveryView, EVENT_TYPES, EventView, HttpWebhookSender,
    MIGRATION_CANCELLED, MIGRATION_COMPLETED, MIGRATION_FAILED, MIGRATION_PREPARED, NewWebhook,
    PARTICIPANT_DELETED, PARTICIPANT_REGISTERED, WebhookSender, WebhookView, webhook_signature,
};
pub use crate::migration::{
    BulkView, CurrentAccessPoint, HistoryEntry, MigrationFilter, MigrationRunSummary,
    MigrationView, NewInboundMigration, RejectedItem,
};
pub use crate::parked_import::{
    PARKED_BATCH_LIMIT, ParkedBatchSummary, ParkedImportSpec, ParkedParticipant,
};
pub use crate::parking::{
    ApCaller, ApTrust, CallerView, CollectedToken, CollectionView, DEFAULT_AP_CA_MARKERS, Parking,
    ParkingEnvironment, ParkingLimits, ScheduledAllowance, TokenError,
};
pub use crate::policy::{LegacyEquivalent, PolicyRule, RegistrationPolicy};
pub use crate::publication::{DocumentCache, Generation, Links, PublishedDocument};
pub use crate::registry::{
    ADMIN_USERNAME, Registry, RegistryConfig, business_card_key, service_group_key,
    service_metadata_key,
};
pub use crate::scheme_migration::{
    SchemeMigrationReport, SchemeMigrationRequest, SchemeMigrationRun,
};
pub use crate::sealed::KeySealer;
pub use crate::sml::{
    ReconcileReport, SmlFailure, SmlFailureKind, SmlRegistry, SmlRunSummary, SmlState,
};
pub use crate::views::{
    AuditView, CapabilityView, CreatedToken, ListParams, NewParticipant, NewToken, NewUser, Page,
    ParticipantSummary, ParticipantView, ProfileSpec, ProfileUpdate, ProfileView, RedirectView,
    TokenView, UserView,
};
pub use smp_store::documents::{DocumentKey, DocumentKind};
