//! Prometheus counters, kept as plain atomics so the read path pays almost nothing.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use party_config::RejectionCount;
use smp_core::Core;
use smp_core::workers::{WorkerReport, WorkerState};

/// Which part of the API a request hit.
#[derive(Clone, Copy)]
pub(crate) enum Area {
    Read = 0,
    Manage = 1,
}

const AREAS: [&str; 2] = ["read", "manage"];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Request counters by area and status class.
#[derive(Default)]
pub struct Metrics {
    requests: [[AtomicU64; 5]; 2],
}

impl Metrics {
    pub(crate) fn count(&self, area: Area, status: u16) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.requests[area as usize][class].fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text.
    pub(crate) fn render(
        &self,
        core: &Core,
        workers: &[WorkerReport],
        parking_refusals: &[RejectionCount],
    ) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP ferry_http_requests_total SMP API requests by area and status class.\n",
        );
        out.push_str("# TYPE ferry_http_requests_total counter\n");
        for (a, area) in AREAS.iter().enumerate() {
            for (c, class) in CLASSES.iter().enumerate() {
                let n = self.requests[a][c].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "ferry_http_requests_total{{area=\"{area}\",status=\"{class}\"}} {n}"
                );
            }
        }
        let (hits, misses, entries) = core.cache().stats();
        let _ = writeln!(
            out,
            "# HELP ferry_cache_hits_total Reads answered from memory.\n# TYPE ferry_cache_hits_total counter"
        );
        let _ = writeln!(out, "ferry_cache_hits_total {hits}");
        let _ = writeln!(
            out,
            "# HELP ferry_cache_misses_total Reads that went to the database.\n# TYPE ferry_cache_misses_total counter"
        );
        let _ = writeln!(out, "ferry_cache_misses_total {misses}");
        let _ = writeln!(
            out,
            "# HELP ferry_cache_entries Documents held in memory.\n# TYPE ferry_cache_entries gauge"
        );
        let _ = writeln!(out, "ferry_cache_entries {entries}");
        let _ = writeln!(
            out,
            "# HELP ferry_worker_restarts_total Background worker restarts after a panic.\n# TYPE ferry_worker_restarts_total counter"
        );
        for w in workers {
            let _ = writeln!(
                out,
                "ferry_worker_restarts_total{{worker=\"{}\"}} {}",
                w.name, w.restarts
            );
        }
        let _ = writeln!(
            out,
            "# HELP ferry_worker_up Whether a background worker is running (1) or waiting to restart (0).\n# TYPE ferry_worker_up gauge"
        );
        for w in workers {
            let up = u8::from(w.state != WorkerState::Restarting);
            let _ = writeln!(out, "ferry_worker_up{{worker=\"{}\"}} {up}", w.name);
        }
        if !parking_refusals.is_empty() {
            let _ = writeln!(
                out,
                "# HELP ferry_parking_refused_total Token collection requests refused before an audit row (certificate defects, limits).\n# TYPE ferry_parking_refused_total counter"
            );
            for r in parking_refusals {
                let _ = writeln!(
                    out,
                    "ferry_parking_refused_total{{code=\"{}\"}} {}",
                    r.code, r.count
                );
            }
        }
        out
    }
}
