//! Outbound: a participant leaves this SMP.

use peppol_id::ParticipantId;
use sml_client::MigrationKey;
use smp_store::{MigrationRow, documents, migrations, participants, sml_jobs};

use super::{Details, Direction, MigrationStatus, is_open_outbound, new_id, transition};
use crate::{Actor, DomainError, MigrationView, Migrations};
use smp_core::SmlState;
use smp_core::kernel::blocks::emit;
use smp_core::kernel::{blocks::participant_view, existing, may_change, now_ms, record};

impl Migrations<'_> {
    /// Prepares a participant's move to another SMP: a fresh key from a cryptographic RNG,
    /// PrepareToMigrate at the SML, and an open `prepared` migration holding the key.
    /// Calling it again replaces the key. The participant stays fully served.
    pub fn prepare_outbound(
        &self,
        actor: &Actor,
        pid: &ParticipantId,
    ) -> Result<MigrationView, DomainError> {
        let sml = self.core.sml()?;
        let row = self.core.store().read(|conn| existing(conn, pid))?;
        may_change(actor, &row)?;
        if SmlState::from_stored(&row.sml_state)? != SmlState::Registered {
            return Err(DomainError::NotRegisteredInSml {
                participant: pid.to_string(),
                state: row.sml_state.clone(),
            });
        }
        let key = MigrationKey::try_generate().map_err(|e| DomainError::Corrupt(e.to_string()))?;
        sml.prepare_to_migrate(pid, key.as_str())
            .map_err(DomainError::from_sml)?;

        let sealed_key = self.h.sealer.seal(key.as_str())?;
        let now = now_ms();
        let id = self.core.write(|conn, touched| {
            let open = migrations::open_for_participant(conn, &row.participant_key)?
                .into_iter()
                .find(|m| is_open_outbound(m).unwrap_or(false));
            let id = match open {
                Some(current) => {
                    let next = MigrationRow {
                        migration_key: Some(sealed_key.clone()),
                        updated_at: now,
                        next_check_at: now + self.h.check_ms,
                        ..current.clone()
                    };
                    transition(conn, &current, &next, Some("key replaced"))?;
                    current.id
                }
                None => {
                    let id = new_id("mig")?;
                    let details = Details {
                        created_by: actor.username().to_owned(),
                        created_by_id: Some(actor.user_id().get()),
                        ..Details::default()
                    };
                    migrations::insert(
                        conn,
                        &MigrationRow {
                            id: id.clone(),
                            direction: Direction::Outbound.as_str().into(),
                            participant_key: row.participant_key.clone(),
                            participant: pid.to_string(),
                            status: MigrationStatus::Prepared.as_str().into(),
                            migration_key: Some(sealed_key.clone()),
                            auto_register: false,
                            bulk_id: None,
                            attempts: 0,
                            next_check_at: now + self.h.check_ms,
                            cleanup_at: None,
                            error_code: None,
                            error_message: None,
                            details: details.to_json(),
                            created_at: now,
                            updated_at: now,
                        },
                    )?;
                    migrations::add_history(conn, &id, MigrationStatus::Prepared.as_str(), now, None)?;
                    id
                }
            };
            emit(conn, "migration.prepared", serde_json::json!({"migrationId": id, "participant": pid.to_string(), "direction": Direction::Outbound.as_str()}), now)?;
            record(conn, touched, actor, "migration.prepare", Some(&row.participant_key), Some(id.clone()), now)?;
            Ok(id)
        })?;
        // The one answer that carries the key; afterwards only `reveal_key` shows it.
        let mut view = self.migration(actor, &id)?;
        view.migration_key = Some(key.as_str().to_owned());
        Ok(view)
    }

    /// Cancels a prepared outbound migration for real: the SML has no cancel, so the
    /// participant is migrated to this same SMP with the stored key, which consumes the
    /// SML's migration record (deletes work again afterwards).
    pub(crate) fn cancel_outbound(
        &self,
        actor: &Actor,
        m: &MigrationRow,
    ) -> Result<(), DomainError> {
        let pid = ParticipantId::parse(&m.participant)?;
        let key = self
            .h
            .sealer
            .open_opt(m.migration_key.as_deref())?
            .ok_or_else(|| DomainError::Corrupt(format!("migration {} has no key", m.id)))?;
        self.core
            .sml()?
            .migrate(&pid, &key)
            .map_err(DomainError::from_sml)?;
        let now = now_ms();
        self.core.write(|conn, touched| {
            let next = MigrationRow { status: MigrationStatus::Cancelled.as_str().into(), migration_key: None, updated_at: now, ..m.clone() };
            if !transition(conn, m, &next, Some("migrated back to this SMP"))? {
                return Err(DomainError::MigrationState { id: m.id.clone(), status: m.status.clone(), hint: "it changed meanwhile; read it again".into() });
            }
            emit(conn, "migration.cancelled", serde_json::json!({"migrationId": m.id, "participant": m.participant, "direction": Direction::Outbound.as_str()}), now)?;
            record(conn, touched, actor, "migration.cancel", Some(&m.participant_key), Some(m.id.clone()), now)
        })
    }

    /// One check of a prepared outbound migration: has the new SMP taken over?
    pub(crate) fn step_outbound(&self, m: &MigrationRow) -> Result<(), DomainError> {
        let sml = self.core.sml()?;
        let pid = ParticipantId::parse(&m.participant)?;
        let now = now_ms();
        // The SML is the authority; DNS only tells us who holds it now.
        let still_ours = match sml.participant_exists(&pid) {
            Ok(v) => v,
            Err(f) => {
                self.core.store().write(|conn| {
                    let next = MigrationRow {
                        next_check_at: now + self.h.check_ms,
                        error_message: Some(f.to_string()),
                        updated_at: now,
                        ..m.clone()
                    };
                    transition(conn, m, &next, None).map(|_| ())
                })?;
                return Ok(());
            }
        };
        let mut details = Details::of(m)?;
        if still_ours {
            return self.core.store().write(|conn| {
                let next = MigrationRow {
                    next_check_at: now + self.h.check_ms,
                    error_message: None,
                    updated_at: now,
                    ..m.clone()
                };
                transition(conn, m, &next, None).map(|_| ())
            });
        }
        details.current_smp = sml.lookup_smp(&pid).ok().flatten();
        self.core.store().write(|conn| {
            let next = MigrationRow {
                status: MigrationStatus::Completed.as_str().into(),
                migration_key: None,
                cleanup_at: Some(now + self.h.grace_ms),
                details: details.to_json(),
                error_message: None,
                updated_at: now,
                ..m.clone()
            };
            if transition(conn, m, &next, Some("the new SMP took the participant over at the SML"))? {
                emit(
                    conn,
                    "migration.completed",
                    serde_json::json!({"migrationId": m.id, "participant": m.participant, "direction": Direction::Outbound.as_str(), "newSmp": details.current_smp}),
                    now,
                )?;
            }
            Ok(())
        })
    }

    /// Removes a participant that migrated away, after the grace period: an archived copy
    /// is kept, and the SML is not touched (the participant belongs to the new SMP now).
    pub(crate) fn clean_up_outbound(&self, m: &MigrationRow) -> Result<(), DomainError> {
        let now = now_ms();
        self.core.write(|conn, touched| {
            let removed = participants::get_by_key(conn, &m.participant_key)?;
            if let Some(row) = &removed {
                let snapshot = participant_view(conn, row)?;
                let json = serde_json::to_string(&snapshot).unwrap_or_else(|_| "{}".into());
                migrations::archive_participant(conn, &row.participant_key, &format!("migrated away ({})", m.id), &json, now)?;
                sml_jobs::supersede_pending(conn, &row.participant_key, now)?;
                smp_store::business_cards::delete(conn, row.id)?;
                participants::delete(conn, row.id)?;
                documents::delete_for_participant(conn, &row.participant_key)?;
                smp_store::changes::record(conn, &row.participant_key, now)?;
                touched.push(row.participant_key.clone());
            }
            let next = MigrationRow { cleanup_at: None, updated_at: now, ..m.clone() };
            transition(conn, m, &next, Some("removed locally; archived copy kept"))?;
            // Last write of the transaction: on PostgreSQL it takes the event-order lock.
            if removed.is_some() {
                emit(conn, "participant.deleted", serde_json::json!({"participant": m.participant, "reason": "migrated", "migrationId": m.id}), now)?;
            }
            Ok(())
        })
    }
}
