//! The parking worker's chores: writing the counts of refused requests, pruning audit rows
//! past `parking.audit_retention_days`, and reading changed CRL files again.

use smp_store::parking;

use super::RejectionCount;
use crate::{DomainError, ParkingDesk};
use smp_core::kernel::now_ms;

/// Audit rows deleted per transaction, so pruning never holds a long write.
const PRUNE_CHUNK: i64 = 1000;

impl ParkingDesk<'_> {
    /// Requests refused before they got an audit row of their own, per outcome, since this
    /// process started (for metrics).
    pub fn rejected_requests(&self) -> Vec<RejectionCount> {
        self.desk.rejections.totals()
    }

    /// Writes the counts of refused requests of the minutes that are over as audit rows
    /// (one per minute, address, caller and outcome); returns how many rows. On a database
    /// error they are kept for the next call.
    pub fn flush_rejections(&self) -> Result<usize, DomainError> {
        self.flush_rejections_at(now_ms())
    }

    /// [`flush_rejections`](Self::flush_rejections) as if the clock showed `now` (unix ms).
    pub fn flush_rejections_at(&self, now: i64) -> Result<usize, DomainError> {
        let counted = self.desk.rejections.take_finished(now);
        if counted.is_empty() {
            return Ok(0);
        }
        let written = self.core.store().write(|conn| {
            for c in &counted {
                parking::record_many(conn, &c.row(), c.attempts)?;
            }
            Ok::<_, smp_store::StoreError>(counted.len())
        });
        match written {
            Ok(n) => Ok(n),
            Err(e) => {
                self.desk.rejections.put_back(counted);
                Err(e.into())
            }
        }
    }

    /// Deletes audit rows older than `parking.audit_retention_days` (none when it is 0);
    /// returns how many went.
    pub fn prune_collections(&self) -> Result<usize, DomainError> {
        self.prune_collections_at(now_ms())
    }

    /// [`prune_collections`](Self::prune_collections) as if the clock showed `now` (unix ms).
    pub fn prune_collections_at(&self, now: i64) -> Result<usize, DomainError> {
        let retention = self.desk.audit_retention_ms;
        if retention <= 0 {
            return Ok(0);
        }
        let before = now.saturating_sub(retention);
        let mut total = 0;
        loop {
            let pruned = self
                .core
                .store()
                .write(|conn| parking::prune_before(conn, before, PRUNE_CHUNK))?;
            total += pruned;
            if pruned < usize::try_from(PRUNE_CHUNK).unwrap_or(usize::MAX) {
                return Ok(total);
            }
        }
    }

    /// Reads the CRL files again when one changed on disk; logs what happened. Returns
    /// whether new lists are in force.
    pub fn reload_crls(&self) -> bool {
        match self.desk.trust.reload_crls() {
            Ok(true) => {
                tracing::info!("parking: CRL files read again");
                true
            }
            Ok(false) => false,
            Err(e) => {
                tracing::error!(error = %e, "parking: CRL files changed but cannot be read; the lists read before stay in force");
                false
            }
        }
    }
}
