//! [`EventStore`] on PostgreSQL: an append-only mailbox read in id order; commits delete acked
//! rows. Each insert notifies `sluice_events` (a trigger of migration 0002).
//!
//! Ids come from a sequence, so two transactions pushing at once may commit in the other order:
//! events pushed one after the other (each push awaited) are always read in push order.

use super::codec::{from_json, get, json, nanos, timestamp, to_u64};
use super::{PostgresStore, db, unknown_execution};
use crate::{ClaimedEvents, EventStore, Result, StoreError, StoredEvent};
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use std::collections::HashMap;
use std::time::Duration;

/// Reads a row of `id, execution_id, at, body::text`.
fn stored_event(row: &PgRow) -> Result<StoredEvent> {
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

/// Adds an event inside a transaction (or as one statement); returns its id.
pub(super) async fn insert_event(
    conn: &mut PgConnection,
    execution_id: &str,
    event: &Event,
    at: Timestamp,
) -> Result<i64> {
    sqlx::query_scalar("INSERT INTO events (execution_id, at, body) VALUES ($1, $2, $3::json) RETURNING id")
        .bind(execution_id)
        .bind(nanos(at)?)
        .bind(json(event, "an event")?)
        .fetch_one(conn)
        .await
        .map_err(unknown_execution(execution_id, "storing an event"))
}

/// Removes acknowledged events inside a transaction; unknown ids are ignored.
pub(super) async fn delete_events(conn: &mut PgConnection, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query("DELETE FROM events WHERE id = ANY($1)")
        .bind(ids)
        .execute(conn)
        .await
        .map_err(db("acknowledging events"))?;
    Ok(())
}

#[async_trait]
impl EventStore for PostgresStore {
    async fn push_event(&self, execution_id: &str, event: &Event, at: Timestamp) -> Result<i64> {
        // One statement: autocommit is atomic and saves the BEGIN and COMMIT round trips.
        let mut conn = self.pool.acquire().await.map_err(db("storing an event"))?;
        insert_event(&mut conn, execution_id, event, at).await
    }

    async fn pending_events(&self, limit: u32) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query("SELECT id, execution_id, at, body::text FROM events ORDER BY id LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
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
        // The oldest executions with events that nobody else holds; rows another claimer has
        // locked are skipped, not waited for, and READ COMMITTED rechecks the hold on the newest
        // version of a row it locks. One statement: the row locks end with it, the holds stay.
        let rows = sqlx::query(
            "WITH candidates AS (
                 SELECT e.execution_id, min(e.id) AS first FROM events e
                 JOIN executions x ON x.id = e.execution_id
                 WHERE x.executor IS NULL OR x.executor = $1 OR x.executor_until <= $3
                 GROUP BY e.execution_id ORDER BY first LIMIT $4
             ), locked AS (
                 SELECT x.id FROM executions x
                 WHERE x.id IN (SELECT execution_id FROM candidates)
                   AND (x.executor IS NULL OR x.executor = $1 OR x.executor_until <= $3)
                 FOR UPDATE SKIP LOCKED
             )
             UPDATE executions x SET executor = $1, executor_until = $2
             FROM locked WHERE x.id = locked.id
             RETURNING x.id, x.revision",
        )
        .bind(executor_id)
        .bind(nanos(until)?)
        .bind(nanos(now)?)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db(ACTION))?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut revisions = HashMap::with_capacity(rows.len());
        for row in &rows {
            let id: String = get(row, 0, "claimed execution")?;
            let revision: i64 = get(row, 1, &format!("execution {id}"))?;
            revisions.insert(id.clone(), to_u64(revision, &format!("execution {id}"))?);
        }
        let ids: Vec<&str> = revisions.keys().map(String::as_str).collect();
        let rows =
            sqlx::query("SELECT id, execution_id, at, body::text FROM events WHERE execution_id = ANY($1) ORDER BY id")
                .bind(&ids)
                .fetch_all(&self.pool)
                .await
                .map_err(db(ACTION))?;
        crate::event::group(rows.iter().map(stored_event), revisions)
    }

    async fn release_executor(&self, executor_id: &str) -> Result<u64> {
        let result = sqlx::query("UPDATE executions SET executor = NULL, executor_until = NULL WHERE executor = $1")
            .bind(executor_id)
            .execute(&self.pool)
            .await
            .map_err(db("releasing an executor's executions"))?;
        Ok(result.rows_affected())
    }
}
