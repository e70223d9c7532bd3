//! What every handler shares.

use std::sync::Arc;

use party_config::Handover;

use smp_core::workers::Supervisor;

use crate::auth::AuthGuards;
use crate::metrics::Metrics;

/// Shared application state.
pub struct AppState {
    /// The domain: the core's services and the handover services built on it.
    pub domain: Arc<Handover>,
    /// Request counters.
    pub metrics: Metrics,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// The path prefix every route lives under ("" or "/smp").
    pub base_path: String,
    /// The domain's background workers, for `/health` and `/metrics`.
    pub supervisor: Supervisor,
    /// The throttle and the concurrency bound in front of password checks.
    pub(crate) auth: AuthGuards,
}
