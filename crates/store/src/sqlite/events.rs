//! [`EventStore`] on SQLite: an append-only mailbox read in id order; commits delete acked rows.

use super::codec::{from_json, get, json, nanos, timestamp, to_u64};
use super::{SqliteStore, db, is_foreign_key_violation};
use crate::{ClaimedEvents, EventStore, Result, StoreError, StoredEvent};
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::collections::HashMap;
use std::time::Duration;

/// Reads a row of `id, execution_id, at, body`.
fn stored_event(row: &SqliteRow) -> Result<StoredEvent> {
    let id: i64 = get(row, 0, "event")?;
    let what = format!("event {id}");
    let body: String = get(row, 3, &what)?;
    Ok(StoredEvent {
        id,
        execution_id: get(row, 1, &what)?,
        at: timestamp(get(row, 2, &what)?, &what)?,
        event: from_json(&body, &what)?,
    })
}

/// Adds an event inside a write transaction; returns its id.
pub(super) async fn insert_event(
    conn: &mut SqliteConnection,
    execution_id: &str,
    event: &Event,
    at: Timestamp,
) -> Result<i64> {
    const ACTION: &str = "storing an event";
    let result = sqlx::query("INSERT INTO events (execution_id, at, body) VALUES (?, ?, ?)")
        .bind(execution_id)
        .bind(nanos(at)?)
        .bind(json(event, "an event")?)
        .execute(conn)
        .await
        .map_err(|source| {
            if is_foreign_key_violation(&source) {
                StoreError::UnknownExecution {
                    id: execution_id.to_owned(),
                    action: ACTION,
                }
            } else {
                StoreError::Database { action: ACTION, source }
            }
        })?;
    Ok(result.last_insert_rowid())
}

/// Removes an acknowledged event inside a write transaction; unknown ids are ignored.
pub(super) async fn delete_event(conn: &mut SqliteConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM events WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await
        .map_err(db("acknowledging an event"))?;
    Ok(())
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn push_event(&self, execution_id: &str, event: &Event, at: Timestamp) -> Result<i64> {
        // One statement: autocommit is atomic and saves the BEGIN and COMMIT round trips.
        let mut conn = self.writer.acquire().await.map_err(db("storing an event"))?;
        insert_event(&mut conn, execution_id, event, at).await
    }

    async fn pending_events(&self, limit: u32) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query("SELECT id, execution_id, at, body FROM events ORDER BY id LIMIT ?")
            .bind(limit)
            .fetch_all(&self.reader)
            .await
            .map_err(db("reading events"))?;
        rows.iter().map(stored_event).collect()
    }

    async fn claim_events(
        &self,
        executor_id: &str,
        hold: Duration,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<ClaimedEvents>> {
        const ACTION: &str = "claiming executions with pending events";
        let until = now.checked_add(hold).map_err(|_| StoreError::TimestampRange(now))?;
        // One write transaction: the single writer makes the claim and the read exclusive.
        let mut tx = self.write(ACTION).await?;
        let rows = sqlx::query(
            "UPDATE executions SET executor = ?1, executor_until = ?2
             WHERE id IN (
                 SELECT e.execution_id FROM events e JOIN executions x ON x.id = e.execution_id
                 WHERE x.executor IS NULL OR x.executor = ?1 OR x.executor_until <= ?3
                 GROUP BY e.execution_id ORDER BY min(e.id) LIMIT ?4)
             RETURNING id, revision",
        )
        .bind(executor_id)
        .bind(nanos(until)?)
        .bind(nanos(now)?)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(db(ACTION))?;
        if rows.is_empty() {
            tx.rollback().await.map_err(db(ACTION))?;
            return Ok(Vec::new());
        }
        let mut revisions = HashMap::with_capacity(rows.len());
        for row in &rows {
            let id: String = get(row, 0, "claimed execution")?;
            let revision: i64 = get(row, 1, &format!("execution {id}"))?;
            revisions.insert(id.clone(), to_u64(revision, &format!("execution {id}"))?);
        }
        let mut query =
            QueryBuilder::<Sqlite>::new("SELECT id, execution_id, at, body FROM events WHERE execution_id IN (");
        let mut list = query.separated(", ");
        for id in revisions.keys() {
            list.push_bind(id.clone());
        }
        query.push(") ORDER BY id");
        let events = query.build().fetch_all(&mut *tx).await.map_err(db(ACTION))?;
        tx.commit().await.map_err(db(ACTION))?;
        crate::event::group(events.iter().map(stored_event), revisions)
    }

    async fn release_executor(&self, executor_id: &str) -> Result<u64> {
        let result = sqlx::query("UPDATE executions SET executor = NULL, executor_until = NULL WHERE executor = ?")
            .bind(executor_id)
            .execute(&self.writer)
            .await
            .map_err(db("releasing an executor's executions"))?;
        Ok(result.rows_affected())
    }
}
