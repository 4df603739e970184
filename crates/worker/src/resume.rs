//! Re-attaching to an attempt that outlived its worker: find its container and follow it to the
//! end instead of starting a second one, storing only the log lines not stored before.

use jiff::Timestamp;
use sluice_runners::{CancellationToken, Job, LogSender, Outcome, RunnerError, TaskRunner};
use sluice_store::{Job as QueuedJob, Level, LogLine, LogQuery, Store, StoreError};

/// Lines read per store call when counting what an attempt already stored.
const PAGE: u32 = 10_000;

/// How many log lines of `job`'s attempt are already stored: the runner replays the output from
/// the start, and the stored lines are always a prefix of it (batches are stored whole, in order).
pub async fn stored_lines(store: &dyn Store, job: &QueuedJob, task_id: &str) -> Result<u64, StoreError> {
    let mut query = LogQuery::new(job.execution_id.clone(), PAGE);
    query.task_id = Some(task_id.to_owned());
    query.attempt = Some(job.attempt);
    let mut count = 0;
    loop {
        let page = store.logs(&query).await?;
        let Some(last) = page.last() else { break };
        query.after_seq = Some(last.seq);
        count += page
            .iter()
            .filter(|l| l.task_run_id.as_deref() == Some(job.task_run_id.as_str()))
            .count() as u64;
        if page.len() < PAGE as usize {
            break;
        }
    }
    Ok(count)
}

/// Runs the job, or, when `resuming`, re-attaches to it and starts it only if nothing of it is
/// found. The log sender is dropped when this ends, which ends the log pump.
#[allow(clippy::too_many_arguments)]
pub async fn drive(
    store: &dyn Store,
    queued: &QueuedJob,
    task_id: &str,
    runner: &dyn TaskRunner,
    job: &Job,
    resuming: bool,
    skip: u64,
    logs: LogSender,
    cancel: CancellationToken,
) -> Result<Outcome, RunnerError> {
    if !resuming {
        return runner.run(job, logs, cancel).await;
    }
    match runner.reattach(job, logs.clone(), cancel.clone()).await {
        Err(RunnerError::NotFound { .. }) => {
            note(
                store,
                queued,
                task_id,
                format!(
                    "attempt {} was handed over from a stopped worker and its {} job `{}` was never started; starting it now",
                    queued.attempt,
                    runner.kind(),
                    job.name
                ),
            )
            .await;
            runner.run(job, logs, cancel).await
        }
        other => {
            if other.is_ok() {
                note(
                    store,
                    queued,
                    task_id,
                    format!(
                        "attempt {} was handed over from a stopped worker, re-attached to its {} job `{}` and followed to its end; the {skip} lines stored before the hand-over were not stored again",
                        queued.attempt,
                        runner.kind(),
                        job.name
                    ),
                )
                .await;
            }
            other
        }
    }
}

/// A line about the hand-over. It carries no attempt number, so it never counts among the
/// attempt's own output lines that a later re-attach skips.
async fn note(store: &dyn Store, job: &QueuedJob, task_id: &str, message: String) {
    let line = LogLine {
        execution_id: job.execution_id.clone(),
        task_run_id: Some(job.task_run_id.clone()),
        task_id: Some(task_id.to_owned()),
        attempt: None,
        at: Timestamp::now(),
        level: Level::Info,
        message,
    };
    if let Err(e) = store.append_logs(&[line]).await {
        tracing::warn!(error = %e, "could not store a note about a re-attached attempt");
    }
}
