//! Keeping the SML in line with the local database.
//!
//! Every local create or delete writes an intent (an `sml_jobs` row) in the same
//! transaction; [`SmlSync::run_sml_jobs`] carries the intents out. A call that
//! failed in transit may still have reached the SML, so before trying again the worker
//! asks the SML whether the previous attempt took effect. See `docs/sml-registration.md`.

mod jobs;
mod queue;
mod reconcile;
mod registry;

pub use crate::states::SmlState;
pub use jobs::SmlRunSummary;
pub use reconcile::ReconcileReport;
pub use registry::{SmlFailure, SmlFailureKind, SmlRegistry};

/// The SML sync service; see [`crate::Core::sml_sync`].
pub struct SmlSync<'a> {
    pub(crate) core: &'a crate::Core,
}
