//! An execution and its task runs and attempts, serialized in the shape of Kestra's execution API.

use crate::state::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A state with the history of how it got there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateInfo {
    /// The state now.
    pub current: State,
    /// Every state it has been in, oldest first.
    pub histories: Vec<History>,
}

/// One entry of a state history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// The state entered.
    pub state: State,
    /// When it was entered.
    pub date: Timestamp,
}

impl StateInfo {
    /// A new history starting in `state` at `at`.
    pub fn new(state: State, at: Timestamp) -> Self {
        StateInfo {
            current: state,
            histories: vec![History { state, date: at }],
        }
    }

    /// Moves to `state` at `at`; staying in the same state records nothing.
    pub fn set(&mut self, state: State, at: Timestamp) {
        if self.current != state {
            self.current = state;
            self.histories.push(History { state, date: at });
        }
    }

    /// When it first entered `state`.
    pub fn first(&self, state: State) -> Option<Timestamp> {
        self.histories.iter().find(|h| h.state == state).map(|h| h.date)
    }

    /// When it started: its first history entry.
    pub fn start(&self) -> Option<Timestamp> {
        self.histories.first().map(|h| h.date)
    }

    /// When it ended, if it has.
    pub fn end(&self) -> Option<Timestamp> {
        if self.current.is_terminal() {
            self.histories.last().map(|h| h.date)
        } else {
            None
        }
    }
}

/// One run of a flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    /// Unique id, chosen by whoever creates the execution.
    pub id: String,
    /// Namespace of the flow.
    pub namespace: String,
    /// Id of the flow.
    pub flow_id: String,
    /// Revision of the flow this execution runs.
    pub flow_revision: u32,
    /// Where the execution is.
    pub state: StateInfo,
    /// Typed input values.
    pub inputs: Map<String, Value>,
    /// Labels of the execution.
    pub labels: Vec<Label>,
    /// Every task run, in creation order.
    pub task_run_list: Vec<TaskRun>,
    /// Flow outputs, once rendered.
    pub outputs: Map<String, Value>,
    /// Which flow-level attempt this is (1 for the first; higher for `CREATE_NEW_EXECUTION` retries).
    pub attempt_number: u32,
    /// The execution this one replays or retries, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_id: Option<String>,
    /// Why the execution failed when no task run says so (a flow output that would not render).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The execution's `vars` once a SetVariables or UnsetVariables task changed them (the
    /// flow's `variables` until then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Map<String, Value>>,
    /// The state the execution ends in once its `afterExecution` tasks are done; set while
    /// they run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending: Option<State>,
    /// What started it, when a trigger did: `{"id", "type", "date", "next", "previous"}`,
    /// read by templates as `{{ trigger.date }}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Value>,
}

/// A key/value label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// Label name.
    pub key: String,
    /// Label value.
    pub value: String,
}

/// The run of one task within an execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRun {
    /// Unique id, derived from the execution and the task so it is the same after a crash.
    pub id: String,
    /// Execution it belongs to.
    pub execution_id: String,
    /// Id of the task in the flow.
    pub task_id: String,
    /// The flowable task run it runs under (Sequential, Parallel), or a DbtCLI run for dbt nodes.
    #[serde(default)]
    pub parent_task_run_id: Option<String>,
    /// Iteration value, for tasks that run once per value.
    #[serde(default)]
    pub value: Option<String>,
    /// Which round of a LoopUntil this run belongs to (1 for the first), as Kestra's `iteration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iteration: Option<u32>,
    /// Where the task run is.
    pub state: StateInfo,
    /// Every attempt, the first one first.
    pub attempts: Vec<Attempt>,
    /// Outputs: `exitCode`, `vars`, `outputFiles` for script tasks.
    pub outputs: Map<String, Value>,
}

/// One try of a task run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// Where the attempt is; its histories give start and end.
    pub state: StateInfo,
    /// Exit code of the process, when there was one.
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// Why it ended as it did, in words ("exited with code 1", "timed out after PT1S", "worker lost").
    #[serde(default)]
    pub reason: Option<String>,
    /// What the runner calls it (pid, container id, pod name), recorded before its logs are followed.
    #[serde(default)]
    pub handle: Option<String>,
}

impl Attempt {
    /// A new attempt in `state` since `at`, with nothing else known yet.
    pub fn new(state: State, at: Timestamp) -> Self {
        Attempt {
            state: StateInfo::new(state, at),
            exit_code: None,
            reason: None,
            handle: None,
        }
    }
}

impl Execution {
    /// A new execution in CREATED state.
    pub fn new(id: String, flow: &sluice_flow::Flow, inputs: Map<String, Value>, at: Timestamp) -> Self {
        Execution {
            id,
            namespace: flow.namespace.clone(),
            flow_id: flow.id.clone(),
            flow_revision: 1,
            state: StateInfo::new(State::Created, at),
            inputs,
            labels: flow
                .labels
                .iter()
                .map(|(k, v)| Label {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect(),
            task_run_list: Vec::new(),
            outputs: Map::new(),
            attempt_number: 1,
            original_id: None,
            error: None,
            variables: None,
            ending: None,
            trigger: None,
        }
    }

    /// A task run by id.
    pub fn task_run(&self, id: &str) -> Option<&TaskRun> {
        self.task_run_list.iter().find(|t| t.id == id)
    }

    /// A task run by id, to change it.
    pub fn task_run_mut(&mut self, id: &str) -> Option<&mut TaskRun> {
        self.task_run_list.iter_mut().find(|t| t.id == id)
    }

    /// The task run of `task_id` under `parent` for the iteration `value` (a task runs once per
    /// parent and value).
    pub fn find_run(&self, task_id: &str, parent: Option<&str>, value: Option<&str>) -> Option<&TaskRun> {
        self.task_run_list
            .iter()
            .find(|t| t.task_id == task_id && t.parent_task_run_id.as_deref() == parent && t.value.as_deref() == value)
    }
}

/// A stable task-run id: the same execution, task, parent and iteration value always give the
/// same id, so a worker that restarts finds the container or pod it started before. (Without a
/// value the id is what it was before ForEach existed, so stored executions keep their ids.)
pub fn task_run_id(execution_id: &str, task_id: &str, parent: Option<&str>, value: Option<&str>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let tail = value.map(|v| ["\0value\0", v]);
    let parts = [execution_id, "\0", task_id, "\0", parent.unwrap_or("")];
    for part in parts.iter().chain(tail.iter().flatten()) {
        for byte in part.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    base62(hash)
}

/// Base62 text of a number: short, URL- and name-safe ids.
pub fn base62(mut n: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::with_capacity(11);
    for _ in 0..11 {
        out.push(ALPHABET[(n % 62) as usize]);
        n /= 62;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
