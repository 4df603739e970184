//! The embedded backend: one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection, so writers in this process queue in
//! order instead of spinning on SQLite's lock; each write transaction starts with
//! `BEGIN IMMEDIATE`, so another process writing the same file waits (busy timeout) instead of
//! failing halfway. Reads use a separate pool of read-only connections that WAL lets run beside the
//! writer. Every SQL text of the backend lives in this module.

mod codec;
mod concurrency;
mod events;
mod executions;
mod flows;
mod kv;
mod logs;
mod metrics;
mod migrate;
mod queue;
mod timers;
mod triggers;

use crate::{Result, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Sqlite, Transaction};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file name of the database inside the data folder.
pub const DATABASE_FILE: &str = "sluice.db";

/// How long a writer waits for another process holding the write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections for concurrent reads (WAL readers do not block the writer or each other).
const READERS: u32 = 4;

/// The SQLite backend of [`crate::Store`].
///
/// Cheap to clone: clones share the same connections. Open it once per process and share it
/// (as `Arc<dyn Store>` or by cloning) between the executor, the workers and the API; opening
/// the same file twice in one process works but makes the two copies contend for the file lock.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    path: Option<PathBuf>,
}

impl SqliteStore {
    /// Opens (creating if needed) `sluice.db` in `data_dir`, creating the folder too, and brings
    /// its schema up to date. Fails with [`StoreError::SchemaTooNew`] if a newer Sluice wrote it.
    pub async fn open(data_dir: &Path) -> Result<SqliteStore> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::CreateDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(DATABASE_FILE);
        let open_error = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .statement_cache_capacity(256)
            .disable_statement_logging();
        let writer = pool(1).connect_with(options.clone()).await.map_err(open_error)?;
        migrate::migrate(&writer, &path).await?;
        let reader = pool(READERS)
            .connect_with(options.pragma("query_only", "ON"))
            .await
            .map_err(open_error)?;
        Ok(SqliteStore {
            writer,
            reader,
            path: Some(path),
        })
    }

    /// A private database in memory, gone when the store is dropped: for unit tests of callers.
    pub async fn in_memory() -> Result<SqliteStore> {
        let path = PathBuf::from(":memory:");
        let options = SqliteConnectOptions::new()
            .in_memory(true)
            .foreign_keys(true)
            .statement_cache_capacity(256)
            .disable_statement_logging();
        let writer = pool(1).connect_with(options).await.map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        migrate::migrate(&writer, &path).await?;
        Ok(SqliteStore {
            reader: writer.clone(),
            writer,
            path: None,
        })
    }

    /// The database file, or `None` for [`SqliteStore::in_memory`].
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Closes every connection, checkpointing the WAL into the database file. Calls after this
    /// fail; call it last, on shutdown.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// Starts a write transaction that holds SQLite's write lock from its first statement.
    async fn write(&self, action: &'static str) -> Result<Transaction<'static, Sqlite>> {
        self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(db(action))
    }
}

/// A pool that keeps its connections (and their prepared statements) for the life of the store.
fn pool(connections: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(connections)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .acquire_timeout(Duration::from_secs(60))
}

/// Maps a query error to [`StoreError::Database`] naming what the store was doing.
fn db(action: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Database { action, source }
}

/// Whether a query failed on a foreign key: a row referred to an execution that is not stored.
fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_foreign_key_violation())
}

/// Whether a query failed on a unique key.
fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}
