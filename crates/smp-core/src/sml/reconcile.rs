//! Comparing the SML's list of this SMP's participants with the database.

use std::collections::BTreeSet;

use serde::Serialize;
use smp_store::participants;

use super::{SmlRegistry, SmlState};
use crate::kernel::now_ms;
use crate::{DomainError, SmlSync};

/// What reconciliation found (and, with repair, fixed).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileReport {
    /// Participants the SML lists for this SMP: how many.
    pub sml_count: usize,
    /// Participants the database says are (or should be) registered: how many.
    pub local_count: usize,
    /// Registered here but missing at the SML.
    pub missing_at_sml: Vec<String>,
    /// At the SML for this SMP but not hosted here (or hosted with `create-in-sml=false`).
    pub unknown_at_sml: Vec<String>,
    /// At the SML, but recorded here as pending or failed.
    pub stale_state: Vec<String>,
    /// SML jobs still waiting to run (their participants may show up as differences).
    pub pending_jobs: i64,
    /// Differences fixed in this run.
    pub repaired: usize,
}

impl ReconcileReport {
    /// No differences at all.
    pub fn is_clean(&self) -> bool {
        self.differences() == 0
    }

    /// How many differences were found.
    pub fn differences(&self) -> usize {
        self.missing_at_sml.len() + self.unknown_at_sml.len() + self.stale_state.len()
    }
}

impl std::fmt::Display for ReconcileReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "SML lists {} participant(s) for this SMP; the database has {}.",
            self.sml_count, self.local_count
        )?;
        for (what, list) in [
            ("registered here, missing at the SML", &self.missing_at_sml),
            ("at the SML, not registered here", &self.unknown_at_sml),
            (
                "at the SML, recorded here as pending/failed",
                &self.stale_state,
            ),
        ] {
            for p in list {
                writeln!(f, "  {what}: {p}")?;
            }
        }
        if self.pending_jobs > 0 {
            writeln!(f, "{} SML job(s) still pending.", self.pending_jobs)?;
        }
        write!(
            f,
            "{} difference(s), {} repaired.",
            self.differences(),
            self.repaired
        )
    }
}

impl SmlSync<'_> {
    /// Compares the SML's list with the database; with `repair`, registers what is missing,
    /// deregisters what is unknown and corrects recorded states.
    pub fn reconcile_sml(
        &self,
        sml: &dyn SmlRegistry,
        repair: bool,
    ) -> Result<ReconcileReport, DomainError> {
        let at_sml: BTreeSet<String> = sml
            .list_participants()
            .map_err(|f| DomainError::invalid("sml", f.to_string()))?
            .iter()
            .map(peppol_id::ParticipantId::key)
            .collect();
        let (registered, unsure, pending_jobs) = self.core.store.read(|conn| {
            let registered: BTreeSet<String> =
                participants::keys_with_sml_state(conn, SmlState::Registered.as_str())?
                    .into_iter()
                    .collect();
            let mut unsure: BTreeSet<String> =
                participants::keys_with_sml_state(conn, SmlState::Pending.as_str())?
                    .into_iter()
                    .collect();
            unsure.extend(participants::keys_with_sml_state(
                conn,
                SmlState::Failed.as_str(),
            )?);
            Ok::<_, DomainError>((
                registered,
                unsure,
                smp_store::sml_jobs::count_pending(conn)?,
            ))
        })?;
        let mut report = ReconcileReport {
            sml_count: at_sml.len(),
            local_count: registered.len() + unsure.len(),
            missing_at_sml: registered.difference(&at_sml).cloned().collect(),
            unknown_at_sml: at_sml
                .iter()
                .filter(|k| !registered.contains(*k) && !unsure.contains(*k))
                .cloned()
                .collect(),
            stale_state: unsure.intersection(&at_sml).cloned().collect(),
            pending_jobs,
            repaired: 0,
        };
        if repair {
            report.repaired = self.repair(sml, &report)?;
        }
        Ok(report)
    }

    fn repair(
        &self,
        sml: &dyn SmlRegistry,
        report: &ReconcileReport,
    ) -> Result<usize, DomainError> {
        let mut repaired = 0;
        let sml_error = |f: super::SmlFailure| DomainError::invalid("sml", f.to_string());
        for key in &report.missing_at_sml {
            sml.create_participant(&peppol_id::ParticipantId::parse(key)?)
                .map_err(sml_error)?;
            repaired += 1;
        }
        for key in &report.unknown_at_sml {
            sml.delete_participant(&peppol_id::ParticipantId::parse(key)?)
                .map_err(sml_error)?;
            repaired += 1;
        }
        for key in &report.stale_state {
            self.core.store.write(|conn| {
                if let Some(row) = participants::get_by_key(conn, key)? {
                    participants::set_sml_state(conn, row.id, SmlState::Registered.as_str(), None)?;
                    smp_store::sml_jobs::supersede_pending(conn, key, now_ms())?;
                }
                Ok::<_, DomainError>(())
            })?;
            repaired += 1;
        }
        Ok(repaired)
    }
}
