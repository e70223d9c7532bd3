//! The registry: every operation on participants, their documents, profiles and users.
//!
//! Each write runs in one database transaction that updates the normalised tables,
//! re-renders and re-signs the affected documents, records a change row (for other nodes'
//! caches) and an audit row. The in-process cache is invalidated after commit.

mod auth;
pub use auth::ADMIN_USERNAME;
mod business_cards;
pub(crate) use business_cards::store_business_card;
mod participants;
pub(crate) use participants::participant_view;
mod profiles;
mod reads;
mod republish;
mod service_groups;
mod services;
mod users;

use std::sync::Arc;

use peppol_id::{DocumentTypeId, ParticipantId};
use smp_store::documents::{DocumentKey, DocumentKind};
use smp_store::participants::ParticipantRow;
use smp_store::{DbConnection, NewSmlJob, Store, audit, changes, documents, sml_jobs};
use smp_xml::{ParseOptions, SigningKey};

use crate::policy::RegistrationPolicy;
use crate::publication::{
    DocumentCache, Links, etag_of, render_service_group, render_service_metadata,
};
use crate::sealed::KeySealer;
use crate::sml::{SmlRegistry, SmlState};
use crate::{Actor, DomainError};

/// How the registry publishes and caches.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
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
    /// How often open migrations are checked (takeover detection, watches), in ms; watches
    /// back off from here up to 5 minutes.
    pub migration_check_ms: i64,
    /// How long a participant that migrated away keeps being served after the takeover
    /// was seen (senders may still hold the old DNS answer), in ms.
    pub migration_grace_ms: i64,
    /// Rules that refuse some service registrations.
    pub policy: RegistrationPolicy,
    /// How long events (and their finished webhook deliveries) are kept, in ms; 0 keeps
    /// them for good.
    pub event_retention_ms: i64,
    /// Limits on requests to other SMPs (current-AP detection during a migration watch).
    pub foreign_fetch: smp_client::FetchPolicy,
}

/// The domain core behind every API.
pub struct Registry {
    pub(crate) store: Store,
    signer: Arc<SigningKey>,
    links: Links,
    cache: DocumentCache,
    parse: ParseOptions,
    pub(crate) sml_enabled: bool,
    pub(crate) sml: Option<Arc<dyn SmlRegistry>>,
    pub(crate) migration_check_ms: i64,
    pub(crate) migration_grace_ms: i64,
    pub(crate) policy: RegistrationPolicy,
    pub(crate) sealer: KeySealer,
    pub(crate) event_retention_ms: i64,
    pub(crate) foreign_fetch: smp_client::FetchPolicy,
}

impl Registry {
    /// A registry over an opened store, signing with `signer`.
    pub fn new(store: Store, signer: SigningKey, config: &RegistryConfig) -> Self {
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
            migration_check_ms: config.migration_check_ms.max(10),
            migration_grace_ms: config.migration_grace_ms.max(0),
            policy: config.policy.clone(),
            sealer: KeySealer::plaintext(),
            event_retention_ms: config.event_retention_ms.max(0),
            foreign_fetch: config.foreign_fetch.clone(),
        }
    }

    /// Seals stored migration keys with `sealer` (without it they are stored as given).
    pub fn with_key_sealer(mut self, sealer: KeySealer) -> Self {
        self.sealer = sealer;
        self
    }

    /// Uses `sml` for migrations (prepare, migrate, takeover detection, watches).
    pub fn with_sml(mut self, sml: Arc<dyn SmlRegistry>) -> Self {
        self.sml = Some(sml);
        self
    }

    /// The SML, or an error saying there is none.
    pub(crate) fn sml(&self) -> Result<&dyn SmlRegistry, DomainError> {
        self.sml.as_deref().ok_or(DomainError::SmlUnavailable {
            code: "sml.off".into(),
            message: "no SML is configured (sml.mode = off)".into(),
        })
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
    /// reports as changed.
    pub(crate) fn write<T>(
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

    /// Re-renders the ServiceGroup of a participant from its current services.
    pub(crate) fn publish_group(
        &self,
        conn: &mut DbConnection,
        row: &ParticipantRow,
        now: i64,
    ) -> Result<(), DomainError> {
        let pid = participant_id_of(row)?;
        let services = smp_store::services::list(conn, row.id)?;
        let bytes = render_service_group(&self.links, &pid, row.extension.as_ref(), &services)?;
        put_document(conn, service_group_key(&pid), &bytes, now)
    }

    /// Re-signs one service of a participant.
    fn publish_service(
        &self,
        conn: &mut DbConnection,
        pid: &ParticipantId,
        record: &smp_store::services::ServiceRecord,
        now: i64,
    ) -> Result<(), DomainError> {
        let bytes = self.sign_service(pid, record)?;
        self.put_signed_service(conn, pid, record, &bytes, now)
    }

    /// The SignedServiceMetadata of `record`: pure CPU, safe to run on several threads and
    /// outside a transaction (the parked import signs a batch on every core before writing).
    pub(crate) fn sign_service(
        &self,
        pid: &ParticipantId,
        record: &smp_store::services::ServiceRecord,
    ) -> Result<Vec<u8>, DomainError> {
        render_service_metadata(&self.signer, pid, record)
    }

    /// Stores a service's SignedServiceMetadata made by [`sign_service`](Self::sign_service).
    pub(crate) fn put_signed_service(
        &self,
        conn: &mut DbConnection,
        pid: &ParticipantId,
        record: &smp_store::services::ServiceRecord,
        signed: &[u8],
        now: i64,
    ) -> Result<(), DomainError> {
        let doctype = DocumentTypeId::new(&record.doctype_scheme, &record.doctype_value)
            .map_err(|e| DomainError::Corrupt(format!("stored document type: {e}")))?;
        put_document(conn, service_metadata_key(pid, &doctype), signed, now)
    }

    /// Re-renders and re-signs every document of a participant.
    pub(crate) fn publish_all(
        &self,
        conn: &mut DbConnection,
        row: &ParticipantRow,
        now: i64,
    ) -> Result<(), DomainError> {
        let pid = participant_id_of(row)?;
        for record in smp_store::services::list(conn, row.id)? {
            self.publish_service(conn, &pid, &record, now)?;
        }
        self.publish_group(conn, row, now)?;
        self.publish_business_card(conn, &pid, row.id, now)
    }

    /// Re-renders a participant's business card, if it has one.
    pub(crate) fn publish_business_card(
        &self,
        conn: &mut DbConnection,
        pid: &ParticipantId,
        participant_id: i64,
        now: i64,
    ) -> Result<(), DomainError> {
        if let Some(entities) = smp_store::business_cards::get(conn, participant_id)? {
            let bytes = crate::publication::render_business_card(pid, &entities)?;
            put_document(conn, business_card_key(pid), &bytes, now)?;
        }
        Ok(())
    }
}

impl Registry {
    /// Queues the SML registration of a participant created in this transaction (unless
    /// the SML is off or the caller opted out).
    pub(crate) fn queue_sml_create(
        &self,
        conn: &mut DbConnection,
        row: &ParticipantRow,
        register: bool,
        now: i64,
    ) -> Result<(), DomainError> {
        if !(self.sml_enabled && register) {
            return Ok(());
        }
        sml_jobs::supersede_pending(conn, &row.participant_key, now)?;
        sml_jobs::insert(conn, &new_job(row, "create", now))?;
        smp_store::participants::set_sml_state(conn, row.id, SmlState::Pending.as_str(), None)?;
        Ok(())
    }

    /// Queues the SML deletion of a participant deleted in this transaction.
    fn queue_sml_delete(
        &self,
        conn: &mut DbConnection,
        row: &ParticipantRow,
        now: i64,
    ) -> Result<(), DomainError> {
        if !self.sml_enabled || row.sml_state == SmlState::Unregistered.as_str() {
            return Ok(());
        }
        sml_jobs::supersede_pending(conn, &row.participant_key, now)?;
        sml_jobs::insert(conn, &new_job(row, "delete", now))?;
        Ok(())
    }
}

fn new_job(row: &ParticipantRow, action: &str, now: i64) -> NewSmlJob {
    NewSmlJob {
        participant_key: row.participant_key.clone(),
        scheme: row.scheme.clone(),
        value: row.value.clone(),
        action: action.to_owned(),
        created_at: now,
    }
}

/// The key of a participant's ServiceGroup document.
pub fn service_group_key(pid: &ParticipantId) -> DocumentKey {
    DocumentKey {
        participant_key: pid.key(),
        kind: DocumentKind::ServiceGroup,
        doc_key: String::new(),
    }
}

/// The key of a participant's SignedServiceMetadata for one document type.
pub fn service_metadata_key(pid: &ParticipantId, doctype: &DocumentTypeId) -> DocumentKey {
    DocumentKey {
        participant_key: pid.key(),
        kind: DocumentKind::ServiceMetadata,
        doc_key: doctype.key(),
    }
}

/// The key of a participant's business card.
pub fn business_card_key(pid: &ParticipantId) -> DocumentKey {
    DocumentKey {
        participant_key: pid.key(),
        kind: DocumentKind::BusinessCard,
        doc_key: String::new(),
    }
}

fn put_document(
    conn: &mut DbConnection,
    key: DocumentKey,
    bytes: &[u8],
    now: i64,
) -> Result<(), DomainError> {
    documents::put(conn, &key, bytes, &etag_of(bytes), now)?;
    Ok(())
}

pub(crate) fn participant_id_of(row: &ParticipantRow) -> Result<ParticipantId, DomainError> {
    ParticipantId::new(&row.scheme, &row.value)
        .map_err(|e| DomainError::Corrupt(format!("stored participant: {e}")))
}

/// Loads a participant or says it is not hosted here.
pub(crate) fn existing(
    conn: &mut DbConnection,
    pid: &ParticipantId,
) -> Result<ParticipantRow, DomainError> {
    smp_store::participants::get_by_key(conn, &pid.key())?.ok_or_else(|| {
        DomainError::ParticipantNotFound {
            participant: pid.to_string(),
        }
    })
}

/// Records the change for other nodes and the audit trail, in the caller's transaction.
pub(crate) fn record(
    conn: &mut DbConnection,
    touched: &mut Vec<String>,
    actor: &Actor,
    action: &str,
    participant_key: Option<&str>,
    target: Option<String>,
    now: i64,
) -> Result<(), DomainError> {
    if let Some(key) = participant_key {
        changes::record(conn, key, now)?;
        touched.push(key.to_owned());
    }
    audit::append(
        conn,
        &audit::NewAuditEntry {
            at: now,
            actor: actor.username.clone(),
            action: action.to_owned(),
            participant_key: participant_key.map(str::to_owned),
            target,
            outcome: "ok".to_owned(),
            detail: None,
        },
    )?;
    Ok(())
}

pub(crate) fn now_ms() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}
