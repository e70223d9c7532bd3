//! Where a scheme migration stands, in its three stages.

use serde::Serialize;
use smp_store::scheme_migrations;

use super::{check_icd, key_prefix};
use crate::SchemeMigration;
use crate::{Actor, DomainError};
use smp_core::kernel::blocks::rfc3339;

/// The three stages of a scheme migration, with counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemeMigrationReport {
    pub from_icd: String,
    pub to_icd: String,
    /// When the first participant was registered under the new ICD.
    pub started_at: Option<String>,
    /// Stage 1: participants registered under the old ICD since the migration started
    /// (should be 0: new registrations belong under the new ICD).
    pub new_under_old_since_start: i64,
    /// Stage 2: participants registered under the new ICD by the migration.
    pub migrated: i64,
    /// Participants under the old ICD not migrated yet.
    pub not_migrated: i64,
    /// `migrated / (migrated + not_migrated)`, in percent (100 when there is nothing to do).
    pub migrated_percent: f64,
    /// Stage 3: old identifiers removed after their overlap.
    pub old_removed: i64,
    /// Participants still under the old ICD (0: the old scheme is gone here).
    pub old_remaining: i64,
}

impl SchemeMigrationReport {
    /// Stage 1 is met: nobody registered under the old ICD since the start.
    pub fn no_new_under_old(&self) -> bool {
        self.new_under_old_since_start == 0
    }

    /// Stage 3 is met: nothing is left under the old ICD.
    pub fn old_scheme_gone(&self) -> bool {
        self.old_remaining == 0
    }
}

impl SchemeMigration<'_> {
    /// The state of the migration from `from_icd` to `to_icd` (administrators).
    pub fn scheme_migration_report(
        &self,
        actor: &Actor,
        from_icd: &str,
        to_icd: &str,
    ) -> Result<SchemeMigrationReport, DomainError> {
        actor.require_admin()?;
        check_icd("from", from_icd)?;
        check_icd("to", to_icd)?;
        let prefix = key_prefix(from_icd);
        self.core.store().read(|conn| {
            let counts = scheme_migrations::counts(conn, from_icd, to_icd)?;
            let (old_remaining, new_under_old) =
                scheme_migrations::count_with_prefix(conn, &prefix, counts.started_at)?;
            // Old identifiers still there but already copied are in overlap, not pending.
            let in_overlap = counts.registered - counts.old_removed;
            let not_migrated = (old_remaining - in_overlap).max(0);
            let total = counts.registered + not_migrated;
            let migrated_percent = if total == 0 {
                100.0
            } else {
                #[allow(clippy::cast_precision_loss)] // counts far below 2^52
                let share = counts.registered as f64 * 100.0 / total as f64;
                share
            };
            Ok(SchemeMigrationReport {
                from_icd: from_icd.to_owned(),
                to_icd: to_icd.to_owned(),
                started_at: counts.started_at.map(rfc3339),
                new_under_old_since_start: new_under_old,
                migrated: counts.registered,
                not_migrated,
                migrated_percent,
                old_removed: counts.old_removed,
                old_remaining,
            })
        })
    }
}
