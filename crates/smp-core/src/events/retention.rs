//! Retention of the event log: events older than the configured period go, together with
//! their finished deliveries. Without it, every registration of a million-participant
//! import would stay in `events` and `webhook_deliveries` for good.

use smp_store::events;

use crate::kernel::now_ms;
use crate::{DomainError, Events};

/// Events deleted per transaction, so pruning never holds a long write.
const CHUNK: i64 = 1000;

impl Events<'_> {
    /// Deletes events older than the retention period whose webhook deliveries have all
    /// finished (an event still being delivered stays); returns how many went. A
    /// retention of 0 keeps everything.
    pub fn prune_events(&self) -> Result<usize, DomainError> {
        self.prune_events_at(now_ms())
    }

    /// [`prune_events`](Self::prune_events) as if the clock showed `now` (unix ms).
    pub fn prune_events_at(&self, now: i64) -> Result<usize, DomainError> {
        if self.core.event_retention_ms <= 0 {
            return Ok(0);
        }
        let before = now.saturating_sub(self.core.event_retention_ms);
        let mut total = 0;
        loop {
            let pruned = self
                .core
                .store
                .write(|conn| events::prune_before(conn, before, CHUNK))?;
            total += pruned;
            if pruned < usize::try_from(CHUNK).unwrap_or(usize::MAX) {
                return Ok(total);
            }
        }
    }
}
