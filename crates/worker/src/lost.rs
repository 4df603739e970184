//! Attempts whose worker is gone. A process attempt dies with its worker, so it ends FAILED with
//! the reason "worker lost", said in the execution's logs too, and its retry policy applies. A
//! container (or pod) attempt outlives its worker: its job is handed back to the queue, and the
//! worker that claims it next re-attaches to the container instead of starting a second one.

use crate::{Flows, RuntimeError};
use jiff::{SignedDuration, Timestamp};
use sluice_engine::{AttemptResult, Event, State, task_by_id};
use sluice_store::{Job, Level, LogLine, Store, StoreError};
use sluice_tasks::{RunnerChoice, runner_for};

/// How the attempt of a lost worker is ended.
#[derive(Debug, Clone, Copy)]
pub enum Lost {
    /// The worker's lease ran out by this time (seen by an executor): the attempt ends only if the
    /// lease is still run out when it is settled, so a worker that renewed in time keeps it.
    Expired(Timestamp),
    /// The worker is known to be gone (its own id restarting): however long the lease still runs.
    Gone,
}

/// Ends `job`'s attempt as lost, with `why` in its reason and in a WARN log line. Returns whether
/// it did: `false` when the job is no longer the lost worker's (it finished, renewed its lease in
/// time, or another caller settled it first), so of several callers only one posts the event.
pub async fn worker_lost(store: &dyn Store, job: &Job, why: &str, lost: Lost) -> Result<bool, StoreError> {
    let now = Timestamp::now();
    let reason = format!("worker lost: {why}");
    let Some(owner) = job.owner.as_deref() else {
        return Ok(false);
    };
    let result = AttemptResult::new(State::Failed, reason.clone());
    let event = Event::AttemptEnded {
        task_run_id: job.task_run_id.clone(),
        attempt: job.attempt,
        result,
    };
    let posted = match lost {
        Lost::Expired(by) => {
            store
                .expire_with_event(job.id, owner, by, &job.execution_id, &event, now)
                .await?
        }
        Lost::Gone => {
            store
                .finish_with_event(job.id, owner, &job.execution_id, &event, now)
                .await?
        }
    };
    if posted.is_none() {
        return Ok(false);
    }
    let task_id = store
        .get_execution(&job.execution_id)
        .await?
        .and_then(|e| e.task_run(&job.task_run_id).map(|r| r.task_id.clone()));
    let line = LogLine {
        execution_id: job.execution_id.clone(),
        task_run_id: Some(job.task_run_id.clone()),
        task_id,
        attempt: Some(job.attempt),
        at: now,
        level: Level::Warn,
        message: format!(
            "attempt {} {reason} (worker `{owner}`); the retry policy decides what happens next",
            job.attempt
        ),
    };
    store.append_logs(&[line]).await?;
    Ok(true)
}

/// Whether `job` runs somewhere that outlives its worker (a container or a pod), so another
/// worker can re-attach to it. Anything that cannot be looked up counts as not re-attachable.
pub async fn survives_worker(store: &dyn Store, flows: &Flows, job: &Job) -> Result<bool, RuntimeError> {
    let Some(exec) = store.get_execution(&job.execution_id).await? else {
        return Ok(false);
    };
    let Some(run) = exec.task_run(&job.task_run_id) else {
        return Ok(false);
    };
    let flow = match flows
        .get(store, &exec.namespace, &exec.flow_id, exec.flow_revision)
        .await
    {
        Ok(flow) => flow,
        Err(RuntimeError::FlowMissing(_)) => return Ok(false),
        Err(e) => return Err(e),
    };
    Ok(task_by_id(&flow, &run.task_id)
        .and_then(|task| runner_for(task).ok())
        .is_some_and(|choice| matches!(choice, RunnerChoice::Docker(_) | RunnerChoice::Kubernetes(_))))
}

/// What [`recover`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Recovered {
    /// Attempts that ended as "worker lost".
    pub lost: usize,
    /// Attempts handed back to the queue, to be re-attached.
    pub resumed: usize,
}

/// Settles the jobs a previous run of worker `worker_id` held when it stopped without draining
/// (kill -9, power loss): process attempts end as lost, container attempts go back to the queue.
/// Only jobs held under this very id are touched: call it before a worker of that id starts, with
/// an id no other live process uses. Jobs of other lost workers are settled by the executors
/// when their leases run out.
pub async fn recover(store: &dyn Store, flows: &Flows, worker_id: &str) -> Result<Recovered, RuntimeError> {
    let far = Timestamp::now()
        .checked_add(SignedDuration::from_hours(24 * 365))
        .unwrap_or(Timestamp::MAX);
    let mut recovered = Recovered::default();
    let held = store.expired(far).await?;
    for job in held.iter().filter(|j| j.owner.as_deref() == Some(worker_id)) {
        if survives_worker(store, flows, job).await? {
            recovered.resumed += 1;
        } else if worker_lost(store, job, "Sluice stopped while the attempt was running", Lost::Gone).await? {
            recovered.lost += 1;
        }
    }
    if recovered.resumed > 0 {
        store.release_worker(worker_id).await?;
    }
    Ok(recovered)
}
