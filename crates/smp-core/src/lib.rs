//! The domain kernel of Ferry and one service per area.
//!
//! [`Core`] holds what every area shares: the store, the publisher (render + sign + cache),
//! the link to the SML, the clock, and the change and audit trail. Each area is a small
//! service borrowed from it:
//!
//! | service | owns |
//! |---|---|
//! | [`Core::participants`] | participants, capabilities, service groups, business cards |
//! | [`Core::profiles`] | endpoint profiles shared by capabilities |
//! | [`Core::users`] | users, API tokens, authentication |
//! | [`Core::sml_sync`] | SML registration jobs and reconciliation |
//! | [`Core::events`] | the events outbox, webhook subscriptions and deliveries |
//! | [`Core::documents`] | the read path, the change log, republication |
//!
//! A write updates the normalised tables, re-renders and re-signs the documents it
//! affects, and records an audit row and a change row, all in one transaction.
//!
//! This crate never speaks HTTP, never parses URLs and never writes SQL (`smp-store`
//! does); it never takes over or hands on registrations (migrations, parking, imports
//! are `party-config`, built on [`kernel::blocks`]). The one HTTP client here delivers
//! webhooks ([`HttpWebhookSender`]).
#![forbid(unsafe_code)]

mod access;
mod adapters;
mod capability;
mod certificate;
mod documents;
mod error;
mod events;
pub mod kernel;
mod participants;
mod policy;
mod profiles;
mod publication;
mod sealed;
mod sml;
mod states;
mod users;
mod views;
pub mod workers;

pub use crate::access::{Actor, UserId};
pub use crate::adapters::SmlClientRegistry;
pub use crate::capability::{CapabilitySpec, EndpointSpec};
pub use crate::documents::Documents;
pub use crate::error::{DomainError, ErrorClass};
pub use crate::events::{
    DeliveryRunSummary, DeliveryView, EVENT_TYPES, EventView, Events, HttpWebhookSender,
    MIGRATION_CANCELLED, MIGRATION_COMPLETED, MIGRATION_FAILED, MIGRATION_PREPARED, NewWebhook,
    PARTICIPANT_DELETED, PARTICIPANT_REGISTERED, WebhookSender, WebhookView, webhook_signature,
};
pub use crate::kernel::{
    Core, CoreConfig, business_card_key, service_group_key, service_metadata_key,
};
pub use crate::participants::Participants;
pub use crate::policy::{LegacyEquivalent, PolicyRule, RegistrationPolicy};
pub use crate::profiles::Profiles;
pub use crate::publication::{DocumentCache, Generation, Links, PublishedDocument};
pub use crate::sealed::KeySealer;
pub use crate::sml::{
    ReconcileReport, SmlFailure, SmlFailureKind, SmlRegistry, SmlRunSummary, SmlState, SmlSync,
};
pub use crate::states::{DeliveryStatus, JobAction, JobStatus, Lifecycle};
pub use crate::users::{ADMIN_USERNAME, Users};
pub use crate::views::{
    AuditView, CapabilityView, CreatedToken, ListParams, NewParticipant, NewToken, NewUser, Page,
    ParticipantSummary, ParticipantView, ProfileSpec, ProfileUpdate, ProfileView, RedirectView,
    TokenView, UserView,
};
pub use smp_store::documents::{DocumentKey, DocumentKind};
