//! [`EventStore`] on PostgreSQL: an append-only mailbox read in id order; commits delete acked
//! rows. Each insert notifies `sluice_events` (a trigger of migration 0002).
//!
//! Ids come from a sequence, so two transactions pushing at once may commit in the other order:
//! events pushed one after the other (each push awaited) are always read in push order.

use super::codec::{from_json, get, json, nanos, timestamp};
use super::{PostgresStore, db, unknown_execution};
use crate::{EventStore, Result, StoredEvent};
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;
use sqlx::PgConnection;

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
        rows.iter()
            .map(|row| {
                let id: i64 = get(row, 0, "event")?;
                let what = format!("event {id}");
                let body: String = get(row, 3, &what)?;
                Ok(StoredEvent {
                    id,
                    execution_id: get(row, 1, &what)?,
                    at: timestamp(get(row, 2, &what)?, &what)?,
                    event: from_json(&body, &what)?,
                })
            })
            .collect()
    }
}
