//! Taking registrations over and handing them on, built on the `smp-core` kernel.
//!
//! [`Handover`] wraps a [`Core`] with what moving participants needs — the migration-key
//! sealer, migration timing, the parking desk — and hands out one service per area:
//!
//! | service | owns |
//! |---|---|
//! | [`Handover::migrations`] | migrations out (key + PrepareToMigrate), in with a key, in by watching; bulk; the migration worker |
//! | [`Handover::parking`] | AP-certificate token collection, quotas, blacklist, operator controls |
//! | [`Handover::parked_import`] | bulk loading of parked participants with SML CreateList batches |
//! | [`Handover::scheme_migration`] | re-registering participants under a new ICD with an overlap |
//!
//! Everything here writes through the core's transaction (`Core::write`) and publishes
//! through its publisher, so a participant taken over is published exactly as one created
//! over the API. This crate never speaks HTTP and never writes SQL; it never publishes
//! or signs on its own.
#![forbid(unsafe_code)]

mod import;
mod migration;
mod parked_import;
mod parking;
mod scheme_migration;

use std::sync::Arc;

pub use smp_core::{Actor, Core, DomainError};

pub use crate::import::{
    BadRow, BulkCsv, CsvError, CsvErrorKind, CsvLimits, CsvReader, CsvRecord, ParkedBatch,
    ParkedCsv, count_lines, parse_bulk_csv, split_record,
};
pub use crate::migration::{
    BulkView, CurrentAccessPoint, Direction, HistoryEntry, MAX_BULK_ITEMS, MAX_CAPABILITIES,
    MigrationFilter, MigrationRunSummary, MigrationStatus, MigrationView, Migrations,
    NewInboundMigration, RejectedItem, RevealedKey, bulk_items,
};
pub use crate::parked_import::{
    PARKED_BATCH_LIMIT, ParkedBatchSummary, ParkedImport, ParkedImportSpec, ParkedParticipant,
};
pub use crate::parking::{
    ApCaller, ApTrust, CallerStatus, CallerView, CollectedToken, CollectionView,
    DEFAULT_AP_CA_MARKERS, DEFAULT_AUDIT_RETENTION_DAYS, Parking, ParkingDesk, ParkingEnvironment,
    ParkingLimits, RejectionCount, ScheduledAllowance, TokenError, whole_number,
};
pub use crate::scheme_migration::{
    SchemeMigration, SchemeMigrationReport, SchemeMigrationRequest, SchemeMigrationRun,
};
pub use smp_core::KeySealer;

/// Migrations one worker tick moves at most.
const MIGRATION_BATCH: usize = 200;
/// How often the parking worker writes the counts of refused token requests (of the
/// minutes that are over) and looks for changed CRL files.
pub const PARKING_FLUSH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);
/// How often audit rows past `parking.audit_retention_days` are pruned.
pub const PARKING_RETENTION_INTERVAL: std::time::Duration = std::time::Duration::from_secs(20 * 60);

/// How migrations are timed.
#[derive(Debug, Clone)]
pub struct HandoverConfig {
    /// How often open migrations are checked (takeover detection, watches), in ms; watches
    /// back off from here up to 5 minutes.
    pub migration_check_ms: i64,
    /// How long a participant that migrated away keeps being served after the takeover
    /// was seen (senders may still hold the old DNS answer), in ms.
    pub migration_grace_ms: i64,
    /// Limits on requests to other SMPs (current-AP detection during a watch).
    pub foreign_fetch: smp_client::FetchPolicy,
}

/// The core plus what taking registrations over and handing them on needs.
pub struct Handover {
    core: Arc<Core>,
    sealer: KeySealer,
    check_ms: i64,
    grace_ms: i64,
    foreign_fetch: smp_client::FetchPolicy,
    parking: Option<Arc<Parking>>,
}

impl Handover {
    /// Migrations and imports over `core`; keys are stored as given until
    /// [`with_key_sealer`](Self::with_key_sealer).
    pub fn new(core: Arc<Core>, config: &HandoverConfig) -> Self {
        Self {
            core,
            sealer: KeySealer::plaintext(),
            check_ms: config.migration_check_ms.max(10),
            grace_ms: config.migration_grace_ms.max(0),
            foreign_fetch: config.foreign_fetch.clone(),
            parking: None,
        }
    }

    /// Seals stored migration keys with `sealer`.
    pub fn with_key_sealer(mut self, sealer: KeySealer) -> Self {
        self.sealer = sealer;
        self
    }

    /// Opens the parking desk (token collection by access points).
    pub fn with_parking(mut self, parking: Arc<Parking>) -> Self {
        self.parking = Some(parking);
        self
    }

    /// The kernel this is built on.
    pub fn core(&self) -> &Arc<Core> {
        &self.core
    }

    /// Migrations in, out and by watching.
    pub fn migrations(&self) -> Migrations<'_> {
        Migrations {
            core: &self.core,
            h: self,
        }
    }

    /// The parking desk; an error when the parking SMP is not enabled.
    pub fn parking(&self) -> Result<ParkingDesk<'_>, DomainError> {
        let desk = self
            .parking
            .as_deref()
            .ok_or(DomainError::ParkingDisabled)?;
        Ok(ParkingDesk {
            core: &self.core,
            desk,
            h: self,
        })
    }

    /// Bulk loading of parked participants.
    pub fn parked_import(&self) -> ParkedImport<'_> {
        ParkedImport { core: &self.core }
    }

    /// Starts the migration worker under `supervisor`, every `interval`, when the core has
    /// an SML (without one no migration can move); and with the parking desk open, the
    /// parking workers (counts of refused requests and CRL files every
    /// [`PARKING_FLUSH_INTERVAL`], audit retention every [`PARKING_RETENTION_INTERVAL`]).
    pub fn start_workers(
        self: &Arc<Self>,
        supervisor: &smp_core::workers::Supervisor,
        interval: std::time::Duration,
    ) {
        if self.parking.is_some() {
            self.start_parking_workers(supervisor);
        }
        if self.core.sml().is_err() {
            return;
        }
        let h = Arc::clone(self);
        supervisor.spawn("migrations", interval, move || {
            let summary = h.migrations().run_migrations(MIGRATION_BATCH)?;
            if summary != MigrationRunSummary::default() {
                tracing::debug!(
                    stepped = summary.stepped,
                    cleaned_up = summary.cleaned_up,
                    errors = summary.errors,
                    "migrations run"
                );
            }
            Ok::<(), DomainError>(())
        });
    }

    fn start_parking_workers(self: &Arc<Self>, supervisor: &smp_core::workers::Supervisor) {
        let h = Arc::clone(self);
        supervisor.spawn("parking-rejections", PARKING_FLUSH_INTERVAL, move || {
            let desk = h.parking()?;
            desk.reload_crls();
            desk.flush_rejections().map(|_| ())
        });
        let h = Arc::clone(self);
        supervisor.spawn("parking-retention", PARKING_RETENTION_INTERVAL, move || {
            match h.parking()?.prune_collections()? {
                0 => {}
                pruned => tracing::info!(pruned, "pruned token collections past their retention"),
            }
            Ok::<(), DomainError>(())
        });
    }

    /// Moving participants to a new scheme (ICD).
    pub fn scheme_migration(&self) -> SchemeMigration<'_> {
        SchemeMigration { core: &self.core }
    }
}
