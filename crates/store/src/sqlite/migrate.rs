//! Schema migrations embedded in the binary, applied in order in one transaction and recorded in
//! `schema_migrations`, so opening a database is idempotent and a newer database is refused.

use super::codec::nanos;
use crate::{Result, StoreError};
use jiff::Timestamp;
use sqlx::SqlitePool;
use std::path::Path;

/// One migration file.
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

/// Every migration, oldest first. Add new files at the end; never edit one that was released.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init.sql",
        sql: include_str!("../../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "0002_log_blocks.sql",
        sql: include_str!("../../migrations/sqlite/0002_log_blocks.sql"),
    },
    Migration {
        version: 3,
        name: "0003_triggers.sql",
        sql: include_str!("../../migrations/sqlite/0003_triggers.sql"),
    },
    Migration {
        version: 4,
        name: "0004_executors.sql",
        sql: include_str!("../../migrations/sqlite/0004_executors.sql"),
    },
    Migration {
        version: 5,
        name: "0005_concurrency.sql",
        sql: include_str!("../../migrations/sqlite/0005_concurrency.sql"),
    },
    Migration {
        version: 6,
        name: "0006_slot_limit.sql",
        sql: include_str!("../../migrations/sqlite/0006_slot_limit.sql"),
    },
    Migration {
        version: 7,
        name: "0007_kv.sql",
        sql: include_str!("../../migrations/sqlite/0007_kv.sql"),
    },
    Migration {
        version: 8,
        name: "0008_namespace_files.sql",
        sql: include_str!("../../migrations/sqlite/0008_namespace_files.sql"),
    },
    Migration {
        version: 9,
        name: "0009_secrets.sql",
        sql: include_str!("../../migrations/sqlite/0009_secrets.sql"),
    },
    Migration {
        version: 10,
        name: "0010_task_runs.sql",
        sql: include_str!("../../migrations/sqlite/0010_task_runs.sql"),
    },
];

/// Brings the schema of the database behind `pool` up to date.
pub(super) async fn migrate(pool: &SqlitePool, path: &Path) -> Result<()> {
    let open_error = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(open_error)?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at INTEGER NOT NULL
        )",
    )
    .execute(&mut *tx)
    .await
    .map_err(open_error)?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
        .fetch_all(&mut *tx)
        .await
        .map_err(open_error)?;

    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if let Some(&found) = applied.last()
        && found > known
    {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    if let Some(unknown) = applied.iter().find(|v| !MIGRATIONS.iter().any(|m| m.version == **v)) {
        return Err(StoreError::corrupt_value(
            "schema_migrations",
            format!("version {unknown} is not a migration this binary knows"),
        ));
    }

    let now = nanos(Timestamp::now())?;
    for migration in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let failed = |source| StoreError::Migration {
            version: migration.version,
            name: migration.name,
            source,
        };
        sqlx::raw_sql(migration.sql).execute(&mut *tx).await.map_err(failed)?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
    }
    tx.commit().await.map_err(open_error)
}
