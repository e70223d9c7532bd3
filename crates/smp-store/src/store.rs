use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{
    CustomizeConnection, HandleError, ManageConnection, Pool, PooledConnection, R2D2Connection,
};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::url::{Target, redact};
use crate::{Backend, DbConnection, StoreError};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Several Ferry nodes may start at once against one PostgreSQL database; this
/// advisory lock makes them apply migrations one after the other.
const MIGRATION_LOCK_ID: i64 = 0x4665_7272_795f_4d49; // "Ferry_MI"

/// busy_timeout first: switching to WAL needs a lock another process may hold.
const SQLITE_PRAGMAS: &str =
    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;";

/// Handle to the database: a pool of connections with the schema migrated.
/// Cloning is cheap and shares the pool.
#[derive(Clone)]
pub struct Store {
    pool: Pool<Manager>,
    backend: Backend,
    url_redacted: std::sync::Arc<str>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("url", &self.url_redacted)
            .field("state", &self.pool.state())
            .finish()
    }
}

impl Store {
    /// Opens (and migrates) the database at `url`:
    /// `sqlite://relative/or/abs/path.db`, `sqlite::memory:` (one private in-memory
    /// database behind a single connection, for tests) or `postgres://...`.
    ///
    /// SQLite: creates the parent directory, and sets WAL mode, foreign keys and a
    /// 10 s busy timeout on every connection. Pending migrations run before this
    /// returns. `max_connections` is at least 1 (and exactly 1 for `sqlite::memory:`).
    pub fn open(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let target = Target::parse(url)?;
        let backend = target.backend();
        if let Target::SqliteFile(path) = &target
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let url_redacted: std::sync::Arc<str> = redact(url).into();
        let manager = Manager {
            target,
            url_redacted: url_redacted.to_string(),
        };
        let memory = manager.target == Target::SqliteMemory;

        if !memory {
            // A direct connection first: a wrong URL or password then fails at once with
            // the driver's message, instead of after the pool's 30 s checkout timeout.
            let mut conn = manager.connect()?;
            Pragmas.on_acquire(&mut conn)?;
            run_migrations(&mut conn)?;
        }

        let mut builder = Pool::builder()
            .max_size(if memory { 1 } else { max_connections.max(1) })
            // No idle connection kept warm: r2d2 opens a replacement on a background
            // thread whenever the idle one is checked out, and a CLI command that exits
            // during that connect takes the process down inside libpq. Connections are
            // made on demand and kept until `idle_timeout`.
            .min_idle(Some(0))
            // No `SELECT 1` before every checkout: it doubles the cost of an uncached
            // read, and a dead connection shows up on its first real query anyway.
            .test_on_check_out(false)
            // Fail fast (and let /health say 503) instead of queueing for 30 s.
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(Pragmas))
            .error_handler(Box::new(LogErrors));
        if memory {
            // The database lives and dies with its only connection: never recycle it.
            builder = builder.idle_timeout(None).max_lifetime(None);
        }
        let pool = builder.build(manager).map_err(StoreError::Pool)?;
        let store = Self {
            pool,
            backend,
            url_redacted,
        };
        if memory {
            run_migrations(&mut *store.connection()?)?;
        }
        Ok(store)
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that a connection can be taken and answers `SELECT 1` (health checks).
    pub fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        diesel::sql_query("SELECT 1").execute(&mut *conn)?;
        Ok(())
    }

    /// Refreshes the query planner's statistics (PostgreSQL `ANALYZE`, SQLite
    /// `PRAGMA optimize`). Bulk loads call it as the tables grow: until autovacuum catches
    /// up, PostgreSQL plans (and caches plans) for the tiny tables it last measured, and a
    /// lookup that should take one index probe scans the whole table instead.
    pub fn refresh_statistics(&self) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        let sql = match self.backend {
            Backend::Postgres => "ANALYZE",
            Backend::Sqlite => "PRAGMA optimize",
        };
        diesel::sql_query(sql).execute(&mut *conn)?;
        Ok(())
    }

    /// Runs `f` in a transaction on a pooled connection: committed when `f` returns
    /// `Ok`, rolled back (nothing written) when it returns `Err`.
    ///
    /// On SQLite the transaction starts with `BEGIN IMMEDIATE`, taking the write lock
    /// up front: concurrent writers then wait (busy timeout) instead of failing with
    /// "database is locked" when a read transaction tries to upgrade.
    /// `f` may open nested transactions (savepoints) with `conn.transaction(..)`.
    /// Do not call [`Store::read`]/[`Store::write`] from inside `f`: with a small pool
    /// (always with `sqlite::memory:`) that waits for a connection that never frees up.
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut pooled = self.connection()?;
        let conn: &mut DbConnection = &mut pooled;
        let begun = match conn {
            DbConnection::Sqlite(c) => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
            }
            DbConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
        };
        begun.map_err(StoreError::from)?;
        match f(conn) {
            Ok(value) => {
                <DbConnection as TransactionManager<DbConnection>>::commit_transaction(conn)
                    .map_err(StoreError::from)?;
                Ok(value)
            }
            Err(user_error) => {
                match <DbConnection as TransactionManager<DbConnection>>::rollback_transaction(conn)
                {
                    // A failed rollback leaves the connection marked broken, and the pool
                    // discards it; the caller's error is the one worth reporting.
                    Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => {
                        Err(user_error)
                    }
                    Err(rollback_error) => {
                        tracing::error!(error = %rollback_error, "rollback failed after a failed write");
                        Err(user_error)
                    }
                }
            }
        }
    }

    /// Runs `f` on a pooled connection, outside any write transaction (each statement
    /// is its own transaction unless `f` opens one).
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut pooled = self.connection()?;
        f(&mut pooled)
    }

    fn connection(&self) -> Result<PooledConnection<Manager>, StoreError> {
        self.pool.get().map_err(StoreError::Pool)
    }
}

fn run_migrations(conn: &mut DbConnection) -> Result<(), StoreError> {
    let migration_error =
        |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Migration(e.to_string());
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(migration_error)?
            .len(),
        DbConnection::Postgresql(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"))
                .execute(c)?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len())
                .map_err(migration_error);
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})"))
                .execute(c)?;
            result?
        }
    };
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    Ok(())
}

/// Establishes the variant the URL names (diesel's derived `establish` would try each
/// backend in turn and hide the real error).
struct Manager {
    target: Target,
    url_redacted: String,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = StoreError;

    fn connect(&self) -> Result<DbConnection, StoreError> {
        let connect_error = |source| StoreError::Connect {
            url: self.url_redacted.clone(),
            source,
        };
        match &self.target {
            Target::SqliteFile(path) => {
                let path = path.to_str().ok_or_else(|| StoreError::InvalidUrl {
                    url: self.url_redacted.clone(),
                    reason: "the SQLite path is not valid UTF-8",
                })?;
                SqliteConnection::establish(path)
                    .map(DbConnection::Sqlite)
                    .map_err(connect_error)
            }
            Target::SqliteMemory => SqliteConnection::establish(":memory:")
                .map(DbConnection::Sqlite)
                .map_err(connect_error),
            Target::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Postgresql)
                .map_err(connect_error),
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), StoreError> {
        conn.ping().map_err(StoreError::from)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// Per-connection SQLite settings; they are not stored in the database file.
#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<DbConnection, StoreError> for Pragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), StoreError> {
        if let DbConnection::Sqlite(c) = conn {
            c.batch_execute(SQLITE_PRAGMAS)?;
        }
        Ok(())
    }
}

/// Routes the pool's background connection errors to tracing.
#[derive(Debug)]
struct LogErrors;

impl HandleError<StoreError> for LogErrors {
    fn handle_error(&self, error: StoreError) {
        tracing::warn!(code = error.code(), %error, "database connection error");
    }
}
