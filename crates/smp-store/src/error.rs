use std::path::PathBuf;

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Everything that can go wrong in the store.
///
/// Variants are grouped by who has to act: the operator (URL, connection, file
/// system, migrations), the caller (constraint violations surface as [`StoreError::Query`]
/// and are recognised with the predicates), or Ferry itself ([`StoreError::Corrupt`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database URL is not one this store understands. Operator: fix `database.url`
    /// (`sqlite://path.db`, `sqlite::memory:` or `postgres://user@host/db`).
    #[error("invalid database URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL with any password replaced by `***`.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The SQLite database directory could not be created. Operator: check the path
    /// and the permissions of its parent.
    #[error("cannot create database directory {}: {source}", path.display())]
    CreateDir {
        /// The directory that could not be created.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// The database could not be reached or refused the login. Operator: check that
    /// the server runs, the URL and the credentials.
    #[error("cannot connect to database {url}: {source}")]
    Connect {
        /// The URL with any password replaced by `***`.
        url: String,
        /// The driver's error.
        source: diesel::ConnectionError,
    },

    /// No pooled connection became free in time. Usually transient (retry), or the
    /// pool is too small for the load (raise `max_connections`).
    #[error("database connection pool: {0}")]
    Pool(#[source] diesel::r2d2::PoolError),

    /// Applying the embedded schema migrations failed. Operator: the database may have
    /// been changed by hand or by a newer Ferry; see the message.
    #[error("database migration failed: {0}")]
    Migration(String),

    /// A statement failed. Use [`StoreError::is_unique_violation`],
    /// [`StoreError::is_foreign_key_violation`] and [`StoreError::is_not_found`] to tell
    /// caller mistakes from database trouble.
    #[error("database query failed: {0}")]
    Query(#[from] DieselError),

    /// A stored value breaks an invariant this crate relies on (e.g. an unknown document
    /// kind). A Ferry bug or a manual edit of the database: please report it.
    #[error("corrupt value {value:?} in {table}.{column}")]
    Corrupt {
        /// Table holding the value.
        table: &'static str,
        /// Column holding the value.
        column: &'static str,
        /// The offending value.
        value: String,
    },
}

impl StoreError {
    /// Stable machine-readable code, for logs and API problem bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidUrl { .. } => "store.invalid_url",
            Self::CreateDir { .. } => "store.create_dir",
            Self::Connect { .. } => "store.connect",
            Self::Pool(_) => "store.pool",
            Self::Migration(_) => "store.migration",
            Self::Query(_) => "store.query",
            Self::Corrupt { .. } => "store.corrupt",
        }
    }

    /// A UNIQUE constraint rejected the write (e.g. the participant already exists).
    pub fn is_unique_violation(&self) -> bool {
        self.database_error_kind() == Some(DatabaseErrorKind::UniqueViolation)
    }

    /// A FOREIGN KEY constraint rejected the write (a referenced row is missing, or a
    /// row that is still referenced was to be deleted).
    pub fn is_foreign_key_violation(&self) -> bool {
        self.database_error_kind() == Some(DatabaseErrorKind::ForeignKeyViolation)
    }

    /// The row is still referenced (e.g. an endpoint profile used by endpoints), so it
    /// cannot be deleted. Same condition as [`StoreError::is_foreign_key_violation`],
    /// named for the delete case.
    pub fn is_in_use(&self) -> bool {
        self.is_foreign_key_violation()
    }

    /// A query that must return a row returned none.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Query(DieselError::NotFound))
    }

    /// Worth retrying later: the pool was exhausted or the database was busy, or a
    /// serializable transaction lost a race, or PostgreSQL broke a deadlock by aborting
    /// this transaction.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Pool(_) => true,
            Self::Query(DieselError::DatabaseError(kind, info)) => {
                matches!(kind, DatabaseErrorKind::SerializationFailure)
                    || info.message().contains("database is locked")
                    || info.message().contains("deadlock detected")
            }
            _ => false,
        }
    }

    fn database_error_kind(&self) -> Option<DatabaseErrorKind> {
        match self {
            // SQLite reports an ON DELETE RESTRICT violation without the extended result
            // code diesel maps from, so only its fixed message identifies it.
            Self::Query(DieselError::DatabaseError(DatabaseErrorKind::Unknown, info))
                if info.message().starts_with("FOREIGN KEY constraint failed") =>
            {
                Some(DatabaseErrorKind::ForeignKeyViolation)
            }
            Self::Query(DieselError::DatabaseError(kind, _)) => Some(*kind),
            _ => None,
        }
    }
}
