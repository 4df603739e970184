//! Executions as the `core.execution.Resume` and `core.log.Fetch` tasks see them: found by id,
//! resumed, and their stored log lines read. The store crate implements it over any store.
//!
//! Kestra: <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.Resume>,
//! <https://kestra.io/plugins/core/log/io.kestra.plugin.core.log.fetch>

use crate::kv::StateError;
use async_trait::async_trait;
use serde_json::{Map, Value};

/// What a task may know of another execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionRef {
    /// Its namespace.
    pub namespace: String,
    /// Its flow.
    pub flow_id: String,
    /// Its state now, as Kestra spells it (`PAUSED`).
    pub state: String,
}

/// One stored log line, in the shape of Kestra's log entries.
pub type LogRecord = Map<String, Value>;

/// Finds, resumes and reads executions.
#[async_trait]
pub trait ExecutionAccess: Send + Sync {
    /// The execution of this id, if it exists.
    async fn find(&self, id: &str) -> Result<Option<ExecutionRef>, StateError>;

    /// Resumes a paused execution: its paused Pause tasks succeed with `inputs` as `onResume`.
    async fn resume(&self, id: &str, inputs: Map<String, Value>) -> Result<(), StateError>;

    /// The stored lines of an execution at `min_level` (Kestra's name) or more severe, of the
    /// tasks named (all tasks when empty), in order.
    async fn logs(&self, id: &str, min_level: &str, task_ids: &[String]) -> Result<Vec<LogRecord>, StateError>;
}

/// The executions handed to a call, shown in debug output by name only.
#[derive(Clone)]
pub struct ExecutionsHandle(pub std::sync::Arc<dyn ExecutionAccess>);

impl std::fmt::Debug for ExecutionsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExecutionsHandle")
    }
}
