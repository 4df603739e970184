//! Schema migrations embedded in the binary, applied in order in one transaction and recorded in
//! `schema_migrations`, so connecting is idempotent and a newer schema is refused. An advisory lock
//! per schema makes processes that start together migrate one after the other.

use super::codec::nanos;
use crate::{Result, StoreError};
use jiff::Timestamp;
use sqlx::{Connection, PgConnection};

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
        sql: include_str!("../../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "0002_notify.sql",
        sql: include_str!("../../migrations/postgres/0002_notify.sql"),
    },
    Migration {
        version: 3,
        name: "0003_executors.sql",
        sql: include_str!("../../migrations/postgres/0003_executors.sql"),
    },
    Migration {
        version: 4,
        name: "0004_concurrency.sql",
        sql: include_str!("../../migrations/postgres/0004_concurrency.sql"),
    },
    Migration {
        version: 5,
        name: "0005_slot_limit.sql",
        sql: include_str!("../../migrations/postgres/0005_slot_limit.sql"),
    },
    Migration {
        version: 6,
        name: "0006_kv.sql",
        sql: include_str!("../../migrations/postgres/0006_kv.sql"),
    },
    Migration {
        version: 7,
        name: "0007_namespace_files.sql",
        sql: include_str!("../../migrations/postgres/0007_namespace_files.sql"),
    },
    Migration {
        version: 8,
        name: "0008_secrets.sql",
        sql: include_str!("../../migrations/postgres/0008_secrets.sql"),
    },
    Migration {
        version: 9,
        name: "0009_task_runs.sql",
        sql: include_str!("../../migrations/postgres/0009_task_runs.sql"),
    },
];

/// Brings the schema of `conn` (the first schema of its `search_path`) up to date.
pub(super) async fn migrate(conn: &mut PgConnection, target: &str) -> Result<()> {
    let open_error = |source| StoreError::Connect {
        target: target.to_owned(),
        source,
    };
    let mut tx = conn.begin().await.map_err(open_error)?;
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtextextended('sluice migrations ' || COALESCE(current_schema(), ''), 0))",
    )
    .execute(&mut *tx)
    .await
    .map_err(open_error)?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version bigint PRIMARY KEY,
            name text NOT NULL,
            applied_at bigint NOT NULL
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
        return Err(StoreError::DatabaseTooNew {
            target: target.to_owned(),
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
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
    }
    tx.commit().await.map_err(open_error)
}
