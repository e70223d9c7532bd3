//! One batch of a parked import, and the end of an import.

use std::collections::HashMap;

use peppol_id::ParticipantId;
use serde::Serialize;
use smp_store::participants::{self, ParticipantRow};
use smp_store::services::ServiceRecord;
use smp_store::{business_cards, parked_participants, parking, sml_jobs};
use smp_xml::{BusinessEntity, Name};

use crate::ParkedImport;
use crate::scheme_migration::rejection;
use crate::{Actor, DomainError, RejectedItem};
use smp_core::PARTICIPANT_REGISTERED;
use smp_core::SmlState;
use smp_core::kernel::blocks::emit_participant;
use smp_core::kernel::blocks::entity_record;
use smp_core::kernel::{now_ms, participant_id_of, record};
use smp_core::{CapabilitySpec, kernel::blocks::capability_ids};
use smp_core::{JobStatus, Lifecycle};

/// The SML's CreateList limit.
pub const PARKED_BATCH_LIMIT: usize = 100;

/// One line of a registry dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedParticipant {
    /// `iso6523-actorid-upis::ICD:id`.
    pub participant: String,
    /// The business card name.
    pub name: String,
    /// ISO 3166 two-letter country code.
    pub country: String,
}

/// What every parked participant receives, and which import this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedImportSpec {
    /// The endpoint profile all capabilities point at.
    pub endpoint_profile: String,
    /// Document type `scheme::value`.
    pub document_type: String,
    /// Process `scheme::value`.
    pub process: String,
    /// When this import started (ms); participants no import listed since are missing.
    pub started_at: i64,
}

/// What one batch did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParkedBatchSummary {
    /// New participants.
    pub created: usize,
    /// Participants that existed already (skipped).
    pub existing: usize,
    /// Existing parked participants that were inactive and are listed again.
    pub reactivated: usize,
    /// Registered in the SML by this batch's CreateList.
    pub sml_registered: usize,
    /// Left to the SML job worker because CreateList failed (see `sml_error`).
    pub sml_queued: usize,
    /// Why CreateList failed, if it did.
    pub sml_error: Option<String>,
    /// Lines that were not imported.
    pub rejected: Vec<RejectedItem>,
}

impl ParkedBatchSummary {
    /// Adds another batch's counts to this one.
    pub fn add(&mut self, other: Self) {
        self.created += other.created;
        self.existing += other.existing;
        self.reactivated += other.reactivated;
        self.sml_registered += other.sml_registered;
        self.sml_queued += other.sml_queued;
        if other.sml_error.is_some() {
            self.sml_error = other.sml_error;
        }
        self.rejected.extend(other.rejected);
    }
}

impl ParkedImport<'_> {
    /// Imports up to 100 parked participants (administrators): creates the missing ones
    /// with the capability and a business card in one transaction, then registers them in
    /// the SML with one CreateList. When the SML call fails, durable SML jobs take over.
    pub fn import_parked_batch(
        &self,
        actor: &Actor,
        spec: &ParkedImportSpec,
        batch: &[ParkedParticipant],
    ) -> Result<ParkedBatchSummary, DomainError> {
        actor.require_admin()?;
        if batch.len() > PARKED_BATCH_LIMIT {
            return Err(DomainError::invalid(
                "batch",
                format!(
                    "at most {PARKED_BATCH_LIMIT} participants per batch (the SML's CreateList limit)"
                ),
            ));
        }
        let capability = CapabilitySpec {
            document_type: spec.document_type.clone(),
            process: spec.process.clone(),
            endpoint: None,
            endpoint_profile: Some(spec.endpoint_profile.clone()),
        };
        capability_ids(&capability)?;
        let mut summary = ParkedBatchSummary::default();
        let mut valid = Vec::with_capacity(batch.len());
        for line in batch {
            match parse_line(line) {
                Ok(parsed) => valid.push(parsed),
                Err(e) => summary.rejected.push(rejection(&line.participant, &e)),
            }
        }
        // Rows are written in key order: two batches that share participants then lock them
        // in the same order, so one waits for the other instead of deadlocking with it.
        valid.sort_by_cached_key(|(pid, _)| pid.key());
        // Two imports (or two batches of one dump listing a participant twice) may create the
        // same participant at once; on PostgreSQL the later insert then fails. Again, that
        // participant is simply one that exists. (A deadlock abort, which the key order
        // should rule out, is retried the same way.)
        let mut attempt = 0;
        let rows = loop {
            attempt += 1;
            let mut counts = ParkedBatchSummary::default();
            let presigned = self.presign(&capability, &valid)?;
            let written = self.core.write(|conn, touched| {
                let now = now_ms();
                // The profile may have changed since the documents were signed: then sign here.
                let presigned = match &presigned {
                    Some(p)
                        if self
                            .core
                            .participants()
                            .fresh_service_record(conn, &capability)?
                            == p.record =>
                    {
                        Some(p)
                    }
                    _ => None,
                };
                let mut to_register = Vec::new();
                let mut created = Vec::new();
                for (pid, entity) in &valid {
                    let key = pid.key();
                    parked_participants::mark_seen(conn, &key, spec.started_at)?;
                    if let Some(row) = participants::get_by_key(conn, &key)? {
                        counts.existing += 1;
                        if parking::lifecycle(conn, &key)?.as_deref()
                            == Some(Lifecycle::Inactive.as_str())
                        {
                            parking::set_lifecycle(conn, &key, Lifecycle::Active.as_str())?;
                            counts.reactivated += 1;
                        }
                        // Created by an earlier import whose CreateList never answered: try
                        // again. (One created since this import started belongs to another
                        // batch of it, whose own CreateList registers it.)
                        if self.core.sml_enabled()
                            && SmlState::from_stored(&row.sml_state)? == SmlState::Pending
                            && row.created_at < spec.started_at
                            && !has_pending_job(conn, &key)?
                        {
                            to_register.push(row);
                        }
                        continue;
                    }
                    let row = participants::insert(
                        conn,
                        &participants::NewParticipant {
                            participant_key: key.clone(),
                            scheme: pid.scheme().to_owned(),
                            value: pid.value().to_owned(),
                            owner_id: actor.as_owner(),
                            extension: None,
                            created_at: now,
                        },
                    )?;
                    match presigned.and_then(|p| p.signed.get(&key).map(|bytes| (p, bytes))) {
                        Some((p, bytes)) => {
                            self.core.participants().apply_presigned_service(
                                conn, row.id, pid, &p.record, bytes, now,
                            )?;
                        }
                        None => self.core.participants().apply_capability(
                            conn,
                            row.id,
                            pid,
                            &capability,
                            now,
                        )?,
                    }
                    business_cards::replace(conn, row.id, &[entity_record(entity)], now)?;
                    self.core.publish_group(conn, &row, now)?;
                    self.core.publish_business_card(conn, pid, row.id, now)?;
                    if self.core.sml_enabled() {
                        // Pending without a job: this batch's CreateList registers it.
                        participants::set_sml_state(
                            conn,
                            row.id,
                            SmlState::Pending.as_str(),
                            None,
                        )?;
                    }
                    record(
                        conn,
                        touched,
                        actor,
                        "participant.import_parked",
                        Some(&key),
                        None,
                        now,
                    )?;
                    counts.created += 1;
                    if self.core.sml_enabled() {
                        to_register.push(row.clone());
                    }
                    created.push(row);
                }
                // Last writes of the transaction: on PostgreSQL the first one takes the
                // event-order lock, which should not be held while the batch is written.
                for row in &created {
                    emit_participant(conn, PARTICIPANT_REGISTERED, row, now)?;
                }
                Ok(to_register)
            });
            match written {
                Err(DomainError::Store(e))
                    if (e.is_unique_violation() || e.is_retryable()) && attempt < 5 =>
                {
                    continue;
                }
                Err(e) => return Err(e),
                Ok(rows) => {
                    summary.created += counts.created;
                    summary.existing += counts.existing;
                    summary.reactivated += counts.reactivated;
                    break rows;
                }
            }
        };
        self.register_batch(&rows, &mut summary)?;
        Ok(summary)
    }

    /// Refreshes the database's planner statistics (administrators). A bulk import calls it
    /// whenever the number of participants it created has doubled.
    pub fn refresh_statistics(&self, actor: &Actor) -> Result<(), DomainError> {
        actor.require_admin()?;
        Ok(self.core.store().refresh_statistics()?)
    }

    /// Ends an import: parked participants that no batch of this import listed become
    /// `inactive`. Returns how many changed.
    pub fn finish_parked_import(
        &self,
        actor: &Actor,
        started_at: i64,
    ) -> Result<usize, DomainError> {
        actor.require_admin()?;
        Ok(self
            .core
            .store()
            .write(|conn| parked_participants::mark_missing_inactive(conn, started_at))?)
    }

    /// Signs the service document of every participant of the batch that does not exist
    /// yet, on every core and before the write transaction: signing is most of an import's
    /// work, and on SQLite the transaction holds the only write lock. `None` when the
    /// capability cannot be resolved (the transaction then reports why).
    fn presign(
        &self,
        capability: &CapabilitySpec,
        valid: &[(ParticipantId, BusinessEntity)],
    ) -> Result<Option<Presigned>, DomainError> {
        let Ok(record) = self.core.store().read(|conn| {
            self.core
                .participants()
                .fresh_service_record(conn, capability)
        }) else {
            return Ok(None);
        };
        let fresh: Vec<&ParticipantId> = self.core.store().read(|conn| {
            let mut fresh = Vec::new();
            for (pid, _) in valid {
                if participants::get_by_key(conn, &pid.key())?.is_none() {
                    fresh.push(pid);
                }
            }
            Ok::<_, DomainError>(fresh)
        })?;
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        let chunk = fresh.len().div_ceil(workers).max(1);
        let signed = std::thread::scope(|scope| {
            let handles: Vec<_> = fresh
                .chunks(chunk)
                .map(|part| {
                    let record = &record;
                    scope.spawn(move || {
                        part.iter()
                            .map(|pid| Ok((pid.key(), self.core.sign_service(pid, record)?)))
                            .collect::<Result<Vec<_>, DomainError>>()
                    })
                })
                .collect();
            let mut signed = HashMap::with_capacity(fresh.len());
            for handle in handles {
                let part = handle
                    .join()
                    .map_err(|_| DomainError::Corrupt("a signing thread panicked".into()))??;
                signed.extend(part);
            }
            Ok::<_, DomainError>(signed)
        })?;
        Ok(Some(Presigned { record, signed }))
    }

    /// One CreateList for the batch; on failure, durable jobs (which ask the SML first, so
    /// a CreateList that took effect after all is not repeated).
    fn register_batch(
        &self,
        rows: &[ParticipantRow],
        summary: &mut ParkedBatchSummary,
    ) -> Result<(), DomainError> {
        if rows.is_empty() {
            return Ok(());
        }
        let ids = rows
            .iter()
            .map(participant_id_of)
            .collect::<Result<Vec<_>, _>>()?;
        let outcome = match self.core.sml().ok() {
            Some(sml) => sml.create_participants(&ids).map_err(|f| f.to_string()),
            None => Err("no SML client in this process".to_owned()),
        };
        match outcome {
            Ok(()) => {
                self.core.store().write(|conn| {
                    for row in rows {
                        participants::set_sml_state(
                            conn,
                            row.id,
                            SmlState::Registered.as_str(),
                            None,
                        )?;
                    }
                    Ok::<_, smp_store::StoreError>(())
                })?;
                summary.sml_registered += rows.len();
            }
            Err(message) => {
                self.core.write(|conn, _| {
                    let now = now_ms();
                    for row in rows {
                        self.core.sml_sync().queue_create(conn, row, true, now)?;
                    }
                    Ok(())
                })?;
                summary.sml_queued += rows.len();
                summary.sml_error = Some(message);
            }
        }
        Ok(())
    }
}

/// A batch's service documents, signed before its transaction.
struct Presigned {
    /// The service every new participant of the batch receives.
    record: ServiceRecord,
    /// Participant key → its signed ServiceMetadata.
    signed: HashMap<String, Vec<u8>>,
}

fn has_pending_job(conn: &mut smp_store::DbConnection, key: &str) -> Result<bool, DomainError> {
    Ok(sml_jobs::for_participant(conn, key)?
        .iter()
        .any(|j| j.status == JobStatus::Pending.as_str()))
}

/// The participant and its business entity, or why the line is refused.
fn parse_line(line: &ParkedParticipant) -> Result<(ParticipantId, BusinessEntity), DomainError> {
    let pid = ParticipantId::parse(line.participant.trim())?;
    let name = line.name.trim();
    if name.is_empty() {
        return Err(DomainError::invalid("name", "must not be empty"));
    }
    let country = line.country.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(DomainError::invalid(
            "country",
            format!(
                "`{}` is not an ISO 3166 two-letter code",
                line.country.trim()
            ),
        ));
    }
    let entity = BusinessEntity {
        names: vec![Name {
            name: name.to_owned(),
            language: None,
        }],
        country_code: country,
        geographical_information: None,
        identifiers: Vec::new(),
        websites: Vec::new(),
        contacts: Vec::new(),
        additional_information: None,
        registration_date: None,
    };
    Ok((pid, entity))
}
