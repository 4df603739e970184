//! Work a task type does itself, in the worker, with no runner: a wait (Sleep), a request to a
//! server (HTTP, Slack and the other notifications). The task's module makes the future; the
//! worker runs it under the task's timeout and kill switch and reports what it returns.

use crate::Finished;
use serde_json::Value;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

/// What the worker hands a call when it starts it.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// A folder for files the call makes (a download): kept with the attempt, and readable by
    /// later tasks under the `file://` address the call puts in its outputs.
    pub files_dir: PathBuf,
    /// The execution the call asked to summarise ([`Call::summary_of`]), as
    /// [`ExecutionSummary`] JSON; `None` when it asked for none or the execution is unknown.
    pub summary: Option<Value>,
    /// The local file of each stored file the call asked to read ([`Call::reads`]).
    pub files: std::collections::BTreeMap<String, PathBuf>,
    /// The KV store, for the `core.kv` tasks.
    pub kv: crate::kv::KvHandle,
    /// Stored flows, for the git tasks that sync and push them.
    pub flows: crate::flows::FlowsHandle,
    /// Executions, for Resume and log.Fetch.
    pub executions: crate::executions::ExecutionsHandle,
    /// Internal storage, for the `core.storage` tasks that delete files.
    pub storage: crate::storage::StorageHandle,
    /// Namespace files, for the `core.namespace` tasks.
    pub namespace_files: crate::namespace_files::NamespaceFilesHandle,
    /// The shared folder of the WorkingDirectory the task runs in, if it runs in one: a call
    /// reads and writes its files there (UploadFiles, DownloadFiles), as script tasks do.
    pub working_dir: Option<PathBuf>,
}

/// The future a call runs.
pub type CallFuture = Pin<Box<dyn Future<Output = Finished> + Send>>;

/// A task's own work, started by the worker.
pub struct Call {
    /// Starts the work.
    pub start: Box<dyn FnOnce(CallContext) -> CallFuture + Send>,
    /// The task's `timeout`: the call fails when it runs longer.
    pub timeout: Option<Duration>,
    /// An execution id whose summary the call needs (the `*Execution` notifications).
    pub summary_of: Option<String>,
    /// Stored files (`kestra://` addresses) the call reads, such as a mail's attachments: the
    /// worker checks each is the execution's to read and hands over its local file.
    pub reads: Vec<String>,
}

impl Call {
    /// A call that needs nothing from the worker but a folder.
    pub fn new<F, Fut>(timeout: Option<Duration>, start: F) -> Self
    where
        F: FnOnce(CallContext) -> Fut + Send + 'static,
        Fut: Future<Output = Finished> + Send + 'static,
    {
        Call {
            start: Box::new(move |cx| Box::pin(start(cx))),
            timeout,
            summary_of: None,
            reads: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("timeout", &self.timeout)
            .field("summary_of", &self.summary_of)
            .field("reads", &self.reads)
            .finish_non_exhaustive()
    }
}

/// What the `*Execution` notifications say about an execution; the worker fills it from the
/// store, the notification renders it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionSummary {
    /// Execution id.
    pub id: String,
    /// Its namespace.
    pub namespace: String,
    /// Its flow.
    pub flow_id: String,
    /// Its state now (RUNNING while the notifying task runs inside it).
    pub state: String,
    /// When it started, RFC 3339.
    pub start_date: String,
    /// How long it has run, in milliseconds.
    pub duration_ms: u64,
    /// The first task run that failed, if any: its task id.
    pub failed_task: Option<String>,
    /// Why it failed, when known.
    pub failed_reason: Option<String>,
    /// The last task run's task id.
    pub last_task: Option<String>,
    /// Its labels.
    pub labels: std::collections::BTreeMap<String, String>,
    /// Its link in the UI, when the server's address is configured.
    pub link: Option<String>,
}
