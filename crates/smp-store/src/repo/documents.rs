//! Published documents (`documents` table): the exact bytes served to senders,
//! keyed by participant key, kind and document key. The hot read path is one
//! lookup on the UNIQUE(participant_key, kind, doc_key) index.

use diesel::prelude::*;

use crate::schema::documents;
use crate::upsert;
use crate::{DbConnection, StoreError};

/// Which document of a participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentKind {
    /// The ServiceGroup (stored as `sg`).
    ServiceGroup,
    /// A SignedServiceMetadata of one document type (`sm`).
    ServiceMetadata,
    /// The business card (`bc`).
    BusinessCard,
}

impl DocumentKind {
    /// The value in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServiceGroup => "sg",
            Self::ServiceMetadata => "sm",
            Self::BusinessCard => "bc",
        }
    }

    /// The kind stored as `s`, if any.
    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "sg" => Some(Self::ServiceGroup),
            "sm" => Some(Self::ServiceMetadata),
            "bc" => Some(Self::BusinessCard),
            _ => None,
        }
    }
}

/// Identifies one stored document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentKey {
    /// The lower-case participant key.
    pub participant_key: String,
    pub kind: DocumentKind,
    /// `""` for the service group and business card; the document-type key
    /// (`scheme::value`, case kept) for service metadata.
    pub doc_key: String,
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    /// The exact bytes to serve.
    pub content: Vec<u8>,
    pub etag: String,
    pub updated_at: i64,
}

/// Stores the document, replacing any previous version under the same key.
pub fn put(
    conn: &mut DbConnection,
    key: &DocumentKey,
    content: &[u8],
    etag: &str,
    now: i64,
) -> Result<(), StoreError> {
    upsert::document(
        conn,
        &key.participant_key,
        key.kind.as_str(),
        &key.doc_key,
        content,
        etag,
        now,
    )?;
    Ok(())
}

pub fn get(
    conn: &mut DbConnection,
    key: &DocumentKey,
) -> Result<Option<StoredDocument>, StoreError> {
    // On the inner connection so the prepared statement is cached: through the
    // multi-backend connection SQLite re-parsed this SQL on every uncached read.
    let query = documents::table
        .filter(documents::participant_key.eq(&key.participant_key))
        .filter(documents::kind.eq(key.kind.as_str()))
        .filter(documents::doc_key.eq(&key.doc_key))
        .select((documents::content, documents::etag, documents::updated_at));
    let found: Option<(Vec<u8>, String, i64)> =
        upsert::on_inner!(conn, |c| query.first(c).optional())?;
    Ok(found.map(|(content, etag, updated_at)| StoredDocument {
        content,
        etag,
        updated_at,
    }))
}

/// Returns whether the document existed.
pub fn delete(conn: &mut DbConnection, key: &DocumentKey) -> Result<bool, StoreError> {
    Ok(diesel::delete(
        documents::table
            .filter(documents::participant_key.eq(&key.participant_key))
            .filter(documents::kind.eq(key.kind.as_str()))
            .filter(documents::doc_key.eq(&key.doc_key)),
    )
    .execute(conn)?
        > 0)
}

/// Deletes every document of the participant; returns how many there were.
pub fn delete_for_participant(
    conn: &mut DbConnection,
    participant_key: &str,
) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(documents::table.filter(documents::participant_key.eq(participant_key)))
            .execute(conn)?,
    )
}

/// The keys of the participant's documents, ordered by kind (`bc`, `sg`, `sm`) then document key.
pub fn keys_for_participant(
    conn: &mut DbConnection,
    participant_key: &str,
) -> Result<Vec<DocumentKey>, StoreError> {
    let rows: Vec<(String, String)> = documents::table
        .filter(documents::participant_key.eq(participant_key))
        .order((documents::kind, documents::doc_key))
        .select((documents::kind, documents::doc_key))
        .load(conn)?;
    rows.into_iter()
        .map(|(kind, doc_key)| {
            let kind = DocumentKind::from_stored(&kind).ok_or(StoreError::Corrupt {
                table: "documents",
                column: "kind",
                value: kind.clone(),
            })?;
            Ok(DocumentKey {
                participant_key: participant_key.to_owned(),
                kind,
                doc_key,
            })
        })
        .collect()
}
