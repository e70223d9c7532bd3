use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;

/// A connection to either supported database. Repository functions take
/// `&mut DbConnection` and work unchanged on both.
///
/// PostgreSQL comes first: diesel's derive tries the variants in order, and an
/// SQLite "connection" to a `postgres://` string would be a bogus local file.
/// (The store never relies on that order: it establishes the variant itself.)
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL (production, several nodes).
    Postgresql(PgConnection),
    /// SQLite (embedded default, one node).
    Sqlite(SqliteConnection),
}

/// Which database engine a [`crate::Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// An SQLite file or in-memory database.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Lower-case name, for logs and health output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DbConnection {
    /// The engine behind this connection.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgresql(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }
}
