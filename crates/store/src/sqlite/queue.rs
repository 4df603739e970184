//! [`QueueStore`] on SQLite: a claim is one `UPDATE … RETURNING` on the single writer, so two
//! claimers can never take the same job (PostgreSQL uses `FOR UPDATE SKIP LOCKED`).

use super::codec::{from_json, get, json, nanos, timestamp, to_u32};
use super::{SqliteStore, db, is_foreign_key_violation};
use crate::{Job, NewJob, QueueStore, Result, StoreError};
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use std::time::Duration;

/// Adds a job inside a write transaction.
pub(super) async fn insert_job(conn: &mut SqliteConnection, job: &NewJob) -> Result<()> {
    const ACTION: &str = "enqueueing a job";
    sqlx::query("INSERT INTO jobs (execution_id, task_run_id, attempt, payload) VALUES (?, ?, ?, ?)")
        .bind(&job.execution_id)
        .bind(&job.task_run_id)
        .bind(job.attempt)
        .bind(json(&job.payload, "a job payload")?)
        .execute(conn)
        .await
        .map_err(|source| {
            if is_foreign_key_violation(&source) {
                StoreError::UnknownExecution {
                    id: job.execution_id.clone(),
                    action: ACTION,
                }
            } else {
                StoreError::Database { action: ACTION, source }
            }
        })?;
    Ok(())
}

/// Drops the jobs of a task run that no worker holds, and marks those a worker holds for
/// killing, inside a write transaction.
pub(super) async fn cancel_jobs(conn: &mut SqliteConnection, execution_id: &str, task_run_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM jobs WHERE execution_id = ? AND task_run_id = ? AND owner IS NULL")
        .bind(execution_id)
        .bind(task_run_id)
        .execute(&mut *conn)
        .await
        .map_err(db("cancelling jobs"))?;
    sqlx::query("UPDATE jobs SET kill = 1 WHERE execution_id = ? AND task_run_id = ?")
        .bind(execution_id)
        .bind(task_run_id)
        .execute(conn)
        .await
        .map_err(db("cancelling jobs"))?;
    Ok(())
}

/// Reads a row of `id, execution_id, task_run_id, attempt, payload, owner, lease_until, claims`.
fn job(row: &SqliteRow) -> Result<Job> {
    let id: i64 = get(row, 0, "job")?;
    let what = format!("job {id}");
    let payload: String = get(row, 4, &what)?;
    let lease_until: Option<i64> = get(row, 6, &what)?;
    Ok(Job {
        id,
        execution_id: get(row, 1, &what)?,
        task_run_id: get(row, 2, &what)?,
        attempt: to_u32(get(row, 3, &what)?, &what)?,
        payload: from_json(&payload, &what)?,
        owner: get(row, 5, &what)?,
        lease_until: lease_until.map(|n| timestamp(n, &what)).transpose()?,
        claims: to_u32(get(row, 7, &what)?, &what)?,
    })
}

#[async_trait]
impl QueueStore for SqliteStore {
    async fn claim(&self, worker_id: &str, lease: Duration, now: Timestamp) -> Result<Option<Job>> {
        let until = now.checked_add(lease).map_err(|_| StoreError::TimestampRange(now))?;
        let row = sqlx::query(
            "UPDATE jobs SET owner = ?1, lease_until = ?2, claims = claims + 1
             WHERE id = (SELECT id FROM jobs WHERE owner IS NULL ORDER BY id LIMIT 1)
             RETURNING id, execution_id, task_run_id, attempt, payload, owner, lease_until, claims",
        )
        .bind(worker_id)
        .bind(nanos(until)?)
        .fetch_optional(&self.writer)
        .await
        .map_err(db("claiming a job"))?;
        row.as_ref().map(job).transpose()
    }

    async fn renew(&self, job_id: i64, worker_id: &str, until: Timestamp) -> Result<bool> {
        let result = sqlx::query("UPDATE jobs SET lease_until = ? WHERE id = ? AND owner = ?")
            .bind(nanos(until)?)
            .bind(job_id)
            .bind(worker_id)
            .execute(&self.writer)
            .await
            .map_err(db("renewing a lease"))?;
        Ok(result.rows_affected() > 0)
    }

    async fn finish(&self, job_id: i64) -> Result<bool> {
        let result = sqlx::query("DELETE FROM jobs WHERE id = ?")
            .bind(job_id)
            .execute(&self.writer)
            .await
            .map_err(db("finishing a job"))?;
        Ok(result.rows_affected() > 0)
    }

    async fn finish_with_event(
        &self,
        job_id: i64,
        worker_id: &str,
        execution_id: &str,
        event: &Event,
        at: Timestamp,
    ) -> Result<Option<i64>> {
        const ACTION: &str = "finishing a job";
        let mut tx = self.write(ACTION).await?;
        let deleted = sqlx::query("DELETE FROM jobs WHERE id = ? AND owner = ?")
            .bind(job_id)
            .bind(worker_id)
            .execute(&mut *tx)
            .await
            .map_err(db(ACTION))?
            .rows_affected();
        if deleted == 0 {
            tx.rollback().await.map_err(db(ACTION))?;
            return Ok(None);
        }
        let id = super::events::insert_event(&mut tx, execution_id, event, at).await?;
        tx.commit().await.map_err(db(ACTION))?;
        Ok(Some(id))
    }

    async fn expire_with_event(
        &self,
        job_id: i64,
        worker_id: &str,
        now: Timestamp,
        execution_id: &str,
        event: &Event,
        at: Timestamp,
    ) -> Result<Option<i64>> {
        const ACTION: &str = "ending the attempt of a lost worker";
        let mut tx = self.write(ACTION).await?;
        let deleted = sqlx::query("DELETE FROM jobs WHERE id = ? AND owner = ? AND lease_until <= ?")
            .bind(job_id)
            .bind(worker_id)
            .bind(nanos(now)?)
            .execute(&mut *tx)
            .await
            .map_err(db(ACTION))?
            .rows_affected();
        if deleted == 0 {
            tx.rollback().await.map_err(db(ACTION))?;
            return Ok(None);
        }
        let id = super::events::insert_event(&mut tx, execution_id, event, at).await?;
        tx.commit().await.map_err(db(ACTION))?;
        Ok(Some(id))
    }

    async fn release_expired(&self, job_id: i64, worker_id: &str, now: Timestamp) -> Result<bool> {
        let result = sqlx::query(
            "UPDATE jobs SET owner = NULL, lease_until = NULL WHERE id = ? AND owner = ? AND lease_until <= ?",
        )
        .bind(job_id)
        .bind(worker_id)
        .bind(nanos(now)?)
        .execute(&self.writer)
        .await
        .map_err(db("handing over the job of a lost worker"))?;
        Ok(result.rows_affected() > 0)
    }

    async fn release_worker(&self, worker_id: &str) -> Result<u64> {
        let result = sqlx::query("UPDATE jobs SET owner = NULL, lease_until = NULL WHERE owner = ?")
            .bind(worker_id)
            .execute(&self.writer)
            .await
            .map_err(db("releasing a worker's jobs"))?;
        Ok(result.rows_affected())
    }

    async fn kill_requests(&self, worker_id: &str) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT task_run_id FROM jobs WHERE owner = ? AND kill ORDER BY id")
            .bind(worker_id)
            .fetch_all(&self.reader)
            .await
            .map_err(db("reading kill requests"))
    }

    async fn expired(&self, now: Timestamp) -> Result<Vec<Job>> {
        let rows = sqlx::query(
            "SELECT id, execution_id, task_run_id, attempt, payload, owner, lease_until, claims FROM jobs
             WHERE owner IS NOT NULL AND lease_until <= ? ORDER BY id",
        )
        .bind(nanos(now)?)
        .fetch_all(&self.reader)
        .await
        .map_err(db("reading expired leases"))?;
        rows.iter().map(job).collect()
    }
}
