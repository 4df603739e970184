//! How a job ended.

use std::path::PathBuf;

/// A container or pod a runner made, found by its labels: what a sweep looks at to remove the
/// ones whose attempt is over but that were not removed (a crash between the attempt's report and
/// its clean-up, a kill while no worker followed it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Managed {
    /// The job's name (execution, task run and attempt).
    pub job_name: String,
    /// Made with `delete: false`: the user keeps it.
    pub keep: bool,
}

/// Why the job's process (or container) stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndReason {
    /// It ended on its own (successfully or not).
    Exited,
    /// The runner stopped it because [`Job::timeout`](crate::Job::timeout) elapsed.
    TimedOut,
    /// The caller cancelled it.
    Killed,
}

/// A file the job produced that matched one of its output patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the working directory, with `/` separators.
    pub name: String,
    /// Where the file is now; readable until [`TaskRunner::cleanup`](crate::TaskRunner::cleanup).
    pub path: PathBuf,
    /// Size in bytes when collected.
    pub size: u64,
}

/// What a runner reports once a job has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Exit code, when the process exited (rather than being killed by a signal).
    pub exit_code: Option<i32>,
    /// The signal that killed the process, if one did.
    pub signal: Option<i32>,
    /// Why it stopped.
    pub end: EndReason,
    /// Files matching the job's output patterns, sorted by name; collected on failure too.
    pub output_files: Vec<OutputFile>,
    /// Human explanation, e.g. "exited with code 3" or "timed out after 1s; ...".
    pub message: String,
    /// Log lines read from the job (stdout and stderr).
    pub log_lines: u64,
    /// Of those, lines that could not be delivered because the log receiver was dropped.
    pub log_lines_discarded: u64,
    /// What the backend knows about the job beyond its exit (PodCreate: the pod's final
    /// `metadata` and `status`), as task outputs.
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl Outcome {
    /// The outcome of a job cancelled before anything of it started; `message` says where.
    pub(crate) fn cancelled_before_start(message: &str) -> Self {
        Self {
            exit_code: None,
            signal: None,
            end: EndReason::Killed,
            output_files: Vec::new(),
            message: message.to_owned(),
            log_lines: 0,
            log_lines_discarded: 0,
            details: serde_json::Map::new(),
        }
    }

    /// True when the job ended on its own with exit code 0.
    pub fn succeeded(&self) -> bool {
        self.end == EndReason::Exited && self.exit_code == Some(0)
    }
}
