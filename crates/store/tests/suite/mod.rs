//! The behaviour every storage backend must show, written against `&dyn Store` so the SQLite tests
//! and (later) the PostgreSQL tests run the very same checks. Each function expects a fresh, empty
//! store.

pub mod concurrency;
pub mod executions;
pub mod executors;
pub mod flows;
pub mod kv;
pub mod logs;
pub mod mailbox;
pub mod namespace_files;
pub mod queue;
pub mod secrets;
pub mod triggers;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, json};
use sluice_engine::{Attempt, Execution, Label, State, StateInfo, TaskRun};
use sluice_store::{NewJob, NewTimer};

/// A fixed point in time the tests count from (2023-11-14T22:13:20Z), with nanoseconds so
/// precision is checked too.
pub fn t0() -> Timestamp {
    Timestamp::from_nanosecond(1_700_000_000_123_456_789).expect("valid time")
}

/// `t0` plus `seconds`.
pub fn at(seconds: i64) -> Timestamp {
    t0() + SignedDuration::from_secs(seconds)
}

/// An execution of `namespace.flow_id` created at `start`, in `state` (ending at `start + 60s` if
/// the state is terminal), with one task run that has one attempt.
pub fn execution(id: &str, namespace: &str, flow_id: &str, start: Timestamp, state: State) -> Execution {
    let mut info = StateInfo::new(State::Created, start);
    if state != State::Created {
        info.set(State::Running, start + SignedDuration::from_secs(1));
        info.set(state, start + SignedDuration::from_secs(60));
    }
    let mut attempt_state = StateInfo::new(State::Running, start + SignedDuration::from_secs(2));
    attempt_state.set(State::Success, start + SignedDuration::from_secs(50));
    Execution {
        id: id.to_owned(),
        namespace: namespace.to_owned(),
        flow_id: flow_id.to_owned(),
        flow_revision: 3,
        state: info.clone(),
        inputs: json!({"day": "2024-01-01", "n": 3, "nested": {"list": [1, 2.5, null]}})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        labels: vec![Label {
            key: "team".into(),
            value: "data — ünïcode".into(),
        }],
        task_run_list: vec![TaskRun {
            id: format!("{id}-tr1"),
            execution_id: id.to_owned(),
            task_id: "build".into(),
            parent_task_run_id: None,
            value: Some("v".into()),
            iteration: None,
            state: info,
            attempts: vec![Attempt {
                state: attempt_state,
                exit_code: Some(0),
                reason: None,
                handle: Some("pod/sluice-abc-1".into()),
            }],
            outputs: json!({"exitCode": 0}).as_object().cloned().unwrap_or_default(),
        }],
        outputs: Map::new(),
        attempt_number: 1,
        original_id: None,
        error: None,
        variables: json!({"set": {"by": "SetVariables"}}).as_object().cloned(),
        ending: None,
        trigger: None,
    }
}

/// A job for a task run.
pub fn job(execution_id: &str, task_run_id: &str, attempt: u32) -> NewJob {
    NewJob {
        execution_id: execution_id.to_owned(),
        task_run_id: task_run_id.to_owned(),
        attempt,
        payload: json!({"command": ["echo", task_run_id], "attempt": attempt}),
    }
}

/// A timer for a task run.
pub fn timer(execution_id: &str, task_run_id: &str, attempt: u32, fire_at: Timestamp) -> NewTimer {
    NewTimer {
        execution_id: execution_id.to_owned(),
        task_run_id: task_run_id.to_owned(),
        attempt,
        fire_at,
    }
}
