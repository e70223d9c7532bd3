//! What every handler shares.

use std::sync::Arc;

use party_config::{Parking, Registry};

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
    /// The parking desk when the parking SMP is enabled (operator routes answer 404 without).
    pub parking: Option<Arc<Parking>>,
}
