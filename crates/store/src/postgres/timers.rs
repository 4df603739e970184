//! [`TimerStore`] on PostgreSQL: rows indexed by fire time; commits add and cancel them. Each
//! insert notifies `sluice_timers` with the fire time, so a sleeping scheduler can wake earlier.

use super::codec::{get, nanos, timestamp, to_u32};
use super::{PostgresStore, db, unknown_execution};
use crate::{NewTimer, Result, Timer, TimerStore};
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;
use sqlx::PgConnection;
use sqlx::postgres::PgRow;

/// Adds a timer inside a transaction.
pub(super) async fn insert_timer(conn: &mut PgConnection, timer: &NewTimer) -> Result<()> {
    sqlx::query("INSERT INTO timers (execution_id, task_run_id, attempt, fire_at) VALUES ($1, $2, $3, $4)")
        .bind(&timer.execution_id)
        .bind(&timer.task_run_id)
        .bind(i64::from(timer.attempt))
        .bind(nanos(timer.fire_at)?)
        .execute(conn)
        .await
        .map_err(unknown_execution(&timer.execution_id, "storing a timer"))?;
    Ok(())
}

/// Drops every timer of these task runs inside a transaction.
pub(super) async fn cancel_timers(conn: &mut PgConnection, execution_id: &str, task_run_ids: &[String]) -> Result<()> {
    if task_run_ids.is_empty() {
        return Ok(());
    }
    sqlx::query("DELETE FROM timers WHERE execution_id = $1 AND task_run_id = ANY($2)")
        .bind(execution_id)
        .bind(task_run_ids)
        .execute(conn)
        .await
        .map_err(db("cancelling timers"))?;
    Ok(())
}

/// Reads a row of `id, execution_id, task_run_id, attempt, fire_at`.
fn timer(row: &PgRow) -> Result<Timer> {
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
impl TimerStore for PostgresStore {
    async fn due_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<Timer>> {
        let rows = sqlx::query(
            "SELECT id, execution_id, task_run_id, attempt, fire_at FROM timers
             WHERE fire_at <= $1 ORDER BY fire_at, id LIMIT $2",
        )
        .bind(nanos(now)?)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading due timers"))?;
        rows.iter().map(timer).collect()
    }

    async fn delete_timer(&self, id: i64) -> Result<bool> {
        let result = sqlx::query("DELETE FROM timers WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db("deleting a timer"))?;
        Ok(result.rows_affected() > 0)
    }

    async fn fire_timer(&self, id: i64, execution_id: &str, event: &Event, at: Timestamp) -> Result<bool> {
        const ACTION: &str = "firing a timer";
        let mut tx = self.write(ACTION).await?;
        // A second firer waits for the first one's row lock, then finds the row gone.
        let deleted = sqlx::query("DELETE FROM timers WHERE id = $1")
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
            .fetch_one(&self.pool)
            .await
            .map_err(db("reading the next timer"))?;
        next.map(|n| timestamp(n, "timer")).transpose()
    }
}
