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
/// A lease is held by one worker at a time. A worker may renew its lease, even after it ran out,
/// until the job is finished or released. A lease that ran out is never taken over by a claim:
/// whoever watches leases (the executor) decides, with [`QueueStore::expire_with_event`] or
/// [`QueueStore::release_expired`], each of which only acts on a lease still run out, so a worker
/// that renews in time keeps its job and a lost job is settled once.
#[async_trait]
pub trait QueueStore: Send + Sync {
    /// Claims the oldest job nobody holds (never claimed, or released) for `worker_id` until
    /// `now + lease`, counting the claim. Two callers never get the same job.
    async fn claim(&self, worker_id: &str, lease: Duration, now: Timestamp) -> Result<Option<Job>>;

    /// Extends the lease of `worker_id` on a job to `until`; `false` if the worker no longer holds
    /// it (it was finished, released, or settled as lost).
    async fn renew(&self, job_id: i64, worker_id: &str, until: Timestamp) -> Result<bool>;

    /// Removes a job that is done (whatever its outcome); returns whether it existed.
    async fn finish(&self, job_id: i64) -> Result<bool>;

    /// Removes a job that `worker_id` holds and posts the event that reports its end, in one
    /// transaction, so the event is never lost nor posted twice. Returns the event's id, or
    /// `None` (posting nothing) when the worker no longer holds the job: it was finished, or
    /// settled as lost, or released to be re-attached by another worker.
    async fn finish_with_event(
        &self,
        job_id: i64,
        worker_id: &str,
        execution_id: &str,
        event: &Event,
        at: Timestamp,
    ) -> Result<Option<i64>>;

    /// Like [`QueueStore::finish_with_event`] for a worker presumed lost: only while `worker_id`
    /// still holds the job *and* its lease ran out by `now`, so a worker that renewed in time
    /// keeps its job, and of two callers only one posts.
    async fn expire_with_event(
        &self,
        job_id: i64,
        worker_id: &str,
        now: Timestamp,
        execution_id: &str,
        event: &Event,
        at: Timestamp,
    ) -> Result<Option<i64>>;

    /// Gives back a job whose lease, held by `worker_id`, ran out by `now`, so another worker can
    /// claim it (and re-attach to its container); `false` when that is no longer the case.
    async fn release_expired(&self, job_id: i64, worker_id: &str, now: Timestamp) -> Result<bool>;

    /// Gives back every job a worker holds so others can claim them at once (drain on shutdown);
    /// returns how many were released.
    async fn release_worker(&self, worker_id: &str) -> Result<u64>;

    /// The task runs of jobs `worker_id` holds that a step asked to kill (its
    /// [`crate::StepCommit::cancel_jobs_for`] named them while they were claimed): the worker,
    /// in whatever process, stops those attempts.
    async fn kill_requests(&self, worker_id: &str) -> Result<Vec<String>>;

    /// Claimed jobs whose lease ran out by `now`, oldest first: the worker is presumed lost,
    /// so the executor can hand the job over for re-attaching, or fail the attempt.
    async fn expired(&self, now: Timestamp) -> Result<Vec<Job>>;
}
