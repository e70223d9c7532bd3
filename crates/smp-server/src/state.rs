//! What every handler shares.

use std::sync::Arc;

use party_config::Registry;

use crate::metrics::Metrics;

/// Shared application state.
pub struct AppState {
    /// The domain core.
    pub registry: Arc<Registry>,
    /// Request counters.
    pub metrics: Metrics,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// The path prefix every route lives under ("" or "/smp").
    pub base_path: String,
}
