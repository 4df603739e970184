//! [`FlowStore`] on SQLite: one row per revision; a delete flags every revision of the flow.

use super::codec::{get, nanos, timestamp, to_u32};
use super::{SqliteStore, db};
use crate::{FlowRecord, FlowStore, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;

/// Reads a row of `namespace, id, revision, source, created`.
fn record(row: &SqliteRow) -> Result<FlowRecord> {
    let namespace: String = get(row, 0, "flow")?;
    let id: String = get(row, 1, "flow")?;
    let what = format!("flow {namespace}.{id}");
    Ok(FlowRecord {
        revision: to_u32(get(row, 2, &what)?, &what)?,
        source: get(row, 3, &what)?,
        created: timestamp(get(row, 4, &what)?, &what)?,
        namespace,
        id,
    })
}

#[async_trait]
impl FlowStore for SqliteStore {
    async fn put_flow(&self, namespace: &str, id: &str, source: &str) -> Result<FlowRecord> {
        const ACTION: &str = "storing a flow";
        let mut tx = self.write(ACTION).await?;
        let newest = sqlx::query(
            "SELECT namespace, id, revision, source, created, deleted FROM flows
             WHERE namespace = ? AND id = ? ORDER BY revision DESC LIMIT 1",
        )
        .bind(namespace)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db(ACTION))?;
        let mut revision = 1;
        if let Some(row) = newest {
            let newest = record(&row)?;
            let deleted: bool = get(&row, 5, "flow")?;
            if !deleted && newest.source == source {
                return Ok(newest);
            }
            revision = newest.revision.saturating_add(1);
        }
        let created = Timestamp::now();
        sqlx::query("INSERT INTO flows (namespace, id, revision, source, created) VALUES (?, ?, ?, ?, ?)")
            .bind(namespace)
            .bind(id)
            .bind(revision)
            .bind(source)
            .bind(nanos(created)?)
            .execute(&mut *tx)
            .await
            .map_err(db(ACTION))?;
        tx.commit().await.map_err(db(ACTION))?;
        Ok(FlowRecord {
            namespace: namespace.to_owned(),
            id: id.to_owned(),
            revision,
            source: source.to_owned(),
            created,
        })
    }

    async fn get_flow(&self, namespace: &str, id: &str, revision: Option<u32>) -> Result<Option<FlowRecord>> {
        const ACTION: &str = "reading a flow";
        let query = match revision {
            Some(revision) => sqlx::query(
                "SELECT namespace, id, revision, source, created FROM flows
                 WHERE namespace = ? AND id = ? AND revision = ?",
            )
            .bind(namespace)
            .bind(id)
            .bind(revision),
            None => sqlx::query(
                "SELECT namespace, id, revision, source, created FROM flows
                 WHERE namespace = ? AND id = ? AND deleted = 0 ORDER BY revision DESC LIMIT 1",
            )
            .bind(namespace)
            .bind(id),
        };
        let row = query.fetch_optional(&self.reader).await.map_err(db(ACTION))?;
        row.as_ref().map(record).transpose()
    }

    async fn list_flows(&self) -> Result<Vec<FlowRecord>> {
        const ACTION: &str = "listing flows";
        let rows = sqlx::query(
            "SELECT f.namespace, f.id, f.revision, f.source, f.created FROM flows f
             WHERE f.deleted = 0
               AND f.revision = (SELECT MAX(g.revision) FROM flows g WHERE g.namespace = f.namespace AND g.id = f.id)
             ORDER BY f.namespace, f.id",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db(ACTION))?;
        rows.iter().map(record).collect()
    }

    async fn delete_flow(&self, namespace: &str, id: &str) -> Result<bool> {
        const ACTION: &str = "deleting a flow";
        let result = sqlx::query("UPDATE flows SET deleted = 1 WHERE namespace = ? AND id = ? AND deleted = 0")
            .bind(namespace)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(db(ACTION))?;
        Ok(result.rows_affected() > 0)
    }
}
