//! Migrations as API resources: read, list, check now, retry, cancel.

use smp_store::{MigrationQuery, MigrationRow, migrations};

use super::{Direction, MigrationFilter, MigrationStatus, MigrationView, RevealedKey, state_of};
use crate::{Actor, DomainError, Migrations};
use smp_core::Page;
use smp_core::kernel::blocks::page_offset;
use smp_core::kernel::{now_ms, record};

impl Migrations<'_> {
    fn migration_row(&self, id: &str) -> Result<MigrationRow, DomainError> {
        self.core
            .store()
            .read(|conn| migrations::get(conn, id))?
            .ok_or_else(|| DomainError::MigrationNotFound { id: id.to_owned() })
    }

    /// One migration with its history. Administrators see all; users those they created.
    pub fn migration(&self, actor: &Actor, id: &str) -> Result<MigrationView, DomainError> {
        let row = self.migration_row(id)?;
        may_see(actor, &row)?;
        let history = self
            .core
            .store()
            .read(|conn| migrations::history(conn, id))?;
        MigrationView::from_rows(&row, &history)
    }

    /// Migrations, newest first, filtered.
    pub fn list_migrations(
        &self,
        actor: &Actor,
        filter: &MigrationFilter,
    ) -> Result<Page<MigrationView>, DomainError> {
        actor.require_admin()?;
        let participant_key = filter
            .participant
            .as_deref()
            .map(peppol_id::ParticipantId::parse)
            .transpose()?
            .map(|p| p.key());
        let query = MigrationQuery {
            status: filter.status.map(|s| s.as_str().to_owned()),
            direction: filter.direction.map(|d| d.as_str().to_owned()),
            participant_key,
            bulk_id: filter.bulk_id.clone(),
            offset: page_offset(filter.offset)?,
            limit: filter.limit.unwrap_or(50).clamp(1, 1000),
        };
        self.core.store().read(|conn| {
            let (rows, total) = migrations::list(conn, &query)?;
            let items = rows
                .iter()
                .map(|r| MigrationView::from_rows(r, &migrations::history(conn, &r.id)?))
                .collect::<Result<Vec<_>, DomainError>>()?;
            Ok(Page {
                items,
                total,
                offset: query.offset,
                limit: query.limit,
            })
        })
    }

    /// The key of an open outbound migration (administrators and the migration's creator).
    /// A key is a credential: every reveal is written to the audit log.
    pub fn reveal_key(&self, actor: &Actor, id: &str) -> Result<RevealedKey, DomainError> {
        let row = self.migration_row(id)?;
        may_see(actor, &row)?;
        if state_of(&row)? != (Direction::Outbound, MigrationStatus::Prepared) {
            return Err(DomainError::MigrationState {
                id: id.to_owned(),
                status: row.status,
                hint: "only a prepared outbound migration has an open key".into(),
            });
        }
        let key = self
            .h
            .sealer
            .open_opt(row.migration_key.as_deref())?
            .ok_or_else(|| DomainError::Corrupt(format!("migration {id} has no key")))?;
        self.core.write(|conn, touched| {
            record(
                conn,
                touched,
                actor,
                "migration.key_revealed",
                None,
                Some(id.to_owned()),
                now_ms(),
            )
        })?;
        Ok(RevealedKey {
            migration_id: row.id,
            participant: row.participant,
            migration_key: key,
        })
    }

    /// Runs the migration's next step now instead of waiting for the worker.
    pub fn check_migration(&self, actor: &Actor, id: &str) -> Result<MigrationView, DomainError> {
        let row = self.migration_row(id)?;
        may_see(actor, &row)?;
        self.step(&row)?;
        self.migration(actor, id)
    }

    /// Sends a failed inbound migration through its steps again.
    pub fn retry_migration(&self, actor: &Actor, id: &str) -> Result<MigrationView, DomainError> {
        let row = self.migration_row(id)?;
        may_see(actor, &row)?;
        if state_of(&row)? != (Direction::Inbound, MigrationStatus::Failed) {
            return Err(DomainError::MigrationState {
                id: id.to_owned(),
                status: row.status,
                hint: "only failed inbound migrations can be retried".into(),
            });
        }
        self.retry_inbound(actor, &row)?;
        let row = self.migration_row(id)?;
        self.step(&row)?;
        self.migration(actor, id)
    }

    /// Cancels an open migration. Outbound: migrates the participant back to this SMP so
    /// the SML holds no open key. Inbound: stops and removes anything staged.
    pub fn cancel_migration(&self, actor: &Actor, id: &str) -> Result<MigrationView, DomainError> {
        let row = self.migration_row(id)?;
        may_see(actor, &row)?;
        match state_of(&row)? {
            (Direction::Outbound, MigrationStatus::Prepared) => {
                self.cancel_outbound(actor, &row)?
            }
            (
                Direction::Inbound,
                MigrationStatus::Registering
                | MigrationStatus::PendingDeregistration
                | MigrationStatus::DeregistrationConfirmed,
            ) => self.cancel_inbound(actor, &row)?,
            _ => {
                return Err(DomainError::MigrationState {
                    id: id.to_owned(),
                    status: row.status,
                    hint: "only open migrations can be cancelled".into(),
                });
            }
        }
        self.migration(actor, id)
    }
}

/// Administrators see every migration; a user those created under its user id (a user
/// deleted and created again under the same name is another user). Migrations recorded
/// before ids were kept are visible to administrators only.
pub(crate) fn may_see(actor: &Actor, row: &MigrationRow) -> Result<(), DomainError> {
    if actor.is_admin() || super::Details::of(row)?.created_by_id == Some(actor.user_id().get()) {
        Ok(())
    } else {
        Err(DomainError::MigrationNotFound { id: row.id.clone() })
    }
}
