//! Moving due migrations one step at a time.

use smp_store::{MigrationRow, migrations};

use super::{INBOUND, OUTBOUND, status};
use crate::registry::now_ms;
use crate::{DomainError, Registry};

/// What one run of the migration worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationRunSummary {
    /// Migrations checked.
    pub stepped: usize,
    /// Participants removed after migrating away.
    pub cleaned_up: usize,
    /// Steps that failed to record (logged; retried next run).
    pub errors: usize,
}

const ACTIVE: [&str; 3] = [
    status::PREPARED,
    status::REGISTERING,
    status::PENDING_DEREGISTRATION,
];

impl Registry {
    /// Runs one step of every due migration (at most `limit`) and the due clean-ups.
    /// Each step is idempotent, so a crash at any point is resumed by the next run.
    pub fn run_migrations(&self, limit: usize) -> Result<MigrationRunSummary, DomainError> {
        if self.sml.is_none() {
            return Ok(MigrationRunSummary::default());
        }
        let now = now_ms();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let due = self
            .store
            .read(|conn| migrations::due(conn, &ACTIVE, now, limit))?;
        let mut summary = MigrationRunSummary::default();
        for m in &due {
            summary.stepped += 1;
            if let Err(e) = self.step(m) {
                summary.errors += 1;
                tracing::warn!(migration = %m.id, error = %e, "migration step failed; retried on the next run");
            }
        }
        for m in self
            .store
            .read(|conn| migrations::cleanup_due(conn, now, limit))?
        {
            match self.clean_up_outbound(&m) {
                Ok(()) => summary.cleaned_up += 1,
                Err(e) => {
                    summary.errors += 1;
                    tracing::warn!(migration = %m.id, error = %e, "clean-up after migration failed; retried");
                }
            }
        }
        Ok(summary)
    }

    /// One step of one migration, whatever its kind.
    pub(crate) fn step(&self, m: &MigrationRow) -> Result<(), DomainError> {
        match (m.direction.as_str(), m.status.as_str()) {
            (OUTBOUND, status::PREPARED) => self.step_outbound(m),
            (INBOUND, status::REGISTERING) if m.migration_key.is_some() => {
                self.step_inbound_with_key(m)
            }
            (INBOUND, status::REGISTERING) => self.step_registration(m),
            (INBOUND, status::PENDING_DEREGISTRATION) => self.step_watch(m),
            _ => Ok(()),
        }
    }
}
