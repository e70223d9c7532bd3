//! The supervisor: one thread per named worker, panics caught and restarted with backoff.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::{RESTART_BACKOFF_MAX, RESTART_BACKOFF_MIN};

/// What a worker is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerState {
    /// Ticking at its interval.
    Running,
    /// Its last tick panicked; it waits out a backoff before it starts again.
    Restarting,
    /// A one-shot task that finished, or a worker stopped with the supervisor.
    Finished,
}

impl WorkerState {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Running,
            1 => Self::Restarting,
            _ => Self::Finished,
        }
    }

    fn as_u8(self) -> u8 {
        match self {
            Self::Running => 0,
            Self::Restarting => 1,
            Self::Finished => 2,
        }
    }
}

/// One worker, as `/health` and `/metrics` show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorkerReport {
    /// The worker's name, e.g. `sml-jobs`.
    pub name: &'static str,
    /// What it is doing now.
    pub state: WorkerState,
    /// How often it was restarted after a panic since the process started.
    pub restarts: u64,
}

struct Slot {
    name: &'static str,
    state: AtomicU8,
    restarts: AtomicU64,
}

/// Starts named workers and keeps them running.
#[derive(Clone, Default)]
pub struct Supervisor {
    slots: Arc<Mutex<Vec<Arc<Slot>>>>,
    stop: Arc<AtomicBool>,
}

impl Supervisor {
    /// A supervisor with no workers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `tick` every `interval` on a thread of its own, named `name`, until
    /// [`stop`](Self::stop). A tick that returns an error is logged and the next tick comes
    /// at the usual interval (workers record failures on their rows); a tick that panics is
    /// logged with the worker's name and the worker restarts after a backoff.
    pub fn spawn<E: std::fmt::Display>(
        &self,
        name: &'static str,
        interval: Duration,
        mut tick: impl FnMut() -> Result<(), E> + Send + 'static,
    ) {
        let slot = self.slot(name);
        let on_failure = Arc::clone(&slot);
        let stop = Arc::clone(&self.stop);
        let spawned = std::thread::Builder::new()
            .name(format!("ferry-{name}"))
            .spawn(move || {
                let mut backoff = RESTART_BACKOFF_MIN;
                while !stop.load(Ordering::Relaxed) {
                    match catch_unwind(AssertUnwindSafe(&mut tick)) {
                        Ok(Ok(())) => backoff = RESTART_BACKOFF_MIN,
                        Ok(Err(e)) => {
                            tracing::warn!(worker = name, error = %e, "worker tick failed")
                        }
                        Err(panic) => {
                            slot.panicked(&panic_message(panic.as_ref()), backoff);
                            std::thread::sleep(backoff);
                            backoff = (backoff * 2).min(RESTART_BACKOFF_MAX);
                            slot.set(WorkerState::Running);
                            continue;
                        }
                    }
                    std::thread::sleep(interval);
                }
                slot.set(WorkerState::Finished);
            });
        if let Err(e) = spawned {
            tracing::error!(worker = name, error = %e, "could not start a worker thread");
            on_failure.set(WorkerState::Finished);
        }
    }

    /// Runs `task` once on its own thread; a panic is retried with backoff like a
    /// worker's, an error is logged and ends it.
    pub fn spawn_once<E: std::fmt::Display>(
        &self,
        name: &'static str,
        mut task: impl FnMut() -> Result<(), E> + Send + 'static,
    ) {
        let slot = self.slot(name);
        let spawned = std::thread::Builder::new()
            .name(format!("ferry-{name}"))
            .spawn(move || {
                let mut backoff = RESTART_BACKOFF_MIN;
                loop {
                    match catch_unwind(AssertUnwindSafe(&mut task)) {
                        Ok(Ok(())) => break,
                        Ok(Err(e)) => {
                            tracing::error!(worker = name, error = %e, "task failed");
                            break;
                        }
                        Err(panic) => {
                            slot.panicked(&panic_message(panic.as_ref()), backoff);
                            std::thread::sleep(backoff);
                            backoff = (backoff * 2).min(RESTART_BACKOFF_MAX);
                            slot.set(WorkerState::Running);
                        }
                    }
                }
                slot.set(WorkerState::Finished);
            });
        if let Err(e) = spawned {
            tracing::error!(worker = name, error = %e, "could not start a task thread");
        }
    }

    /// Every worker and task started so far.
    pub fn health(&self) -> Vec<WorkerReport> {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|s| WorkerReport {
                name: s.name,
                state: WorkerState::from_u8(s.state.load(Ordering::Relaxed)),
                restarts: s.restarts.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Asks every worker to end after its current tick (tests, orderly shutdown).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn slot(&self, name: &'static str) -> Arc<Slot> {
        let slot = Arc::new(Slot {
            name,
            state: AtomicU8::new(WorkerState::Running.as_u8()),
            restarts: AtomicU64::new(0),
        });
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&slot));
        slot
    }
}

impl Slot {
    fn set(&self, state: WorkerState) {
        self.state.store(state.as_u8(), Ordering::Relaxed);
    }

    fn panicked(&self, message: &str, backoff: Duration) {
        self.set(WorkerState::Restarting);
        let restarts = self.restarts.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::error!(
            worker = self.name,
            panic = message,
            restarts,
            backoff_ms = u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX),
            "worker panicked; restarting it after a backoff"
        );
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::{Supervisor, WorkerState};

    fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting until {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_worker_killed_by_a_panic_comes_back() {
        let supervisor = Supervisor::new();
        let ticks = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&ticks);
        supervisor.spawn("flaky", Duration::from_millis(1), move || {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            assert!(n != 2, "injected panic on the third tick");
            Ok::<(), String>(())
        });
        wait_until("the worker ticked after its panic", || {
            ticks.load(Ordering::SeqCst) > 5
        });
        let report = supervisor.health();
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].name, "flaky");
        assert_eq!(report[0].restarts, 1);
        assert_eq!(report[0].state, WorkerState::Running);
        supervisor.stop();
        wait_until("the worker stopped", || {
            supervisor.health()[0].state == WorkerState::Finished
        });
    }

    #[test]
    fn a_restarting_worker_is_reported_as_not_running() {
        let supervisor = Supervisor::new();
        supervisor.spawn(
            "always-panics",
            Duration::from_millis(1),
            || -> Result<(), String> { panic!("injected") },
        );
        wait_until("the panic was counted", || {
            supervisor.health()[0].restarts >= 1
        });
        // The first backoff is 100 ms, the second 200 ms: catch it mid-wait.
        wait_until("the worker is restarting", || {
            supervisor.health()[0].state == WorkerState::Restarting
        });
        supervisor.stop();
    }

    #[test]
    fn a_task_runs_once_and_finishes() {
        let supervisor = Supervisor::new();
        let runs = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&runs);
        supervisor.spawn_once("once", move || {
            seen.fetch_add(1, Ordering::SeqCst);
            Ok::<(), String>(())
        });
        wait_until("the task finished", || {
            supervisor.health()[0].state == WorkerState::Finished
        });
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
