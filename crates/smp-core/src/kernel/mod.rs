//! The kernel every service shares: the store, the publisher (render + sign + cache), the
//! link to the SML, the clock, and the change and audit trail.
//!
//! Services borrow the kernel ([`Core::participants`] and friends); they never own state
//! of their own, so two services can never disagree about what is published.

mod clock;
mod publish;
mod trail;

use std::sync::Arc;

use smp_store::{DbConnection, Store};
use smp_xml::{ParseOptions, SigningKey};

pub use self::clock::now_ms;
pub(crate) use self::publish::put_document;
pub use self::publish::{business_card_key, service_group_key, service_metadata_key};
pub use self::trail::{existing, may_change, participant_id_of, record};
use crate::policy::RegistrationPolicy;
use crate::publication::{DocumentCache, Links};
use crate::sealed::KeySealer;
use crate::sml::SmlRegistry;
use crate::{Documents, DomainError, Events, Participants, Profiles, SmlSync, Users};

/// How the core publishes, caches and mirrors registrations.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// Public base URL senders use, e.g. `https://smp.example.org` (no trailing slash).
    pub public_url: String,
    /// Path prefix of the SMP API, e.g. `/smp`, or "".
    pub base_path: String,
    /// Serve from memory (true) or always from the database (false).
    pub cache_enabled: bool,
    /// Upper bound on cached documents.
    pub cache_max_entries: usize,
    /// Largest XML document accepted.
    pub max_document_bytes: usize,
    /// Mirror participant creation and deletion in the SML (durable jobs).
    pub sml_enabled: bool,
    /// Rules that refuse some service registrations.
    pub policy: RegistrationPolicy,
    /// How long events (and their finished webhook deliveries) are kept, in ms; 0 keeps
    /// them for good.
    pub event_retention_ms: i64,
}

/// The domain kernel behind every API: open it once, then reach each area through its
/// service ([`participants`](Self::participants), [`profiles`](Self::profiles), ...).
pub struct Core {
    pub(crate) store: Store,
    pub(crate) signer: Arc<SigningKey>,
    pub(crate) links: Links,
    pub(crate) cache: DocumentCache,
    pub(crate) parse: ParseOptions,
    pub(crate) sml_enabled: bool,
    pub(crate) sml: Option<Arc<dyn SmlRegistry>>,
    pub(crate) policy: RegistrationPolicy,
    pub(crate) event_retention_ms: i64,
    pub(crate) sealer: KeySealer,
}

impl Core {
    /// A core over an opened store, signing with `signer`.
    pub fn new(store: Store, signer: SigningKey, config: &CoreConfig) -> Self {
        Self {
            store,
            signer: Arc::new(signer),
            links: Links::new(&config.public_url, &config.base_path),
            cache: DocumentCache::new(config.cache_enabled, config.cache_max_entries),
            parse: ParseOptions {
                max_bytes: config.max_document_bytes,
                ..ParseOptions::default()
            },
            sml_enabled: config.sml_enabled,
            sml: None,
            policy: config.policy.clone(),
            event_retention_ms: config.event_retention_ms.max(0),
            sealer: KeySealer::plaintext(),
        }
    }

    /// Seals stored secrets (webhook secrets) with `sealer`; without it they are stored as
    /// given.
    pub fn with_key_sealer(mut self, sealer: KeySealer) -> Self {
        self.sealer = sealer;
        self
    }

    /// Uses `sml` for everything that asks the SML directly (registration jobs,
    /// reconciliation, and the migrations built on the core).
    pub fn with_sml(mut self, sml: Arc<dyn SmlRegistry>) -> Self {
        self.sml = Some(sml);
        self
    }

    /// Participants, their capabilities, service groups and business cards.
    pub fn participants(&self) -> Participants<'_> {
        Participants { core: self }
    }

    /// Endpoint profiles shared by many capabilities.
    pub fn profiles(&self) -> Profiles<'_> {
        Profiles { core: self }
    }

    /// Users, API tokens and authentication.
    pub fn users(&self) -> Users<'_> {
        Users { core: self }
    }

    /// Keeping the SML in line with the database: jobs and reconciliation.
    pub fn sml_sync(&self) -> SmlSync<'_> {
        SmlSync { core: self }
    }

    /// Events, webhook subscriptions and deliveries.
    pub fn events(&self) -> Events<'_> {
        Events { core: self }
    }

    /// Published documents: the read path, the change log, republication.
    pub fn documents(&self) -> Documents<'_> {
        Documents { core: self }
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The SML, or an error saying there is none.
    pub fn sml(&self) -> Result<&dyn SmlRegistry, DomainError> {
        self.sml.as_deref().ok_or(DomainError::SmlUnavailable {
            code: "sml.off".into(),
            message: "no SML is configured (sml.mode = off)".into(),
        })
    }

    /// Whether participant creation and deletion are mirrored in the SML.
    pub fn sml_enabled(&self) -> bool {
        self.sml_enabled
    }

    /// The registration policy every write that adds a service checks.
    pub fn policy(&self) -> &RegistrationPolicy {
        &self.policy
    }

    /// Limits for parsing submitted XML.
    pub fn parse_options(&self) -> &ParseOptions {
        &self.parse
    }

    /// The document cache (for metrics).
    pub fn cache(&self) -> &DocumentCache {
        &self.cache
    }

    /// Checks that the database answers.
    pub fn health(&self) -> Result<(), DomainError> {
        Ok(self.store.ping()?)
    }

    /// Runs a write transaction, then drops the cached documents of the participants it
    /// reports as changed. Every write of every service goes through here.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut DbConnection, &mut Vec<String>) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        let mut touched = Vec::new();
        let out = self.store.write(|conn| f(conn, &mut touched))?;
        for key in &touched {
            self.cache.invalidate_participant(key);
        }
        Ok(out)
    }
}

/// Building blocks for services built on the core (`party-config`): each runs inside the
/// caller's transaction.
pub mod blocks {
    pub use crate::capability::capability_ids;
    pub use crate::events::{emit, emit_participant};
    pub use crate::participants::{participant_view, store_business_card};
    pub use crate::publication::entity_record;
    pub use crate::views::{page_offset, rfc3339};
}
