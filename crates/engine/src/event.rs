//! What happens to an execution (events in) and what must be done about it (commands out).

use crate::state::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Something that happened, fed to [`crate::step`] with the time it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Event {
    /// Start the execution: create and dispatch its first tasks.
    Start,
    /// A worker started an attempt; `handle` names the process, container or pod.
    AttemptStarted {
        /// The task run.
        task_run_id: String,
        /// 1-based attempt number.
        attempt: u32,
        /// Runner handle (pid, container id, pod name).
        handle: Option<String>,
    },
    /// An attempt ended.
    AttemptEnded {
        /// The task run.
        task_run_id: String,
        /// 1-based attempt number.
        attempt: u32,
        /// How it ended.
        result: AttemptResult,
    },
    /// A retry delay has passed: start the next attempt.
    TimerFired {
        /// The task run waiting to retry.
        task_run_id: String,
        /// The attempt the timer was set for.
        attempt: u32,
    },
    /// A user asked to kill the execution.
    Kill,
    /// A user resumed a paused execution: every PAUSED Pause task run succeeds, with these
    /// values (its `onResume` inputs) as its output `onResume`.
    Resume {
        /// Values given on resume.
        #[serde(default)]
        inputs: serde_json::Map<String, serde_json::Value>,
    },
    /// A user asked to restart a FAILED or KILLED execution: its failed task runs get a new
    /// attempt, and the `errors` and `finally` branches run again at the end.
    Restart,
    /// A user set the state of a task run of an ended execution (Kestra's "change state"):
    /// the execution goes on from there, and `errors`, `finally` and `afterExecution` run again.
    ChangeTaskRunState {
        /// The task run.
        task_run_id: String,
        /// Its new state: SUCCESS, WARNING or FAILED.
        state: State,
    },
}

/// How an attempt ended, as the worker saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptResult {
    /// SUCCESS, WARNING, FAILED or KILLED.
    pub state: State,
    /// Exit code of the process, when there was one.
    pub exit_code: Option<i32>,
    /// Why it ended so, in words.
    pub reason: Option<String>,
    /// Outputs to merge into the task run's outputs.
    pub outputs: Map<String, Value>,
    /// False when trying again cannot help (a task type or runner this build lacks): the retry
    /// policy is then not applied.
    #[serde(default = "retryable_by_default")]
    pub retryable: bool,
    /// Task runs the attempt reports beneath its own (DbtCLI: one per dbt node), already ended.
    /// They replace the children an earlier attempt reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ChildRun>,
}

/// A task run that an attempt discovered as it ran (a dbt model, seed or test) rather than one
/// of the flow's tasks: shown under the attempt's task run, with its own times, state and logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildRun {
    /// Its id in the report, e.g. dbt's `unique_id` (`model.shop.orders`).
    pub task_id: String,
    /// Its final state (SUCCESS, WARNING, FAILED or SKIPPED).
    pub state: State,
    /// When it was created (dbt: compile start).
    pub created: Timestamp,
    /// When it started running, if it did.
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// When it ended, if known.
    #[serde(default)]
    pub ended: Option<Timestamp>,
    /// Why it ended so (dbt's message).
    #[serde(default)]
    pub reason: Option<String>,
    /// Its outputs (dbt: resource type, relation, rows affected).
    #[serde(default)]
    pub outputs: Map<String, Value>,
}

fn retryable_by_default() -> bool {
    true
}

impl AttemptResult {
    /// A result with only a state and a reason.
    pub fn new(state: State, reason: impl Into<String>) -> Self {
        AttemptResult {
            state,
            exit_code: None,
            reason: Some(reason.into()),
            outputs: Map::new(),
            retryable: true,
            children: Vec::new(),
        }
    }

    /// The same result, marked as one that no retry can change.
    pub fn final_failure(mut self) -> Self {
        self.retryable = false;
        self
    }
}

/// Work the engine asks for. The executor stores the new execution first, then carries these out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Command {
    /// Queue this attempt of this task run for a worker.
    Run {
        /// The task run.
        task_run_id: String,
        /// 1-based attempt number.
        attempt: u32,
    },
    /// Stop this task run's attempt wherever it runs (or drop it from the queue).
    Kill {
        /// The task run.
        task_run_id: String,
    },
    /// Store a timer that feeds [`Event::TimerFired`] at `at`.
    Timer {
        /// The task run to retry.
        task_run_id: String,
        /// The attempt to start.
        attempt: u32,
        /// When.
        at: Timestamp,
    },
    /// Create a new execution of the same flow and inputs at `at` (flow retry, `CREATE_NEW_EXECUTION`).
    Retry {
        /// When.
        at: Timestamp,
    },
    /// The execution has ended in this state.
    Ended {
        /// The final state.
        state: State,
    },
}
