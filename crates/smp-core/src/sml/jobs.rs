//! The worker that carries out SML intents.

use std::collections::HashSet;

use peppol_id::ParticipantId;
use smp_store::{AttemptOutcome, SmlJobRow, audit, participants, sml_jobs};

use super::{SmlFailure, SmlFailureKind, SmlRegistry, SmlState};
use crate::kernel::now_ms;
use crate::states::{JobAction, JobStatus};
use crate::{DomainError, SmlSync};

/// Longest wait between two attempts of one job.
const MAX_BACKOFF_MS: i64 = 5 * 60 * 1000;
/// How many pending jobs one run looks at.
const SCAN: i64 = 1000;
/// SML calls one attempt makes at most (an existence check, the change, a second check).
const CALLS_PER_ATTEMPT: u32 = 3;
/// Added to the longest attempt for a worker's claim on a job, so a claim outlives its
/// calls; a node killed mid-attempt holds the participant's later jobs back that long.
const CLAIM_MARGIN_MS: i64 = 30_000;

/// What one run of the worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SmlRunSummary {
    /// Jobs that reached the SML's agreement.
    pub done: usize,
    /// Jobs that will be tried again later.
    pub retrying: usize,
    /// Jobs the SML refused for good.
    pub failed: usize,
}

enum Outcome {
    Done,
    Retry(SmlFailure),
    Failed(SmlFailure),
}

/// How long a claim lasts: the longest attempt `sml` can make, plus a margin.
fn claim_lease_ms(sml: &dyn SmlRegistry) -> i64 {
    let attempt = sml.longest_call().saturating_mul(CALLS_PER_ATTEMPT);
    i64::try_from(attempt.as_millis())
        .unwrap_or(i64::MAX)
        .saturating_add(CLAIM_MARGIN_MS)
}

pub(crate) fn backoff_ms(attempts: i32) -> i64 {
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    (1000_i64 << exp).min(MAX_BACKOFF_MS)
}

impl SmlSync<'_> {
    /// Runs every due SML job once (at most `limit`), oldest first and one at a time per
    /// participant across every worker sharing the database (each job is claimed before its
    /// call), so a delete never overtakes the create it follows.
    pub fn run_sml_jobs(
        &self,
        sml: &dyn SmlRegistry,
        limit: usize,
    ) -> Result<SmlRunSummary, DomainError> {
        self.run_sml_jobs_at(sml, limit, now_ms())
    }

    /// [`Registry::run_sml_jobs`] as if the clock showed `now` (unix ms): jobs due by then
    /// run. Tests use it to skip backoff waits.
    pub fn run_sml_jobs_at(
        &self,
        sml: &dyn SmlRegistry,
        limit: usize,
        now: i64,
    ) -> Result<SmlRunSummary, DomainError> {
        let pending = self.core.store.read(|conn| sml_jobs::pending(conn, SCAN))?;
        let mut seen = HashSet::new();
        let due: Vec<SmlJobRow> = pending
            .into_iter()
            .filter(|job| seen.insert(job.participant_key.clone()))
            .filter(|job| job.next_run_at <= now)
            .take(limit)
            .collect();
        let mut summary = SmlRunSummary::default();
        for job in due {
            if !self.claim(&job, claim_lease_ms(sml))? {
                // Another worker holds it (its call may be in flight), or recorded it since
                // the scan: this participant's jobs wait for the next run.
                continue;
            }
            let outcome = attempt(sml, &job);
            match &outcome {
                Outcome::Done => summary.done += 1,
                Outcome::Retry(_) => summary.retrying += 1,
                Outcome::Failed(_) => summary.failed += 1,
            }
            self.record_outcome(&job, &outcome)?;
        }
        Ok(summary)
    }

    /// Claims `job` for one attempt; false when another worker holds it or moved it on.
    fn claim(&self, job: &SmlJobRow, lease_ms: i64) -> Result<bool, DomainError> {
        let now = now_ms();
        self.core.store.write(|conn| {
            Ok::<_, DomainError>(sml_jobs::claim(
                conn,
                job.id,
                job.attempts,
                now,
                now.saturating_add(lease_ms),
            )?)
        })
    }

    fn record_outcome(&self, job: &SmlJobRow, outcome: &Outcome) -> Result<(), DomainError> {
        let now = now_ms();
        let (status, next_run_at, failure, state) = match outcome {
            Outcome::Done => (JobStatus::Done, now, None, SmlState::Registered),
            Outcome::Retry(f) => (
                JobStatus::Pending,
                now + backoff_ms(job.attempts),
                Some(f),
                SmlState::Pending,
            ),
            Outcome::Failed(f) => (JobStatus::Failed, now, Some(f), SmlState::Failed),
        };
        let message = failure.map(ToString::to_string);
        self.core.store.write(|conn| {
            let recorded = sml_jobs::record_attempt(
                conn,
                job.id,
                job.attempts,
                &AttemptOutcome {
                    status: status.as_str(),
                    next_run_at,
                    error_code: failure.map(|f| f.code.as_str()),
                    error_message: failure.map(|f| f.message.as_str()),
                },
                now,
            )?;
            if !recorded {
                // Another worker recorded this attempt first.
                return Ok::<_, DomainError>(());
            }
            if JobAction::from_stored(&job.action)? == JobAction::Create
                && let Some(row) = participants::get_by_key(conn, &job.participant_key)?
            {
                participants::set_sml_state(conn, row.id, state.as_str(), message.as_deref())?;
                smp_store::changes::record(conn, &row.participant_key, now)?;
            }
            if !matches!(outcome, Outcome::Retry(_)) {
                audit::append(
                    conn,
                    &audit::NewAuditEntry {
                        at: now,
                        actor: "sml-worker".into(),
                        action: format!("sml.{}", job.action),
                        participant_key: Some(job.participant_key.clone()),
                        target: None,
                        outcome: status.as_str().into(),
                        detail: message.clone(),
                    },
                )?;
            }
            Ok(())
        })
    }
}

/// One attempt of one job, checking first whether an earlier attempt already took effect.
fn attempt(sml: &dyn SmlRegistry, job: &SmlJobRow) -> Outcome {
    let participant = match ParticipantId::new(&job.scheme, &job.value) {
        Ok(p) => p,
        Err(e) => {
            return Outcome::Failed(SmlFailure {
                kind: SmlFailureKind::Refused,
                code: e.code().into(),
                message: e.to_string(),
            });
        }
    };
    let create = match JobAction::from_stored(&job.action) {
        Ok(action) => action == JobAction::Create,
        Err(e) => {
            return Outcome::Failed(SmlFailure {
                kind: SmlFailureKind::Refused,
                code: e.code().into(),
                message: e.to_string(),
            });
        }
    };
    if job.attempts > 0 {
        match sml.participant_exists(&participant) {
            Ok(exists) if exists == create => return Outcome::Done,
            Ok(_) => {}
            Err(f) => return classify(f),
        }
    }
    let result = if create {
        sml.create_participant(&participant)
    } else {
        sml.delete_participant(&participant)
    };
    match result {
        Ok(()) => Outcome::Done,
        Err(f) if !create && f.kind == SmlFailureKind::NotFound => Outcome::Done,
        Err(f) if create && f.kind == SmlFailureKind::AlreadyExists => {
            match sml.participant_exists(&participant) {
                // Ours already (an earlier attempt whose answer was lost): nothing to do.
                Ok(true) => Outcome::Done,
                // Registered by another SMP: an operator must sort it out (or migrate it in).
                Ok(false) => Outcome::Failed(f),
                Err(e) => classify(e),
            }
        }
        Err(f) => classify(f),
    }
}

fn classify(f: SmlFailure) -> Outcome {
    if f.kind == SmlFailureKind::Transient {
        Outcome::Retry(f)
    } else {
        Outcome::Failed(f)
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_ms(0), 1000);
        assert_eq!(backoff_ms(3), 8000);
        assert_eq!(backoff_ms(50), 5 * 60 * 1000);
    }
}
