//! Attempts whose worker is gone: a process attempt cannot be re-attached, so it ends FAILED
//! with the reason "worker lost", said in the execution's logs too, and its retry policy applies.

use jiff::Timestamp;
use sluice_engine::{AttemptResult, Event, State};
use sluice_store::{Job, Level, LogLine, Store, StoreError};

/// Ends `job`'s attempt as lost, with `why` in its reason and in a WARN log line.
pub async fn worker_lost(store: &dyn Store, job: &Job, why: &str) -> Result<(), StoreError> {
    let now = Timestamp::now();
    let reason = format!("worker lost: {why}");
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
            "attempt {} {reason}; the retry policy decides what happens next",
            job.attempt
        ),
    };
    store.append_logs(&[line]).await?;
    let result = AttemptResult::new(State::Failed, reason);
    let event = Event::AttemptEnded {
        task_run_id: job.task_run_id.clone(),
        attempt: job.attempt,
        result,
    };
    store.finish_with_event(job.id, &job.execution_id, &event, now).await?;
    Ok(())
}
