//! A flow's `concurrency: {limit, behavior}` at the start of each execution: the executor takes
//! a slot from the store before it lets an execution run, and the commit of the step that ends it
//! hands the slot on ([`sluice_store::StepCommit::release_slot`]).
//!
//! Kestra: <https://kestra.io/docs/workflow-components/concurrency>

use crate::RuntimeError;
use jiff::Timestamp;
use sluice_engine::{Event, Execution, State};
use sluice_flow::Flow;
use sluice_flow::model::ConcurrencyBehavior;
use sluice_store::{ClaimedEvents, Level, LogLine, Slot, Store};

/// What the limit lets an execution do with the events of this step.
pub struct Admission {
    /// Its start event is not stepped: it waits in QUEUED, or was refused.
    pub hold_start: bool,
    /// Why it was refused, for its log.
    pub refusal: Option<LogLine>,
}

/// Takes a slot for an execution about to start (CREATED, or QUEUED and handed a slot). Queued:
/// the execution moves to QUEUED. Refused: to CANCELLED or FAILED, with a line saying why.
pub async fn admit(
    store: &dyn Store,
    flow: &Flow,
    exec: &mut Execution,
    batch: &ClaimedEvents,
) -> Result<Admission, RuntimeError> {
    let admitted = Admission {
        hold_start: false,
        refusal: None,
    };
    let Some(limit) = &flow.concurrency else {
        return Ok(admitted);
    };
    if !matches!(exec.state.current, State::Created | State::Queued)
        || !batch.events.iter().any(|e| e.event == Event::Start)
    {
        return Ok(admitted);
    }
    let now = Timestamp::now().max(exec.state.histories.last().map_or(Timestamp::UNIX_EPOCH, |h| h.date));
    let queue = limit.behavior == ConcurrencyBehavior::Queue;
    match store
        .acquire_slot(&exec.namespace, &exec.flow_id, &exec.id, limit.limit, queue)
        .await?
    {
        Slot::Running => Ok(admitted),
        Slot::Queued => {
            exec.state.set(State::Queued, now);
            Ok(Admission {
                hold_start: true,
                refusal: None,
            })
        }
        Slot::Refused => {
            let (state, level, what) = match limit.behavior {
                ConcurrencyBehavior::Fail => (State::Failed, Level::Error, "FAIL: it fails"),
                _ => (State::Cancelled, Level::Warn, "CANCEL: it is cancelled"),
            };
            exec.state.set(state, now);
            let message = format!(
                "flow {}.{} already runs {} execution{} (its `concurrency.limit`), so this one did not start; `behavior` is {what}. Use `behavior: QUEUE` to have it wait its turn, or raise the limit",
                exec.namespace,
                exec.flow_id,
                limit.limit,
                if limit.limit == 1 { "" } else { "s" }
            );
            Ok(Admission {
                hold_start: true,
                refusal: Some(LogLine {
                    execution_id: exec.id.clone(),
                    task_run_id: None,
                    task_id: None,
                    attempt: None,
                    at: now,
                    level,
                    message,
                }),
            })
        }
    }
}
