//! The public read path: published bytes from the cache, else from the database.

use std::sync::Arc;

use smp_store::changes;
use smp_store::documents::{self, DocumentKey};

use crate::Documents;
use crate::DomainError;
use crate::kernel::now_ms;
use crate::publication::PublishedDocument;

/// How far back each poll of the change log looks. PostgreSQL sequence values can commit
/// out of order, so "everything after the last id seen" could skip a change; re-reading a
/// time window and evicting again is idempotent and cannot.
const CHANGE_WINDOW_MS: i64 = 10_000;

impl Documents<'_> {
    /// The cached document, without touching the database (the hot path).
    pub fn cached(&self, key: &DocumentKey) -> Option<Arc<PublishedDocument>> {
        self.core.cache.get(key)
    }

    /// Whether a database read is local and short (embedded SQLite) rather than a network
    /// round trip (PostgreSQL).
    pub fn reads_are_local(&self) -> bool {
        self.core.store.backend() == smp_store::Backend::Sqlite
    }

    /// The document from the database (filling the cache), or None when not published.
    pub fn load(&self, key: &DocumentKey) -> Result<Option<Arc<PublishedDocument>>, DomainError> {
        let seen = self.core.cache.generation();
        let stored = self.core.store.read(|conn| documents::get(conn, key))?;
        Ok(stored.map(|d| {
            let doc = Arc::new(PublishedDocument::new(
                d.content.into(),
                d.etag,
                d.updated_at,
            ));
            self.core.cache.insert(seen, key, Arc::clone(&doc));
            doc
        }))
    }

    /// Evicts what other nodes changed recently; returns how many change rows were seen.
    /// Call it periodically when several nodes share one database.
    pub fn poll_changes(&self) -> Result<usize, DomainError> {
        let since = now_ms() - CHANGE_WINDOW_MS;
        let rows = match self.core.store.read(|conn| changes::recent(conn, since)) {
            Ok(rows) => rows,
            Err(e) => {
                // We cannot tell what changed: serve from the database until we can.
                self.core.cache.clear();
                return Err(e.into());
            }
        };
        for row in &rows {
            self.core.cache.invalidate_participant(&row.participant_key);
        }
        Ok(rows.len())
    }

    /// Deletes change rows nobody needs any more.
    pub fn prune_changes(&self) -> Result<usize, DomainError> {
        let before = now_ms() - 60 * CHANGE_WINDOW_MS;
        Ok(self
            .core
            .store
            .write(|conn| changes::prune_before(conn, before))?)
    }
}
