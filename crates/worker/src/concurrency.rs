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
    /// The event not stepped: a start that waits in QUEUED or was refused, or a restart refused.
    pub held: Option<Event>,
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
        held: None,
        refusal: None,
    };
    let Some(limit) = &flow.concurrency else {
        return Ok(admitted);
    };
    let has = |event: Event| batch.events.iter().any(|e| e.event == event);
    let now = Timestamp::now().max(exec.state.histories.last().map_or(Timestamp::UNIX_EPOCH, |h| h.date));
    // A restart in place runs the execution again, so it takes a slot too; it never waits for
    // one (a restart that runs much later would surprise whoever asked for it).
    if exec.state.current.is_terminal() && has(Event::Restart) {
        return match store
            .acquire_slot(&exec.namespace, &exec.flow_id, &exec.id, limit.limit, false)
            .await?
        {
            Slot::Running => Ok(admitted),
            Slot::Queued | Slot::Refused => Ok(Admission {
                held: Some(Event::Restart),
                refusal: Some(line(
                    exec,
                    now,
                    Level::Warn,
                    format!(
                        "not restarted: flow {}.{} already runs {} (its `concurrency.limit`). Restart it again when one of them has ended, or raise the limit",
                        exec.namespace,
                        exec.flow_id,
                        runs(limit.limit)
                    ),
                )),
            }),
        };
    }
    if !matches!(exec.state.current, State::Created | State::Queued) || !has(Event::Start) {
        return Ok(admitted);
    }
    let queue = limit.behavior == ConcurrencyBehavior::Queue;
    match store
        .acquire_slot(&exec.namespace, &exec.flow_id, &exec.id, limit.limit, queue)
        .await?
    {
        Slot::Running => Ok(admitted),
        Slot::Queued => {
            exec.state.set(State::Queued, now);
            Ok(Admission {
                held: Some(Event::Start),
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
                "flow {}.{} already runs {} (its `concurrency.limit`), so this one did not start; `behavior` is {what}. Use `behavior: QUEUE` to have it wait its turn, or raise the limit",
                exec.namespace,
                exec.flow_id,
                runs(limit.limit)
            );
            Ok(Admission {
                held: Some(Event::Start),
                refusal: Some(line(exec, now, level, message)),
            })
        }
    }
}

/// "1 execution", "3 executions".
fn runs(limit: u32) -> String {
    format!("{limit} execution{}", if limit == 1 { "" } else { "s" })
}

/// A line of the execution's own log (no task).
fn line(exec: &Execution, at: Timestamp, level: Level, message: String) -> LogLine {
    LogLine {
        execution_id: exec.id.clone(),
        task_run_id: None,
        task_id: None,
        attempt: None,
        at,
        level,
        message,
    }
}
