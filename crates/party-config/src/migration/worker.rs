//! Moving due migrations one step at a time.

use smp_store::{MigrationRow, migrations};

use super::{Direction, MigrationStatus, state_of};
use crate::{DomainError, Migrations};
use smp_core::kernel::now_ms;

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

/// How many migration steps run at once.
const MIGRATION_PARALLELISM: usize = 16;

/// Runs `f` on every item with up to `workers` threads; returns how many failed.
pub(crate) fn parallel<T: Sync>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> Result<(), ()> + Sync,
) -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, items.len().max(1)) {
            s.spawn(|| {
                while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if f(item).is_err() {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    failed.into_inner()
}

/// The statuses the worker moves on from by itself.
const ACTIVE: [MigrationStatus; 3] = [
    MigrationStatus::Prepared,
    MigrationStatus::Registering,
    MigrationStatus::PendingDeregistration,
];

impl Migrations<'_> {
    /// Runs one step of every due migration (at most `limit`) and the due clean-ups.
    /// Each step is idempotent, so a crash at any point is resumed by the next run.
    pub fn run_migrations(&self, limit: usize) -> Result<MigrationRunSummary, DomainError> {
        if self.core.sml().is_err() {
            return Ok(MigrationRunSummary::default());
        }
        let now = now_ms();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let due = self
            .core
            .store()
            .read(|conn| migrations::due(conn, &ACTIVE.map(MigrationStatus::as_str), now, limit))?;
        let mut summary = MigrationRunSummary {
            stepped: due.len(),
            ..MigrationRunSummary::default()
        };
        // Steps spend most of their time waiting for the SML, so they run side by side;
        // each one is guarded, so two runs (or two nodes) never apply a step twice.
        summary.errors = parallel(&due, MIGRATION_PARALLELISM, |m| {
            self.step(m).map_err(|e| {
                tracing::warn!(migration = %m.id, error = %e, "migration step failed; retried on the next run");
            })
        });
        for m in self
            .core
            .store()
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
        match state_of(m)? {
            (Direction::Outbound, MigrationStatus::Prepared) => self.step_outbound(m),
            (Direction::Inbound, MigrationStatus::Registering) if m.migration_key.is_some() => {
                self.step_inbound_with_key(m)
            }
            (Direction::Inbound, MigrationStatus::Registering) => self.step_registration(m),
            (Direction::Inbound, MigrationStatus::PendingDeregistration) => self.step_watch(m),
            // Waiting for an operator, or done: nothing moves by itself.
            (
                Direction::Inbound,
                MigrationStatus::DeregistrationConfirmed | MigrationStatus::Prepared,
            )
            | (
                Direction::Outbound,
                MigrationStatus::Registering
                | MigrationStatus::PendingDeregistration
                | MigrationStatus::DeregistrationConfirmed,
            )
            | (
                _,
                MigrationStatus::Completed | MigrationStatus::Cancelled | MigrationStatus::Failed,
            ) => Ok(()),
        }
    }
}
