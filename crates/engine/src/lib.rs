//! The execution engine: a pure state machine, `(execution, event) -> (execution, commands)`.
//!
//! No clocks and no I/O: time comes in with each event, and side effects go out as
//! [`Command`]s for the executor to store and carry out. That makes every behaviour here —
//! retries and their delays, timeouts, allowFailure, errors and finally branches, kills —
//! deterministic and testable without processes or databases.

mod context;
mod event;
mod execution;
mod replay;
mod retry;
mod state;
mod step;
mod triggered;

pub use context::{render_context, set_process_envs};
pub use event::{AttemptResult, ChildRun, Command, Event};
pub use execution::{Attempt, Execution, History, Label, StateInfo, TaskRun, base62, task_run_id};
pub use replay::replay_from;
pub use retry::{allows as retry_allows, delay as retry_delay};
pub use state::State;
pub use step::{Engine, task_by_id};
pub use triggered::{Start, triggered_execution};
