//! Execution and task-run states, with Kestra's names so API users see what they know.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The state of an execution, a task run or an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum State {
    /// Stored, not started.
    Created,
    /// Waiting for a concurrency slot.
    Queued,
    /// Running.
    Running,
    /// Paused by a user or a task.
    Paused,
    /// Restarted after a failure; running again.
    Restarted,
    /// A kill was asked for; processes are being stopped.
    Killing,
    /// Ended well.
    Success,
    /// Ended well, with something worth a look.
    Warning,
    /// Ended badly.
    Failed,
    /// Stopped by a kill.
    Killed,
    /// Never ran: dropped by a concurrency limit.
    Cancelled,
    /// Failed, and waiting for its retry delay.
    Retrying,
    /// Failed and replaced by a new execution.
    Retried,
    /// Not run: disabled, or its `runIf` was false.
    Skipped,
}

impl State {
    /// Whether nothing more will happen to it.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            State::Success
                | State::Warning
                | State::Failed
                | State::Killed
                | State::Cancelled
                | State::Retried
                | State::Skipped
        )
    }

    /// Whether it ended badly (the branch it belongs to fails).
    pub fn is_failure(self) -> bool {
        matches!(self, State::Failed | State::Killed)
    }

    /// Kestra's name, e.g. `SUCCESS`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Created => "CREATED",
            State::Queued => "QUEUED",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Restarted => "RESTARTED",
            State::Killing => "KILLING",
            State::Success => "SUCCESS",
            State::Warning => "WARNING",
            State::Failed => "FAILED",
            State::Killed => "KILLED",
            State::Cancelled => "CANCELLED",
            State::Retrying => "RETRYING",
            State::Retried => "RETRIED",
            State::Skipped => "SKIPPED",
        }
    }

    /// Every state, for parsing and for filters in the API.
    pub const ALL: [State; 14] = [
        State::Created,
        State::Queued,
        State::Running,
        State::Paused,
        State::Restarted,
        State::Killing,
        State::Success,
        State::Warning,
        State::Failed,
        State::Killed,
        State::Cancelled,
        State::Retrying,
        State::Retried,
        State::Skipped,
    ];

    /// The state a name (as Kestra writes it) stands for.
    pub fn parse(name: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
