//! Concurrency slots on SQLite: one writer at a time, so a write transaction counts and takes a
//! slot atomically.

use super::events::insert_event;
use super::{SqliteStore, db};
use crate::{ConcurrencyStore, Result, Slot};
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;
use sqlx::SqliteConnection;

/// Slots taken of a flow, plus the older executions waiting for one: queued, or created with
/// their start event pending and not asked yet (binds: namespace, flow id, the asker's position).
const AHEAD: &str = "SELECT (SELECT COUNT(*) FROM flow_slots WHERE namespace = ?1 AND flow_id = ?2 \
     AND (running = 1 OR position < ?3)) \
     + (SELECT COUNT(*) FROM executions e WHERE e.namespace = ?1 AND e.flow_id = ?2 AND e.seq < ?3 \
     AND e.state = 'CREATED' AND EXISTS (SELECT 1 FROM events v WHERE v.execution_id = e.id) \
     AND NOT EXISTS (SELECT 1 FROM flow_slots s WHERE s.execution_id = e.id))";

#[async_trait]
impl ConcurrencyStore for SqliteStore {
    async fn acquire_slot(
        &self,
        namespace: &str,
        flow_id: &str,
        execution_id: &str,
        limit: u32,
        queue: bool,
    ) -> Result<Slot> {
        const ACTION: &str = "taking a concurrency slot";
        let mut tx = self.write(ACTION).await?;
        let held: Option<bool> = sqlx::query_scalar("SELECT running FROM flow_slots WHERE execution_id = ?")
            .bind(execution_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db(ACTION))?;
        if let Some(running) = held {
            return Ok(if running { Slot::Running } else { Slot::Queued });
        }
        let position: i64 = sqlx::query_scalar("SELECT seq FROM executions WHERE id = ?")
            .bind(execution_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db(ACTION))?;
        let ahead: i64 = sqlx::query_scalar(AHEAD)
            .bind(namespace)
            .bind(flow_id)
            .bind(position)
            .fetch_one(&mut *tx)
            .await
            .map_err(db(ACTION))?;
        let slot = if ahead < i64::from(limit) {
            Slot::Running
        } else if queue {
            Slot::Queued
        } else {
            return Ok(Slot::Refused);
        };
        sqlx::query(
            "INSERT INTO flow_slots (execution_id, namespace, flow_id, running, position, slot_limit) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(execution_id)
        .bind(namespace)
        .bind(flow_id)
        .bind(slot == Slot::Running)
        .bind(position)
        .bind(i64::from(limit))
        .execute(&mut *tx)
        .await
        .map_err(db(ACTION))?;
        tx.commit().await.map_err(db(ACTION))?;
        Ok(slot)
    }
}

/// Inside the commit of a step that ends an execution: frees its slot, if it held one, and hands
/// the free slots to the oldest queued executions of its flow, each started by an event. Called
/// for every execution that ends, whatever its revision says: an execution without a slot can
/// still be one the queued ones were counted behind. The limit is the one the oldest waits under.
pub(super) async fn release_slot(
    conn: &mut SqliteConnection,
    execution_id: &str,
    namespace: &str,
    flow_id: &str,
    at: Timestamp,
) -> Result<()> {
    const ACTION: &str = "handing on a concurrency slot";
    sqlx::query("DELETE FROM flow_slots WHERE execution_id = ?")
        .bind(execution_id)
        .execute(&mut *conn)
        .await
        .map_err(db(ACTION))?;
    let limit: Option<i64> = sqlx::query_scalar(
        "SELECT slot_limit FROM flow_slots WHERE namespace = ? AND flow_id = ? AND running = 0 \
         ORDER BY position LIMIT 1",
    )
    .bind(namespace)
    .bind(flow_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db(ACTION))?;
    let Some(limit) = limit else {
        return Ok(());
    };
    let taken: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM flow_slots WHERE namespace = ? AND flow_id = ? AND running = 1")
            .bind(namespace)
            .bind(flow_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(db(ACTION))?;
    let free = limit - taken;
    if free <= 0 {
        return Ok(());
    }
    let next: Vec<String> = sqlx::query_scalar(
        "SELECT execution_id FROM flow_slots WHERE namespace = ? AND flow_id = ? AND running = 0 \
         ORDER BY position LIMIT ?",
    )
    .bind(namespace)
    .bind(flow_id)
    .bind(free)
    .fetch_all(&mut *conn)
    .await
    .map_err(db(ACTION))?;
    for id in next {
        sqlx::query("UPDATE flow_slots SET running = 1 WHERE execution_id = ?")
            .bind(&id)
            .execute(&mut *conn)
            .await
            .map_err(db(ACTION))?;
        insert_event(conn, &id, &Event::Start, at).await?;
    }
    Ok(())
}
