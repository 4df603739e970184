//! The work queue: task-run attempts waiting for a worker, held under renewable leases so a lost
//! worker's job goes to another one instead of hanging forever.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sluice_engine::Event;
use std::time::Duration;

/// A job to enqueue with a step commit.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The execution it belongs to.
    pub execution_id: String,
    /// The task run to run.
    pub task_run_id: String,
    /// The attempt to run (1-based).
    pub attempt: u32,
    /// Whatever the worker needs to run it, as JSON.
    pub payload: Value,
}

/// A queued job, claimed or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Queue id; increases with every enqueue and is never reused.
    pub id: i64,
    /// The execution it belongs to.
    pub execution_id: String,
    /// The task run to run.
    pub task_run_id: String,
    /// The attempt to run (1-based).
    pub attempt: u32,
    /// Whatever the worker needs to run it.
    pub payload: Value,
    /// The worker holding (or that last held) the lease; `None` if never claimed or released.
    pub owner: Option<String>,
    /// When the lease runs out; `None` if not held.
    pub lease_until: Option<Timestamp>,
    /// How many times the job has been claimed: above 1 means a worker was lost or drained.
    pub claims: u32,
}

/// Claims, renews and finishes jobs; jobs are added by [`crate::ExecutionStore::commit`].
///
/// A lease is held by one worker at a time. A worker may renew its lease until another worker
/// claims the job (which becomes possible once the lease has run out) or the job is finished.
#[async_trait]
pub trait QueueStore: Send + Sync {
    /// Claims the oldest available job (never claimed, released, or with a lease that ran out
    /// by `now`) for `worker_id` until `now + lease`, counting the claim. Two callers never get
    /// the same job while its lease runs.
    async fn claim(&self, worker_id: &str, lease: Duration, now: Timestamp) -> Result<Option<Job>>;

    /// Extends the lease of `worker_id` on a job to `until`; `false` if the worker no longer holds
    /// it (another worker claimed it, or it was finished or released).
    async fn renew(&self, job_id: i64, worker_id: &str, until: Timestamp) -> Result<bool>;

    /// Removes a job that is done (whatever its outcome); returns whether it existed.
    async fn finish(&self, job_id: i64) -> Result<bool>;

    /// Removes a job and posts the event that reports its end, in one transaction, so the event
    /// is never lost nor posted twice. Returns the event's id.
    async fn finish_with_event(&self, job_id: i64, execution_id: &str, event: &Event, at: Timestamp) -> Result<i64>;

    /// Gives back every job a worker holds so others can claim them at once (drain on shutdown);
    /// returns how many were released.
    async fn release_worker(&self, worker_id: &str) -> Result<u64>;

    /// Claimed jobs whose lease ran out by `now`, oldest first: the worker is presumed lost,
    /// so the executor can re-attach or fail the attempt.
    async fn expired(&self, now: Timestamp) -> Result<Vec<Job>>;
}
