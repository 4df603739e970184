//! How an attempt ended, in the engine's terms: the runner's outcome, what the log pump saw
//! (stderr lines, dbt warnings) and, for DbtCLI, what the dbt nodes say.

use crate::dbt::DbtReport;
use crate::pump::Pumped;
use sluice_engine::State;
use sluice_runners::{EndReason, Outcome};
use sluice_tasks::dbt::NodeState;

/// The attempt's state and the reason given for it.
/// `warning_on_stderr` is the task's `warningOnStdErr`; `dbt` is set for DbtCLI tasks.
pub fn judge(outcome: &Outcome, pumped: &Pumped, warning_on_stderr: bool, dbt: Option<&DbtReport>) -> (State, String) {
    let summary = dbt.and_then(|d| d.summary.as_ref());
    match outcome.end {
        EndReason::Killed => (State::Killed, outcome.message.clone()),
        EndReason::TimedOut => (State::Failed, outcome.message.clone()),
        EndReason::Exited if !outcome.succeeded() => match summary.filter(|s| s.failed > 0) {
            // dbt exits 1 when a node failed: name the nodes, not just the exit code.
            Some(summary) => (State::Failed, format!("{}; {}", summary.message(), outcome.message)),
            None => (State::Failed, outcome.message.clone()),
        },
        EndReason::Exited if summary.is_some_and(|s| s.state == NodeState::Warning) => {
            (State::Warning, summary.map(|s| s.message()).unwrap_or_default())
        }
        EndReason::Exited if dbt.is_some() && pumped.warnings > 0 => (
            State::Warning,
            format!("{}; dbt logged {} warning(s)", outcome.message, pumped.warnings),
        ),
        EndReason::Exited if warning_on_stderr && pumped.stderr_lines > 0 => (
            State::Warning,
            format!("{}; {} lines on stderr", outcome.message, pumped.stderr_lines),
        ),
        EndReason::Exited => match summary {
            Some(summary) => (State::Success, summary.message()),
            None => (State::Success, outcome.message.clone()),
        },
    }
}
