//! The scale-out backend: one PostgreSQL database shared by every process of a deployment, and
//! the wake-ups ([`PostgresStore::listen`]) that spare those processes fast polling.
//!
//! It behaves as [`crate::SqliteStore`] does; where SQLite relies on its single writer, this
//! backend uses PostgreSQL's own means: `FOR UPDATE SKIP LOCKED` to claim jobs, row locks on the
//! log stream to number lines without gaps, an advisory lock per flow to number revisions,
//! compare-and-set updates for triggers, and one transaction per step commit. Times are bigint
//! nanoseconds as in SQLite; JSON documents are `json`, which keeps a NUL character that `jsonb`
//! would refuse (see the migrations).
//!
//! Work appearing in the store is announced with `NOTIFY` by triggers in the database, so other
//! processes can wait with [`PostgresStore::listen`] instead of polling fast. Every SQL text of
//! the backend lives in this module.

mod codec;
mod concurrency;
mod events;
mod executions;
mod flows;
mod kv;
mod listen;
mod logs;
mod metrics;
mod migrate;
mod queue;
mod timers;
mod triggers;

pub use listen::{Channel, Listener, Wakeup};

use crate::{Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Postgres, Transaction};
use std::time::Duration;

/// Connections the store keeps open at most (each process has its own pool).
const MAX_CONNECTIONS: u32 = 10;

/// How long a call waits for a free connection before failing with a transient error.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// The `application_name` the store's connections show in `pg_stat_activity`, unless the
/// connect options name another.
const APPLICATION_NAME: &str = "sluice";

/// The PostgreSQL backend of [`crate::Store`].
///
/// Cheap to clone: clones share one pool of connections. A lost connection is replaced by the
/// pool on the next call (each connection is checked before it is handed out).
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    options: PgConnectOptions,
    target: String,
}

impl std::fmt::Debug for PostgresStore {
    /// Shows where the store is connected, never the password the options may hold.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database of a `postgres://user:password@host:port/database` URL (libpq's
    /// URL parameters such as `sslmode` or `options` apply) and brings its schema up to date.
    /// Fails with [`StoreError::Connect`] when the server cannot be reached and with
    /// [`StoreError::DatabaseTooNew`] if a newer Sluice wrote the schema.
    pub async fn connect(url: &str) -> Result<PostgresStore> {
        let options = url.parse::<PgConnectOptions>().map_err(|source| StoreError::Connect {
            target: redact(url),
            source,
        })?;
        PostgresStore::connect_with(options).await
    }

    /// Like [`PostgresStore::connect`], with options built in code. Tables are created in the
    /// first schema of the connection's `search_path`, so
    /// `options.options([("search_path", "tenant_a")])` keeps a store in schema `tenant_a`.
    pub async fn connect_with(options: PgConnectOptions) -> Result<PostgresStore> {
        let options = if options.get_application_name().is_some() {
            options
        } else {
            options.application_name(APPLICATION_NAME)
        };
        let target = describe(&options);
        let connect_error = |source| StoreError::Connect {
            target: target.clone(),
            source,
        };
        // One attempt on a connection of its own, so an unreachable server fails at once (the
        // pool would retry until its acquire timeout); the pool connects when first used.
        let mut conn = PgConnection::connect_with(&options).await.map_err(connect_error)?;
        migrate::migrate(&mut conn, &target).await?;
        conn.close().await.map_err(connect_error)?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .idle_timeout(Duration::from_secs(600))
            .connect_lazy_with(options.clone());
        Ok(PostgresStore { pool, options, target })
    }

    /// Where the store is connected: `user@host:port/database` (never the password).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Closes every connection. Calls after this fail; call it last, on shutdown.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a read-write transaction.
    async fn write(&self, action: &'static str) -> Result<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db(action))
    }
}

/// `user@host:port/database`, with the connection options when there are any.
fn describe(options: &PgConnectOptions) -> String {
    let mut target = format!(
        "{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username())
    );
    if let Some(extra) = options.get_options() {
        target.push_str(&format!(" ({extra})"));
    }
    target
}

/// A URL without its password, to show in errors.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "an unparsable URL".to_owned();
    };
    match rest.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_owned(),
    }
}

/// Maps a query error to [`StoreError::Database`] naming what the store was doing.
fn db(action: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Database { action, source }
}

/// Maps an insert's error to [`StoreError::UnknownExecution`] when it failed on the foreign key
/// to `executions`, or to [`StoreError::Database`].
fn unknown_execution(execution_id: &str, action: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| match &source {
        sqlx::Error::Database(e) if e.is_foreign_key_violation() => StoreError::UnknownExecution {
            id: execution_id.to_owned(),
            action,
        },
        _ => StoreError::Database { action, source },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_never_show() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u@h:5432/db");
        assert_eq!(redact("postgres://u:p@ss@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(redact("not a url"), "an unparsable URL");
        let options = "postgres://u:secret@h:5433/db".parse::<PgConnectOptions>().ok();
        let described = options.as_ref().map(describe);
        assert_eq!(described.as_deref(), Some("u@h:5433/db"));
        if let Some(options) = options {
            let pool = PgPoolOptions::new().connect_lazy_with(options.clone());
            let target = describe(&options);
            let store = PostgresStore { pool, options, target };
            assert!(!format!("{store:?}").contains("secret"));
        }
    }
}
