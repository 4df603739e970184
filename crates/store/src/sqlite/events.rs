//! [`EventStore`] on SQLite: an append-only mailbox read in id order; commits delete acked rows.

use super::codec::{from_json, get, json, nanos, timestamp};
use super::{SqliteStore, db, is_foreign_key_violation};
use crate::{EventStore, Result, StoreError, StoredEvent};
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;
use sqlx::SqliteConnection;

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
