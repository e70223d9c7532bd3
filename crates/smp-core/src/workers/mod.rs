//! Supervised background workers.
//!
//! Every periodic job of the domain (SML registration, migrations, webhook delivery, the
//! change log, retention) runs as a named worker on its own thread. A worker's tick that
//! panics is caught, logged with the worker's name, counted, and the worker starts again
//! after a backoff, so one bad row can never silently stop a loop for good (a node whose
//! change polling died would serve a stale cache forever). [`Supervisor::health`] says
//! which workers are running; the HTTP edge reports it on `/health` and `/metrics`.

mod supervisor;

pub use supervisor::{Supervisor, WorkerReport, WorkerState};

/// First wait after a panic; doubles on each panic in a row.
pub const RESTART_BACKOFF_MIN: std::time::Duration = std::time::Duration::from_millis(100);
/// Longest wait after a panic.
pub const RESTART_BACKOFF_MAX: std::time::Duration = std::time::Duration::from_secs(30);

mod core_workers;

pub use core_workers::{
    CHANGE_LOG_PRUNE_INTERVAL, EVENT_RETENTION_INTERVAL, WEBHOOK_INTERVAL, WorkerIntervals,
    start_core_workers,
};
