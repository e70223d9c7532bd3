//! The only backend-specific SQL of the crate: upserts. diesel's `on_conflict` does not
//! compile on the multi-backend connection, so each statement is built against the
//! inner connection; the macro keeps the two arms textually identical. The hot document
//! read uses the same macro for another reason: only statements run on the inner
//! connection are kept in diesel's prepared-statement cache.

use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::DbConnection;
use crate::schema::{documents, settings};

/// Runs `$body` with `$c` bound to the inner connection of either backend.
macro_rules! on_inner {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            DbConnection::Postgresql($c) => $body,
            DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_inner;

pub(crate) fn document(
    conn: &mut DbConnection,
    participant_key: &str,
    kind: &str,
    doc_key: &str,
    content: &[u8],
    etag: &str,
    now: i64,
) -> QueryResult<usize> {
    let row = (
        documents::participant_key.eq(participant_key),
        documents::kind.eq(kind),
        documents::doc_key.eq(doc_key),
        documents::content.eq(content),
        documents::etag.eq(etag),
        documents::updated_at.eq(now),
    );
    on_inner!(conn, |c| diesel::insert_into(documents::table)
        .values(row)
        .on_conflict((
            documents::participant_key,
            documents::kind,
            documents::doc_key
        ))
        .do_update()
        .set((
            documents::content.eq(excluded(documents::content)),
            documents::etag.eq(excluded(documents::etag)),
            documents::updated_at.eq(excluded(documents::updated_at)),
        ))
        .execute(c))
}

pub(crate) fn setting(conn: &mut DbConnection, name: &str, value: &str) -> QueryResult<usize> {
    let row = (settings::name.eq(name), settings::value.eq(value));
    on_inner!(conn, |c| diesel::insert_into(settings::table)
        .values(row)
        .on_conflict(settings::name)
        .do_update()
        .set(settings::value.eq(excluded(settings::value)))
        .execute(c))
}
