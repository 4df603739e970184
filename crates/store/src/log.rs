//! Log lines of executions: numbered per execution so none is lost or reordered, appended in
//! batches (the hot path) and read back in pages.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Severity of a log line, with Kestra's names, least severe first (so `>=` means "at least").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// Very detailed tracing.
    Trace,
    /// Debugging detail.
    Debug,
    /// Normal output.
    Info,
    /// Something worth a look.
    Warn,
    /// Something failed.
    Error,
}

impl Level {
    /// Every level, least severe first.
    pub const ALL: [Level; 5] = [Level::Trace, Level::Debug, Level::Info, Level::Warn, Level::Error];

    /// Kestra's name, e.g. `INFO`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }

    /// The level a name stands for (any case; `WARNING` is read as `WARN`).
    pub fn parse(name: &str) -> Option<Level> {
        if name.eq_ignore_ascii_case("WARNING") {
            return Some(Level::Warn);
        }
        Level::ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(name))
    }

    /// A small number that orders the levels: 1 for TRACE up to 5 for ERROR.
    pub fn rank(self) -> u8 {
        match self {
            Level::Trace => 1,
            Level::Debug => 2,
            Level::Info => 3,
            Level::Warn => 4,
            Level::Error => 5,
        }
    }

    /// The level of a [`Level::rank`].
    pub fn from_rank(rank: i64) -> Option<Level> {
        Level::ALL.into_iter().find(|l| i64::from(l.rank()) == rank)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A log line to append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// The execution it belongs to.
    pub execution_id: String,
    /// The task run that wrote it; `None` for the execution's own lines.
    pub task_run_id: Option<String>,
    /// The task id of that task run.
    pub task_id: Option<String>,
    /// The attempt (1-based) that wrote it.
    pub attempt: Option<u32>,
    /// When it was written.
    pub at: Timestamp,
    /// Its severity.
    pub level: Level,
    /// The text, without a trailing newline.
    pub message: String,
}

/// A stored log line with its sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredLog {
    /// Position within the execution: 1, 2, 3… with no gaps, in the order lines were appended.
    pub seq: u64,
    /// The execution it belongs to.
    pub execution_id: String,
    /// The task run that wrote it.
    pub task_run_id: Option<String>,
    /// The task id of that task run.
    pub task_id: Option<String>,
    /// The attempt that wrote it.
    pub attempt: Option<u32>,
    /// When it was written.
    pub at: Timestamp,
    /// Its severity.
    pub level: Level,
    /// The text.
    pub message: String,
}

/// Which log lines of one execution to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// The execution.
    pub execution_id: String,
    /// Only lines at least this severe.
    pub min_level: Option<Level>,
    /// Only lines of this task.
    pub task_id: Option<String>,
    /// Only lines of this attempt.
    pub attempt: Option<u32>,
    /// Only lines after this sequence number (the last `seq` of the previous page).
    pub after_seq: Option<u64>,
    /// At most this many lines.
    pub limit: u32,
}

impl LogQuery {
    /// The first `limit` lines of an execution, unfiltered.
    pub fn new(execution_id: impl Into<String>, limit: u32) -> Self {
        LogQuery {
            execution_id: execution_id.into(),
            min_level: None,
            task_id: None,
            attempt: None,
            after_seq: None,
            limit,
        }
    }
}

/// Appends and reads log lines.
#[async_trait]
pub trait LogStore: Send + Sync {
    /// Appends lines in one transaction, numbering them per execution in the order given
    /// (continuing after the lines already stored, also when other processes append).
    /// Lines may belong to several executions. Either all lines are stored or none.
    async fn append_logs(&self, lines: &[LogLine]) -> Result<()>;

    /// Lines matching the query, in sequence order.
    async fn logs(&self, query: &LogQuery) -> Result<Vec<StoredLog>>;

    /// How many lines an execution has.
    async fn log_count(&self, execution_id: &str) -> Result<u64>;
}
