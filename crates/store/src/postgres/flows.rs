//! [`FlowStore`] on PostgreSQL: one row per revision; a delete flags every revision of the flow.
//! Storing a revision holds an advisory lock on the flow, so two processes storing the same flow
//! at once number their revisions one after the other.

use super::codec::{get, nanos, timestamp, to_u32};
use super::{PostgresStore, db};
use crate::{FlowRecord, FlowStore, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::postgres::PgRow;

/// Reads a row of `namespace, id, revision, source, created`.
fn record(row: &PgRow) -> Result<FlowRecord> {
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
impl FlowStore for PostgresStore {
    async fn put_flow(&self, namespace: &str, id: &str, source: &str) -> Result<FlowRecord> {
        const ACTION: &str = "storing a flow";
        let mut tx = self.write(ACTION).await?;
        // Held until the transaction ends; a hash collision only makes two flows wait for each other.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('sluice flow ' || $1 || E'\\n' || $2, 0))")
            .bind(namespace)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db(ACTION))?;
        let newest = sqlx::query(
            "SELECT namespace, id, revision, source, created, deleted FROM flows
             WHERE namespace = $1 AND id = $2 ORDER BY revision DESC LIMIT 1",
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
        sqlx::query("INSERT INTO flows (namespace, id, revision, source, created) VALUES ($1, $2, $3, $4, $5)")
            .bind(namespace)
            .bind(id)
            .bind(i64::from(revision))
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
                 WHERE namespace = $1 AND id = $2 AND revision = $3",
            )
            .bind(namespace)
            .bind(id)
            .bind(i64::from(revision)),
            None => sqlx::query(
                "SELECT namespace, id, revision, source, created FROM flows
                 WHERE namespace = $1 AND id = $2 AND NOT deleted ORDER BY revision DESC LIMIT 1",
            )
            .bind(namespace)
            .bind(id),
        };
        let row = query.fetch_optional(&self.pool).await.map_err(db(ACTION))?;
        row.as_ref().map(record).transpose()
    }

    async fn list_flows(&self) -> Result<Vec<FlowRecord>> {
        const ACTION: &str = "listing flows";
        // The newest revision of each flow, kept when it is not deleted.
        let rows = sqlx::query(
            "SELECT namespace, id, revision, source, created FROM (
                 SELECT DISTINCT ON (namespace, id) namespace, id, revision, source, created, deleted
                 FROM flows ORDER BY namespace, id, revision DESC
             ) newest
             WHERE NOT deleted
             ORDER BY namespace, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db(ACTION))?;
        rows.iter().map(record).collect()
    }

    async fn delete_flow(&self, namespace: &str, id: &str) -> Result<bool> {
        const ACTION: &str = "deleting a flow";
        let result = sqlx::query("UPDATE flows SET deleted = true WHERE namespace = $1 AND id = $2 AND NOT deleted")
            .bind(namespace)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db(ACTION))?;
        Ok(result.rows_affected() > 0)
    }
}
