//! Writing SML intents: a job row in the same transaction as the local change.

use smp_store::participants::ParticipantRow;
use smp_store::{DbConnection, NewSmlJob, sml_jobs};

use crate::states::{JobAction, SmlState};
use crate::{DomainError, SmlSync};

impl SmlSync<'_> {
    /// Queues the SML registration of a participant created in this transaction (unless
    /// the SML is off or the caller opted out).
    pub fn queue_create(
        &self,
        conn: &mut DbConnection,
        row: &ParticipantRow,
        register: bool,
        now: i64,
    ) -> Result<(), DomainError> {
        if !(self.core.sml_enabled && register) {
            return Ok(());
        }
        sml_jobs::supersede_pending(conn, &row.participant_key, now)?;
        sml_jobs::insert(conn, &new_job(row, JobAction::Create, now))?;
        smp_store::participants::set_sml_state(conn, row.id, SmlState::Pending.as_str(), None)?;
        Ok(())
    }

    /// Queues the SML deletion of a participant deleted in this transaction.
    pub(crate) fn queue_delete(
        &self,
        conn: &mut DbConnection,
        row: &ParticipantRow,
        now: i64,
    ) -> Result<(), DomainError> {
        if !self.core.sml_enabled
            || SmlState::from_stored(&row.sml_state)? == SmlState::Unregistered
        {
            return Ok(());
        }
        sml_jobs::supersede_pending(conn, &row.participant_key, now)?;
        sml_jobs::insert(conn, &new_job(row, JobAction::Delete, now))?;
        Ok(())
    }
}

fn new_job(row: &ParticipantRow, action: JobAction, now: i64) -> NewSmlJob {
    NewSmlJob {
        participant_key: row.participant_key.clone(),
        scheme: row.scheme.clone(),
        value: row.value.clone(),
        action: action.as_str().to_owned(),
        created_at: now,
    }
}
