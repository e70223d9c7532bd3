//! Bulk inbound migrations: many participants, one id to follow them by.

use serde::{Deserialize, Serialize};
use smp_store::{MigrationQuery, migrations};
use utoipa::ToSchema;

use super::resource::may_see;
use super::{MAX_BULK_ITEMS, MigrationStatus, NewInboundMigration, new_id};
use crate::{Actor, DomainError, Migrations};

/// Progress of a bulk request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkView {
    /// `blk_…`.
    pub id: String,
    /// Migrations in the request.
    pub total: i64,
    /// Not finished yet.
    pub in_progress: i64,
    /// Completed.
    pub completed: i64,
    /// Failed (each with its code: list them with `?bulkId=…&status=failed`).
    pub failed: i64,
    /// Cancelled.
    pub cancelled: i64,
    /// Items refused before they became migrations: (participant, code, message).
    pub rejected: Vec<RejectedItem>,
}

/// An item of a bulk request that could not even start.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RejectedItem {
    /// As given.
    pub participant: String,
    /// Stable error code.
    pub code: String,
    /// Why.
    pub message: String,
}

impl Migrations<'_> {
    /// Records many inbound migrations (staging those with keys); the worker carries them
    /// out. Items that cannot start are reported, the others proceed.
    pub fn create_bulk(
        &self,
        actor: &Actor,
        items: &[NewInboundMigration],
    ) -> Result<BulkView, DomainError> {
        if items.is_empty() || items.len() > MAX_BULK_ITEMS {
            return Err(DomainError::invalid(
                "items",
                format!("give 1 to {MAX_BULK_ITEMS} migrations"),
            ));
        }
        let bulk_id = new_id("blk")?;
        let rejected = std::sync::Mutex::new(Vec::new());
        let fatal = std::sync::Mutex::new(None);
        // Staging signs every capability: spread it over the cores.
        let workers = std::thread::available_parallelism().map_or(2, usize::from);
        super::worker::parallel(items, workers, |item| {
            match self.start_inbound(actor, item, Some(&bulk_id)) {
                Ok(_) => {}
                Err(e) if e.is_client_error() => {
                    let item = RejectedItem {
                        participant: item.participant.clone(),
                        code: e.code().into(),
                        message: e.to_string(),
                    };
                    rejected
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(item);
                }
                Err(e) => {
                    fatal
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get_or_insert(e);
                }
            }
            Ok(())
        });
        if let Some(e) = fatal.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        let mut view = match self.bulk(actor, &bulk_id) {
            Ok(view) => view,
            // Every item was rejected: the bulk exists only in this answer.
            Err(DomainError::MigrationNotFound { .. }) => BulkView {
                id: bulk_id.clone(),
                total: 0,
                in_progress: 0,
                completed: 0,
                failed: 0,
                cancelled: 0,
                rejected: Vec::new(),
            },
            Err(e) => return Err(e),
        };
        view.rejected = rejected.into_inner().unwrap_or_else(|p| p.into_inner());
        Ok(view)
    }

    /// Progress of a bulk request: administrators see every bulk, a user the bulks it
    /// created. An unknown bulk id (or another user's) is not found.
    pub fn bulk(&self, actor: &Actor, bulk_id: &str) -> Result<BulkView, DomainError> {
        let not_found = || DomainError::MigrationNotFound {
            id: bulk_id.to_owned(),
        };
        let (first, counts) = self.core.store().read(|conn| {
            let query = MigrationQuery {
                bulk_id: Some(bulk_id.to_owned()),
                limit: 1,
                ..MigrationQuery::default()
            };
            let (first, _) = migrations::list(conn, &query)?;
            Ok::<_, smp_store::StoreError>((first, migrations::bulk_counts(conn, bulk_id)?))
        })?;
        let first = first.into_iter().next().ok_or_else(not_found)?;
        may_see(actor, &first).map_err(|_| not_found())?;
        let count = |s: MigrationStatus| {
            counts
                .iter()
                .filter(|(k, _)| k == s.as_str())
                .map(|(_, n)| n)
                .sum::<i64>()
        };
        let total: i64 = counts.iter().map(|(_, n)| n).sum();
        let (completed, failed, cancelled) = (
            count(MigrationStatus::Completed),
            count(MigrationStatus::Failed),
            count(MigrationStatus::Cancelled),
        );
        Ok(BulkView {
            id: bulk_id.to_owned(),
            total,
            in_progress: total - completed - failed - cancelled,
            completed,
            failed,
            cancelled,
            rejected: Vec::new(),
        })
    }
}
