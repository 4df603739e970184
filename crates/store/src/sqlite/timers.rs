//! [`TimerStore`] on SQLite: rows indexed by fire time; commits add and cancel them.

use super::codec::{get, nanos, timestamp, to_u32};
use super::{SqliteStore, db, is_foreign_key_violation};
use crate::{NewTimer, Result, StoreError, Timer, TimerStore};
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;

/// Adds a timer inside a write transaction.
pub(super) async fn insert_timer(conn: &mut SqliteConnection, timer: &NewTimer) -> Result<()> {
    const ACTION: &str = "storing a timer";
    sqlx::query("INSERT INTO timers (execution_id, task_run_id, attempt, fire_at) VALUES (?, ?, ?, ?)")
        .bind(&timer.execution_id)
        .bind(&timer.task_run_id)
        .bind(timer.attempt)
        .bind(nanos(timer.fire_at)?)
        .execute(conn)
        .await
        .map_err(|source| {
            if is_foreign_key_violation(&source) {
                StoreError::UnknownExecution {
                    id: timer.execution_id.clone(),
                    action: ACTION,
                }
            } else {
                StoreError::Database { action: ACTION, source }
            }
        })?;
    Ok(())
}

/// Drops every timer of a task run inside a write transaction.
pub(super) async fn cancel_timers(conn: &mut SqliteConnection, execution_id: &str, task_run_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM timers WHERE execution_id = ? AND task_run_id = ?")
        .bind(execution_id)
        .bind(task_run_id)
        .execute(conn)
        .await
        .map_err(db("cancelling timers"))?;
    Ok(())
}

/// Reads a row of `id, execution_id, task_run_id, attempt, fire_at`.
fn timer(row: &SqliteRow) -> Result<Timer> {
    let id: i64 = get(row, 0, "timer")?;
    let what = format!("timer {id}");
    Ok(Timer {
        id,
        execution_id: get(row, 1, &what)?,
        task_run_id: get(row, 2, &what)?,
        attempt: to_u32(get(row, 3, &what)?, &what)?,
        fire_at: timestamp(get(row, 4, &what)?, &what)?,
    })
}

#[async_trait]
impl TimerStore for SqliteStore {
    async fn due_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<Timer>> {
        let rows = sqlx::query(
            "SELECT id, execution_id, task_run_id, attempt, fire_at FROM timers
             WHERE fire_at <= ? ORDER BY fire_at, id LIMIT ?",
        )
        .bind(nanos(now)?)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(db("reading due timers"))?;
        rows.iter().map(timer).collect()
    }

    async fn delete_timer(&self, id: i64) -> Result<bool> {
        let result = sqlx::query("DELETE FROM timers WHERE id = ?")
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(db("deleting a timer"))?;
        Ok(result.rows_affected() > 0)
    }

    async fn fire_timer(&self, id: i64, execution_id: &str, event: &Event, at: Timestamp) -> Result<bool> {
        const ACTION: &str = "firing a timer";
        let mut tx = self.write(ACTION).await?;
        let deleted = sqlx::query("DELETE FROM timers WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db(ACTION))?
            .rows_affected();
        if deleted == 0 {
            return Ok(false);
        }
        super::events::insert_event(&mut tx, execution_id, event, at).await?;
        tx.commit().await.map_err(db(ACTION))?;
        Ok(true)
    }

    async fn next_timer_at(&self) -> Result<Option<Timestamp>> {
        let next: Option<i64> = sqlx::query_scalar("SELECT MIN(fire_at) FROM timers")
            .fetch_one(&self.reader)
            .await
            .map_err(db("reading the next timer"))?;
        next.map(|n| timestamp(n, "timer")).transpose()
    }
}
