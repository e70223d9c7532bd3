//! Parked participants: bulk-loading a registry dump (identifier, name, country) as
//! participants that all receive one document type at one endpoint profile, registered in
//! the SML 100 at a time with CreateList.
//!
//! An import is a sequence of batches followed by [`Registry::finish_parked_import`]; every
//! batch is one transaction plus one SML call, so an interrupted import is resumed by
//! running it again (existing participants are skipped, registrations that were cut off are
//! retried). Participants a newer dump no longer lists become `inactive`.

mod import;

pub use import::{PARKED_BATCH_LIMIT, ParkedBatchSummary, ParkedImportSpec, ParkedParticipant};

/// The parked import service; see [`crate::Handover::parked_import`].
pub struct ParkedImport<'a> {
    pub(crate) core: &'a smp_core::Core,
}
