//! One run of a scheme migration: remove old identifiers whose overlap ended, then copy
//! every participant not yet migrated.

use peppol_id::ParticipantId;
use serde::Serialize;
use smp_store::participants::{self, ParticipantRow};
use smp_store::{NewSchemeMigration, business_cards, scheme_migrations, services};

use super::{check_icd, key_prefix, new_identifier};
use crate::SchemeMigration;
use crate::{Actor, DomainError, RejectedItem};
use smp_core::PARTICIPANT_REGISTERED;
use smp_core::SmlState;
use smp_core::kernel::blocks::emit_participant;
use smp_core::kernel::{now_ms, participant_id_of, record};

const BATCH: i64 = 200;

/// What to migrate and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeMigrationRequest {
    /// The old ICD, e.g. `9956`.
    pub from_icd: String,
    /// The new ICD, e.g. `0208`.
    pub to_icd: String,
    /// How long both identifiers stay registered, in ms.
    pub overlap_ms: i64,
    /// Count what would happen without changing anything.
    pub dry_run: bool,
}

/// What one run did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemeMigrationRun {
    /// Participants newly registered under the new ICD.
    pub registered: usize,
    /// Participants migrated by an earlier run whose overlap has not ended.
    pub in_overlap: usize,
    /// Old identifiers removed because their overlap ended.
    pub old_removed: usize,
    /// Participants that could not be migrated (under their old identifier).
    pub rejected: Vec<RejectedItem>,
    /// True when nothing was changed.
    pub dry_run: bool,
}

impl SchemeMigration<'_> {
    /// Runs (or resumes) the migration of every participant from one ICD to another.
    /// Administrators only. Each participant is its own transaction, so an interrupted run
    /// leaves finished ones finished and the next run continues.
    pub fn migrate_scheme(
        &self,
        actor: &Actor,
        request: &SchemeMigrationRequest,
    ) -> Result<SchemeMigrationRun, DomainError> {
        actor.require_admin()?;
        check_icd("from", &request.from_icd)?;
        check_icd("to", &request.to_icd)?;
        if request.from_icd == request.to_icd {
            return Err(DomainError::invalid("to", "must differ from `from`"));
        }
        if request.overlap_ms < 0 {
            return Err(DomainError::invalid("overlap", "must not be negative"));
        }
        let mut run = SchemeMigrationRun {
            dry_run: request.dry_run,
            ..SchemeMigrationRun::default()
        };
        self.remove_after_overlap(actor, request, &mut run)?;
        self.register_new(actor, request, &mut run)?;
        Ok(run)
    }

    /// Stage 3: deletes old identifiers whose overlap ended.
    fn remove_after_overlap(
        &self,
        actor: &Actor,
        request: &SchemeMigrationRequest,
        run: &mut SchemeMigrationRun,
    ) -> Result<(), DomainError> {
        let now = now_ms();
        let mut after_id = 0;
        loop {
            let due = self.core.store().read(|conn| {
                scheme_migrations::due_for_removal(
                    conn,
                    &request.from_icd,
                    &request.to_icd,
                    now,
                    after_id,
                    BATCH,
                )
            })?;
            let Some(last) = due.last() else {
                return Ok(());
            };
            after_id = last.id;
            for row in due {
                if request.dry_run {
                    run.old_removed += 1;
                    continue;
                }
                let old = ParticipantId::parse(&row.old_key)?;
                // Gone already (a crash after the delete, or an operator): just record it.
                match self.core.participants().delete_participant(actor, &old) {
                    Ok(()) | Err(DomainError::ParticipantNotFound { .. }) => {
                        self.core.store().write(|conn| {
                            scheme_migrations::mark_old_removed(conn, row.id, now_ms())
                        })?;
                        run.old_removed += 1;
                    }
                    Err(e) => run.rejected.push(rejection(&old.to_string(), &e)),
                }
            }
        }
    }

    /// Stage 1: copies every participant under the old ICD not migrated yet.
    fn register_new(
        &self,
        actor: &Actor,
        request: &SchemeMigrationRequest,
        run: &mut SchemeMigrationRun,
    ) -> Result<(), DomainError> {
        let prefix = key_prefix(&request.from_icd);
        let mut after = String::new();
        loop {
            let rows = self.core.store().read(|conn| {
                scheme_migrations::participants_with_prefix(conn, &prefix, &after, BATCH)
            })?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after.clone_from(&last.participant_key);
            for row in rows {
                let shown = format!("{}::{}", row.scheme, row.value);
                match self.migrate_one(actor, request, &row) {
                    Ok(true) => run.registered += 1,
                    Ok(false) => run.in_overlap += 1,
                    Err(e) => run.rejected.push(rejection(&shown, &e)),
                }
            }
        }
    }

    /// Registers one participant under the new ICD; false if an earlier run did.
    fn migrate_one(
        &self,
        actor: &Actor,
        request: &SchemeMigrationRequest,
        old_row: &ParticipantRow,
    ) -> Result<bool, DomainError> {
        let old = participant_id_of(old_row)?;
        let new = new_identifier(&old, &request.to_icd)?;
        if request.dry_run {
            return self.core.store().read(|conn| {
                if scheme_migrations::get_by_old_key(conn, &old.key())?.is_some() {
                    return Ok(false);
                }
                if participants::get_by_key(conn, &new.key())?.is_some() {
                    return Err(DomainError::ParticipantExists {
                        participant: new.to_string(),
                    });
                }
                Ok(true)
            });
        }
        self.core.write(|conn, touched| {
            let now = now_ms();
            if scheme_migrations::get_by_old_key(conn, &old.key())?.is_some() {
                return Ok(false);
            }
            // Re-read inside the transaction: the row may have changed since the page.
            let Some(old_row) = participants::get_by_key(conn, &old.key())? else {
                return Err(DomainError::ParticipantNotFound {
                    participant: old.to_string(),
                });
            };
            if participants::get_by_key(conn, &new.key())?.is_some() {
                return Err(DomainError::ParticipantExists {
                    participant: new.to_string(),
                });
            }
            let new_row = participants::insert(
                conn,
                &participants::NewParticipant {
                    participant_key: new.key(),
                    scheme: new.scheme().to_owned(),
                    value: new.value().to_owned(),
                    owner_id: old_row.owner_id,
                    extension: old_row.extension.clone(),
                    created_at: now,
                },
            )?;
            // A verbatim copy, not re-registration through the policy: these services were
            // accepted once, and the copy must be identical to what senders see today.
            for service in services::list(conn, old_row.id)? {
                services::replace(conn, new_row.id, &service, now)?;
            }
            if let Some(entities) = business_cards::get(conn, old_row.id)? {
                business_cards::replace(conn, new_row.id, &entities, now)?;
            }
            // Mirror the old identifier: one kept out of the SML stays out.
            let in_sml = SmlState::from_stored(&old_row.sml_state)? != SmlState::Unregistered;
            self.core
                .sml_sync()
                .queue_create(conn, &new_row, in_sml, now)?;
            self.core.publish_all(conn, &new_row, now)?;
            scheme_migrations::insert(
                conn,
                &NewSchemeMigration {
                    old_key: old.key(),
                    new_key: new.key(),
                    from_icd: request.from_icd.clone(),
                    to_icd: request.to_icd.clone(),
                    new_registered_at: now,
                    overlap_until: now.saturating_add(request.overlap_ms),
                },
            )?;
            record(
                conn,
                touched,
                actor,
                "participant.scheme_migrate",
                Some(&new_row.participant_key),
                Some(old.to_string()),
                now,
            )?;
            // Last write of the transaction: on PostgreSQL it takes the event-order lock.
            emit_participant(conn, PARTICIPANT_REGISTERED, &new_row, now)?;
            Ok(true)
        })
    }
}

pub(crate) fn rejection(participant: &str, e: &DomainError) -> RejectedItem {
    RejectedItem {
        participant: participant.to_owned(),
        code: e.code().to_owned(),
        message: e.to_string(),
    }
}
