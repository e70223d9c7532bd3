//! The core's own workers: republication, the change log, webhooks, event retention and
//! SML registration jobs.

use std::sync::Arc;
use std::time::Duration;

use super::Supervisor;
use crate::{Core, DomainError, HttpWebhookSender};

/// How often the webhook worker looks for due deliveries.
pub const WEBHOOK_INTERVAL: Duration = Duration::from_millis(500);
/// How often change rows nobody needs any more are deleted.
pub const CHANGE_LOG_PRUNE_INTERVAL: Duration = Duration::from_secs(5 * 60);
/// How often events past `events.retention_days` are pruned.
pub const EVENT_RETENTION_INTERVAL: Duration = Duration::from_secs(20 * 60);
/// Deliveries one webhook tick sends at most.
const WEBHOOK_BATCH: usize = 100;
/// SML jobs one tick carries out at most.
const SML_BATCH: usize = 100;

/// Intervals that come from configuration.
#[derive(Debug, Clone, Copy)]
pub struct WorkerIntervals {
    /// `cache.poll_interval_ms`: how often to evict what other nodes changed (zero: never,
    /// for a single node).
    pub change_poll: Duration,
    /// `sml.worker_interval_ms`: how often due SML jobs are carried out.
    pub sml_jobs: Duration,
}

/// Starts the core's workers under `supervisor`. The SML jobs worker runs only when the
/// core has an SML.
pub fn start_core_workers(core: &Arc<Core>, supervisor: &Supervisor, intervals: WorkerIntervals) {
    let c = Arc::clone(core);
    supervisor.spawn_once("republish", move || {
        c.documents().republish_if_needed().map(|_| ())
    });
    if !intervals.change_poll.is_zero() {
        let c = Arc::clone(core);
        supervisor.spawn("change-poll", intervals.change_poll, move || {
            c.documents().poll_changes().map(|_| ())
        });
        let c = Arc::clone(core);
        supervisor.spawn("change-log-prune", CHANGE_LOG_PRUNE_INTERVAL, move || {
            c.documents().prune_changes().map(|_| ())
        });
    }
    let c = Arc::clone(core);
    supervisor.spawn("event-retention", EVENT_RETENTION_INTERVAL, move || {
        match c.events().prune_events()? {
            0 => {}
            pruned => tracing::info!(pruned, "pruned events past their retention"),
        }
        Ok::<(), DomainError>(())
    });
    let c = Arc::clone(core);
    // Built lazily on the worker's own thread: reqwest's blocking client must not live in
    // an async runtime.
    let mut sender: Option<HttpWebhookSender> = None;
    supervisor.spawn("webhooks", WEBHOOK_INTERVAL, move || {
        let sender = match &mut sender {
            Some(s) => s,
            None => sender.insert(HttpWebhookSender::new()?),
        };
        let summary = c.events().run_webhook_deliveries(sender, WEBHOOK_BATCH)?;
        if summary != Default::default() {
            tracing::info!(
                delivered = summary.delivered,
                retrying = summary.retrying,
                failed = summary.failed,
                "webhook deliveries run"
            );
        }
        Ok::<(), DomainError>(())
    });
    if core.sml().is_ok() {
        let c = Arc::clone(core);
        supervisor.spawn("sml-jobs", intervals.sml_jobs, move || {
            let sml = c.sml()?;
            let summary = c.sml_sync().run_sml_jobs(sml, SML_BATCH)?;
            if summary != Default::default() {
                tracing::info!(
                    done = summary.done,
                    retrying = summary.retrying,
                    failed = summary.failed,
                    "SML jobs run"
                );
            }
            Ok::<(), DomainError>(())
        });
    }
}
