//! The in-memory cache in front of the stored documents (the hot read path).
//!
//! Why a generation counter: a reader that misses the cache loads bytes from the database
//! and then inserts them. If a write commits and invalidates in between, the reader would
//! put the old bytes back and serve them until the next change. Every invalidation bumps
//! the generation; a reader only inserts when the generation is still the one it saw
//! before reading.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use smp_store::documents::{DocumentKey, DocumentKind};

use super::PublishedDocument;

#[derive(Default)]
struct ParticipantDocs {
    group: Option<Arc<PublishedDocument>>,
    card: Option<Arc<PublishedDocument>>,
    services: HashMap<String, Arc<PublishedDocument>>,
}

/// A bounded map from document key to published bytes, invalidated per participant.
pub struct DocumentCache {
    enabled: bool,
    max_entries: usize,
    entries: AtomicUsize,
    generation: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    map: RwLock<HashMap<String, ParticipantDocs>>,
}

/// A token taken before a database read; see the module docs.
#[derive(Clone, Copy, Debug)]
pub struct Generation(u64);

impl DocumentCache {
    /// A cache holding at most `max_entries` documents; `enabled = false` turns every
    /// lookup into a miss (used to measure the uncached read path).
    pub fn new(enabled: bool, max_entries: usize) -> Self {
        Self {
            enabled,
            max_entries: max_entries.max(1),
            entries: AtomicUsize::new(0),
            generation: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            map: RwLock::new(HashMap::new()),
        }
    }

    /// The cached document, if any.
    pub fn get(&self, key: &DocumentKey) -> Option<Arc<PublishedDocument>> {
        if !self.enabled {
            return None;
        }
        let found = {
            let map = self.map.read().unwrap_or_else(|p| p.into_inner());
            map.get(&key.participant_key)
                .and_then(|docs| match key.kind {
                    DocumentKind::ServiceGroup => docs.group.clone(),
                    DocumentKind::BusinessCard => docs.card.clone(),
                    DocumentKind::ServiceMetadata => docs.services.get(&key.doc_key).cloned(),
                })
        };
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Take before reading the database for a later [`DocumentCache::insert`].
    pub fn generation(&self) -> Generation {
        Generation(self.generation.load(Ordering::Acquire))
    }

    /// Caches a document read from the database, unless something was invalidated since
    /// `seen` was taken.
    pub fn insert(&self, seen: Generation, key: &DocumentKey, doc: Arc<PublishedDocument>) {
        if !self.enabled {
            return;
        }
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::Acquire) != seen.0 {
            return;
        }
        if self.entries.load(Ordering::Relaxed) >= self.max_entries {
            // Simple and predictable: start over rather than track recency on the hot path.
            map.clear();
            self.entries.store(0, Ordering::Relaxed);
        }
        let docs = map.entry(key.participant_key.clone()).or_default();
        let added = match key.kind {
            DocumentKind::ServiceGroup => docs.group.replace(doc).is_none(),
            DocumentKind::BusinessCard => docs.card.replace(doc).is_none(),
            DocumentKind::ServiceMetadata => {
                docs.services.insert(key.doc_key.clone(), doc).is_none()
            }
        };
        if added {
            self.entries.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Drops every cached document of a participant.
    pub fn invalidate_participant(&self, participant_key: &str) {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Some(docs) = map.remove(participant_key) {
            let n = usize::from(docs.group.is_some())
                + usize::from(docs.card.is_some())
                + docs.services.len();
            self.entries.fetch_sub(
                n.min(self.entries.load(Ordering::Relaxed)),
                Ordering::Relaxed,
            );
        }
    }

    /// Drops everything (used when change tracking was interrupted).
    pub fn clear(&self) {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        map.clear();
        self.entries.store(0, Ordering::Relaxed);
    }

    /// (hits, misses, entries) for the metrics endpoint.
    pub fn stats(&self) -> (u64, u64, usize) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
            self.entries.load(Ordering::Relaxed),
        )
    }

    /// Whether the cache is in use at all.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn doc(s: &str) -> Arc<PublishedDocument> {
        Arc::new(PublishedDocument::new(
            Bytes::from(s.to_owned()),
            "\"e\"".into(),
            0,
        ))
    }

    fn key(p: &str, kind: DocumentKind, d: &str) -> DocumentKey {
        DocumentKey {
            participant_key: p.into(),
            kind,
            doc_key: d.into(),
        }
    }

    #[test]
    fn stale_insert_after_invalidation_is_dropped() {
        let cache = DocumentCache::new(true, 10);
        let k = key("p", DocumentKind::ServiceMetadata, "d");
        let seen = cache.generation();
        cache.invalidate_participant("p");
        cache.insert(seen, &k, doc("old"));
        assert!(cache.get(&k).is_none());
        let seen = cache.generation();
        cache.insert(seen, &k, doc("new"));
        assert_eq!(
            &cache.get(&k).map(|d| d.content.clone()).unwrap_or_default()[..],
            b"new"
        );
    }

    #[test]
    fn invalidation_is_per_participant_and_bounded() {
        let cache = DocumentCache::new(true, 3);
        for p in ["a", "b", "c"] {
            let g = cache.generation();
            cache.insert(g, &key(p, DocumentKind::ServiceGroup, ""), doc(p));
        }
        cache.invalidate_participant("a");
        assert!(
            cache
                .get(&key("a", DocumentKind::ServiceGroup, ""))
                .is_none()
        );
        assert!(
            cache
                .get(&key("b", DocumentKind::ServiceGroup, ""))
                .is_some()
        );
        let g = cache.generation();
        cache.insert(g, &key("d", DocumentKind::ServiceGroup, ""), doc("d"));
        let g = cache.generation();
        cache.insert(g, &key("e", DocumentKind::ServiceGroup, ""), doc("e"));
        assert!(cache.stats().2 <= 3);
    }

    #[test]
    fn disabled_cache_never_hits() {
        let cache = DocumentCache::new(false, 10);
        let k = key("p", DocumentKind::BusinessCard, "");
        cache.insert(cache.generation(), &k, doc("x"));
        assert!(cache.get(&k).is_none());
    }
}
