//! Inbound: a participant arrives from another SMP, with a migration key or by watching
//! until its old provider lets go.

use peppol_id::ParticipantId;
use serde::{Deserialize, Serialize};
use sml_client::MigrationKey;
use smp_store::{DbConnection, MigrationRow, documents, migrations, participants};
use utoipa::ToSchema;

use super::{Details, Direction, MigrationStatus, backoff, new_id, transition};
use crate::{Actor, DomainError, MigrationView, Migrations};
use smp_core::kernel::blocks::emit;
use smp_core::kernel::{now_ms, record};
use smp_core::{CapabilitySpec, kernel::blocks::capability_ids};
use smp_core::{SmlFailureKind, SmlState};

/// A request to move a participant here.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewInboundMigration {
    /// `iso6523-actorid-upis::ICD:id`.
    pub participant: String,
    /// The key the current SMP prepared. Without one, Ferry watches until the current SMP
    /// deregisters the participant.
    #[serde(default)]
    pub migration_key: Option<String>,
    /// What the participant receives here; published before the SML points here (at most
    /// 1000).
    #[serde(default, deserialize_with = "super::bounded::capabilities")]
    pub capabilities: Vec<CapabilitySpec>,
    /// Without a key: register as soon as the old provider lets go (default true).
    #[serde(default)]
    pub auto_register: Option<bool>,
    /// Optional business card: Peppol Directory business card v3 XML for this participant.
    #[serde(default)]
    pub business_card: Option<String>,
}

impl Migrations<'_> {
    /// Starts an inbound migration and runs its first step at once: with a key the
    /// participant is staged, migrated at the SML and activated (or nothing is left when
    /// the SML refuses); without one, the migration watches the current registration.
    pub fn create_inbound(
        &self,
        actor: &Actor,
        request: &NewInboundMigration,
    ) -> Result<MigrationView, DomainError> {
        let row = self.start_inbound(actor, request, None)?;
        self.step(&row)?;
        let view = self.migration(actor, &row.id)?;
        if view.status == MigrationStatus::Failed && request.migration_key.is_some() {
            // A refused key is the caller's problem: say so with the SML's code.
            return Err(DomainError::SmlRefused {
                code: view
                    .error_code
                    .clone()
                    .unwrap_or_else(|| "sml.error".into()),
                message: view.error_message.clone().unwrap_or_default(),
            });
        }
        Ok(view)
    }

    /// Validates and records an inbound migration (staging the participant when a key is
    /// given); the worker or the caller runs its steps.
    pub(crate) fn start_inbound(
        &self,
        actor: &Actor,
        request: &NewInboundMigration,
        bulk_id: Option<&str>,
    ) -> Result<MigrationRow, DomainError> {
        self.core.sml()?;
        let pid = ParticipantId::parse(request.participant.trim())?;
        if let Some(key) = &request.migration_key {
            MigrationKey::new(key).map_err(|e| DomainError::InvalidMigrationKey {
                reason: e.to_string(),
            })?;
        }
        for c in &request.capabilities {
            capability_ids(c)?;
        }
        if let Some(xml) = &request.business_card {
            let card = smp_xml::parse_business_card(xml.as_bytes(), self.core.parse_options())?;
            if card.participant != pid {
                return Err(DomainError::ParticipantMismatch {
                    url: pid.to_string(),
                    body: card.participant.to_string(),
                });
            }
        }
        let now = now_ms();
        let with_key = request.migration_key.is_some();
        let details = Details {
            created_by: actor.username().to_owned(),
            created_by_id: Some(actor.user_id().get()),
            owner_id: actor.as_owner(),
            capabilities: request.capabilities.clone(),
            business_card: request.business_card.clone(),
            ..Details::default()
        };
        let row = MigrationRow {
            id: new_id("mig")?,
            direction: Direction::Inbound.as_str().into(),
            participant_key: pid.key(),
            participant: pid.to_string(),
            status: if with_key {
                MigrationStatus::Registering
            } else {
                MigrationStatus::PendingDeregistration
            }
            .into(),
            migration_key: request
                .migration_key
                .as_deref()
                .map(|k| self.h.sealer.seal(k))
                .transpose()?,
            auto_register: request.auto_register.unwrap_or(true),
            bulk_id: bulk_id.map(str::to_owned),
            attempts: 0,
            next_check_at: now,
            cleanup_at: None,
            error_code: None,
            error_message: None,
            details: details.to_json(),
            created_at: now,
            updated_at: now,
        };
        self.core.write(|conn, touched| {
            if participants::get_by_key(conn, &row.participant_key)?.is_some() {
                return Err(DomainError::ParticipantExists {
                    participant: pid.to_string(),
                });
            }
            if let Some(open) = migrations::open_for_participant(conn, &row.participant_key)?
                .into_iter()
                .find(|m| m.direction == Direction::Inbound.as_str())
            {
                return Err(DomainError::MigrationState {
                    id: open.id,
                    status: open.status,
                    hint: "an inbound migration for this participant is already open".into(),
                });
            }
            migrations::insert(conn, &row)?;
            migrations::add_history(conn, &row.id, &row.status, now, None)?;
            if with_key {
                self.stage(conn, &row, &details, &pid, now)?;
                touched.push(row.participant_key.clone());
            }
            record(
                conn,
                touched,
                actor,
                "migration.inbound",
                Some(&row.participant_key),
                Some(row.id.clone()),
                now,
            )?;
            Ok(row.clone())
        })
    }

    /// Creates the participant locally with its capabilities, published and signed but
    /// marked `migrating` (no SML job): the moment DNS points here, the right metadata is
    /// already served.
    fn stage(
        &self,
        conn: &mut DbConnection,
        m: &MigrationRow,
        details: &Details,
        pid: &ParticipantId,
        now: i64,
    ) -> Result<(), DomainError> {
        let row = participants::insert(
            conn,
            &participants::NewParticipant {
                participant_key: m.participant_key.clone(),
                scheme: pid.scheme().to_owned(),
                value: pid.value().to_owned(),
                owner_id: details.owner_id,
                extension: None,
                created_at: now,
            },
        )?;
        participants::set_sml_state(conn, row.id, SmlState::Migrating.as_str(), None)?;
        for c in &details.capabilities {
            self.core
                .participants()
                .apply_capability(conn, row.id, pid, c, now)?;
        }
        if let Some(xml) = &details.business_card {
            let card = smp_xml::parse_business_card(xml.as_bytes(), self.core.parse_options())?;
            let entities: Vec<_> = card
                .entities
                .iter()
                .map(smp_core::kernel::blocks::entity_record)
                .collect();
            smp_core::kernel::blocks::store_business_card(conn, row.id, pid, &entities, now)?;
        }
        let row = participants::get(conn, row.id)?
            .ok_or_else(|| DomainError::Corrupt("staged participant vanished".into()))?;
        self.core.publish_group(conn, &row, now)?;
        smp_store::changes::record(conn, &row.participant_key, now)?;
        Ok(())
    }

    /// Removes a staged participant (the SML refused the migration).
    fn unstage(
        &self,
        conn: &mut DbConnection,
        m: &MigrationRow,
        now: i64,
    ) -> Result<(), DomainError> {
        if let Some(row) = participants::get_by_key(conn, &m.participant_key)?
            && SmlState::from_stored(&row.sml_state)? == SmlState::Migrating
        {
            participants::delete(conn, row.id)?;
            documents::delete_for_participant(conn, &row.participant_key)?;
            smp_store::changes::record(conn, &row.participant_key, now)?;
        }
        Ok(())
    }

    /// Inbound with a key, status `registering`: call Migrate, then activate.
    pub(crate) fn step_inbound_with_key(&self, m: &MigrationRow) -> Result<(), DomainError> {
        let sml = self.core.sml()?;
        let pid = ParticipantId::parse(&m.participant)?;
        let key = self
            .h
            .sealer
            .open_opt(m.migration_key.as_deref())?
            .unwrap_or_default();
        // A previous attempt may have reached the SML before we crashed or lost the answer.
        if m.attempts > 0 {
            match sml.participant_exists(&pid) {
                Ok(true) => return self.activate(m, "the SML already shows the participant here"),
                Ok(false) => {}
                Err(f) => return self.retry_later(m, &f.code, &f.message),
            }
        }
        // Record the attempt before making it, so a crash after the SML said yes is
        // recognised above instead of calling Migrate again (the record is consumed).
        let now = now_ms();
        let attempting = MigrationRow {
            attempts: m.attempts + 1,
            updated_at: now,
            ..m.clone()
        };
        if !self
            .core
            .store()
            .write(|conn| transition(conn, m, &attempting, None))?
        {
            return Ok(());
        }
        match sml.migrate(&pid, &key) {
            Ok(()) => self.activate(&attempting, "migrated at the SML"),
            Err(f) if f.kind == SmlFailureKind::Transient => {
                self.retry_later(&attempting, &f.code, &f.message)
            }
            Err(f) => self.fail_inbound(&attempting, &f.code, &f.message),
        }
    }

    /// Inbound without a key, status `pending_deregistration`: has the old provider let go?
    pub(crate) fn step_watch(&self, m: &MigrationRow) -> Result<(), DomainError> {
        let sml = self.core.sml()?;
        let pid = ParticipantId::parse(&m.participant)?;
        let now = now_ms();
        let mut details = Details::of(m)?;
        match sml.lookup_smp(&pid) {
            Err(f) => self.retry_later(m, &f.code, &f.message),
            Ok(Some(smp)) => {
                if details.current_smp.as_deref() != Some(smp.as_str()) {
                    details.current_smp = Some(smp.clone());
                    details.current_ap =
                        crate::migration::current_ap(&smp, &pid, &self.h.foreign_fetch);
                }
                self.core.store().write(|conn| {
                    let next = MigrationRow {
                        attempts: m.attempts + 1,
                        next_check_at: now + backoff(self.h.check_ms, m.attempts),
                        details: details.to_json(),
                        error_code: Some("ALREADY_REGISTERED".into()),
                        error_message: Some(format!("registered with {smp}")),
                        updated_at: now,
                        ..m.clone()
                    };
                    transition(conn, m, &next, None).map(|_| ())
                })
            }
            Ok(None) => self.core.write(|conn, touched| {
                let (next_status, note) = if m.auto_register {
                    (
                        MigrationStatus::Registering,
                        "the old provider deregistered it; registering here",
                    )
                } else {
                    (
                        MigrationStatus::DeregistrationConfirmed,
                        "the old provider deregistered it",
                    )
                };
                let next = MigrationRow {
                    status: next_status.into(),
                    attempts: 0,
                    next_check_at: now,
                    error_code: None,
                    error_message: None,
                    updated_at: now,
                    ..m.clone()
                };
                if !transition(conn, m, &next, Some(note))? {
                    return Ok(());
                }
                if m.auto_register {
                    // An ordinary registration: the SML job machinery takes it from here.
                    self.stage(conn, m, &details, &pid, now)?;
                    if let Some(row) = participants::get_by_key(conn, &m.participant_key)? {
                        participants::set_sml_state(
                            conn,
                            row.id,
                            SmlState::Unregistered.as_str(),
                            None,
                        )?;
                        let row = participants::get(conn, row.id)?.unwrap_or(row);
                        self.core.sml_sync().queue_create(conn, &row, true, now)?;
                    }
                    touched.push(m.participant_key.clone());
                } else {
                    emit(
                        conn,
                        "migration.deregistered",
                        serde_json::json!({"migrationId": m.id, "participant": m.participant}),
                        now,
                    )?;
                }
                Ok(())
            }),
        }
    }

    /// Inbound without a key, status `registering`: wait for the SML job to finish.
    pub(crate) fn step_registration(&self, m: &MigrationRow) -> Result<(), DomainError> {
        let state = self
            .core
            .store()
            .read(|conn| participants::get_by_key(conn, &m.participant_key))?;
        let state = state
            .map(|r| Ok::<_, DomainError>((SmlState::from_stored(&r.sml_state)?, r.sml_error)))
            .transpose()?;
        match state {
            Some((SmlState::Registered, _)) => self.activate(m, "registered at the SML"),
            Some((SmlState::Failed, error)) => {
                let message = error.unwrap_or_default();
                let code = message.split(':').next().unwrap_or("sml.error").to_owned();
                self.fail_inbound(m, &code, &message)
            }
            None => self.fail_inbound(
                m,
                "participant.not_found",
                "the participant was deleted during the migration",
            ),
            // The SML job is still queued or being retried.
            Some((SmlState::Pending | SmlState::Unregistered | SmlState::Migrating, _)) => {
                let now = now_ms();
                self.core.store().write(|conn| {
                    let next = MigrationRow {
                        next_check_at: now + self.h.check_ms.min(1000),
                        updated_at: now,
                        ..m.clone()
                    };
                    transition(conn, m, &next, None).map(|_| ())
                })
            }
        }
    }

    fn activate(&self, m: &MigrationRow, note: &str) -> Result<(), DomainError> {
        let now = now_ms();
        self.core.write(|conn, touched| {
            let next = MigrationRow {
                status: MigrationStatus::Completed.as_str().into(),
                migration_key: None,
                error_code: None,
                error_message: None,
                updated_at: now,
                ..m.clone()
            };
            if !transition(conn, m, &next, Some(note))? {
                return Ok(());
            }
            if let Some(row) = participants::get_by_key(conn, &m.participant_key)? {
                participants::set_sml_state(conn, row.id, SmlState::Registered.as_str(), None)?;
                smp_store::changes::record(conn, &row.participant_key, now)?;
                touched.push(row.participant_key.clone());
            }
            emit(conn, "migration.completed", serde_json::json!({"migrationId": m.id, "participant": m.participant, "direction": Direction::Inbound.as_str()}), now)?;
            emit(conn, "participant.registered", serde_json::json!({"participant": m.participant, "smlState": SmlState::Registered.as_str(), "migrationId": m.id}), now)
        })
    }

    fn fail_inbound(&self, m: &MigrationRow, code: &str, message: &str) -> Result<(), DomainError> {
        let now = now_ms();
        self.core.write(|conn, touched| {
            let next = MigrationRow {
                status: MigrationStatus::Failed.as_str().into(),
                error_code: Some(code.to_owned()),
                error_message: Some(message.to_owned()),
                updated_at: now,
                ..m.clone()
            };
            if !transition(conn, m, &next, Some(message))? {
                return Ok(());
            }
            self.unstage(conn, m, now)?;
            touched.push(m.participant_key.clone());
            emit(conn, "migration.failed", serde_json::json!({"migrationId": m.id, "participant": m.participant, "errorCode": code, "errorMessage": message}), now)
        })
    }

    fn retry_later(&self, m: &MigrationRow, code: &str, message: &str) -> Result<(), DomainError> {
        let now = now_ms();
        self.core.store().write(|conn| {
            let next = MigrationRow {
                next_check_at: now + backoff(self.h.check_ms, m.attempts),
                error_code: Some(code.to_owned()),
                error_message: Some(message.to_owned()),
                updated_at: now,
                ..m.clone()
            };
            transition(conn, m, &next, None).map(|_| ())
        })
    }

    /// Makes a failed inbound migration try again (re-staging its participant).
    pub(crate) fn retry_inbound(&self, actor: &Actor, m: &MigrationRow) -> Result<(), DomainError> {
        let pid = ParticipantId::parse(&m.participant)?;
        let now = now_ms();
        let details = Details::of(m)?;
        self.core.write(|conn, touched| {
            let with_key = m.migration_key.is_some();
            let next = MigrationRow {
                status: if with_key {
                    MigrationStatus::Registering
                } else {
                    MigrationStatus::PendingDeregistration
                }
                .into(),
                attempts: 0,
                next_check_at: now,
                error_code: None,
                error_message: None,
                updated_at: now,
                ..m.clone()
            };
            if !transition(
                conn,
                m,
                &next,
                Some(&format!("retry by {}", actor.username())),
            )? {
                return Ok(());
            }
            if with_key {
                if participants::get_by_key(conn, &m.participant_key)?.is_some() {
                    return Err(DomainError::ParticipantExists {
                        participant: m.participant.clone(),
                    });
                }
                self.stage(conn, m, &details, &pid, now)?;
                touched.push(m.participant_key.clone());
            }
            Ok(())
        })
    }

    /// Cancels an inbound migration that has not completed.
    pub(crate) fn cancel_inbound(
        &self,
        actor: &Actor,
        m: &MigrationRow,
    ) -> Result<(), DomainError> {
        let now = now_ms();
        self.core.write(|conn, touched| {
            let next = MigrationRow { status: MigrationStatus::Cancelled.as_str().into(), updated_at: now, ..m.clone() };
            if !transition(conn, m, &next, Some(&format!("cancelled by {}", actor.username())))? {
                return Err(DomainError::MigrationState { id: m.id.clone(), status: m.status.clone(), hint: "it changed meanwhile".into() });
            }
            self.unstage(conn, m, now)?;
            touched.push(m.participant_key.clone());
            emit(conn, "migration.cancelled", serde_json::json!({"migrationId": m.id, "participant": m.participant, "direction": Direction::Inbound.as_str()}), now)
        })
    }
}
