//! The audit log (`audit_log` table): who did what, append-only.

use diesel::prelude::*;

use crate::repo::page;
use crate::schema::audit_log;
use crate::{DbConnection, StoreError};

/// An audit entry to append.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub participant_key: Option<String>,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub participant_key: Option<String>,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// Filter and page for [`list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only entries about this participant (exact key).
    pub participant_key: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

pub fn append(conn: &mut DbConnection, entry: &NewAuditEntry) -> Result<(), StoreError> {
    diesel::insert_into(audit_log::table)
        .values(entry)
        .execute(conn)?;
    Ok(())
}

/// One page of entries, newest first.
pub fn list(conn: &mut DbConnection, query: &AuditQuery) -> Result<Vec<AuditRow>, StoreError> {
    let (offset, limit) = page(query.offset, query.limit);
    let mut q = audit_log::table.into_boxed();
    if let Some(key) = &query.participant_key {
        q = q.filter(audit_log::participant_key.eq(key.clone()));
    }
    Ok(q.order(audit_log::id.desc())
        .offset(offset)
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}

/// Number of all entries.
pub fn count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(audit_log::table.count().get_result(conn)?)
}
