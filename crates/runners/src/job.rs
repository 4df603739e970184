//! What a runner is asked to run.

use std::collections::BTreeMap;
use std::time::Duration;

/// Default time between SIGTERM and SIGKILL when a job is stopped.
pub const DEFAULT_KILL_GRACE: Duration = Duration::from_secs(5);

/// One attempt of one task, reduced to what any runner needs: a command, its files and its limits.
///
/// The caller builds it from a task run; runners never see flows or executions. Build it with
/// [`Job::new`] and set the other fields, so new fields added for future runners do not break callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Unique and deterministic name, derived by the caller from execution, task run and attempt.
    /// Runners use it for the working directory, container or pod name, which is what lets a
    /// container runner find and re-attach to a job started before a crash.
    pub name: String,
    /// The argv to run, e.g. `["/bin/sh", "-c", "echo hi"]`. Must not be empty.
    pub command: Vec<String>,
    /// Variables added to the environment (the process runner inherits the worker's environment).
    /// `WORKING_DIR` is always set by the runner and wins over a value given here.
    pub env: BTreeMap<String, String>,
    /// Files written into the working directory before the run: relative path -> content.
    pub input_files: BTreeMap<String, Vec<u8>>,
    /// Files copied into the working directory from files on the worker: relative path -> local
    /// file. For large files (stored files, a WorkingDirectory's folder): the process runner
    /// copies them without reading them into memory. A name in both maps takes `input_files`.
    pub input_paths: BTreeMap<String, std::path::PathBuf>,
    /// Glob patterns relative to the working directory, collected after the run, on success and
    /// on failure. `*` does not cross `/`; use `**` for any depth.
    pub output_files: Vec<String>,
    /// Stop the job (SIGTERM, then SIGKILL after [`Job::kill_grace`]) when it runs longer.
    pub timeout: Option<Duration>,
    /// Time between SIGTERM and SIGKILL when the job is stopped by timeout or cancellation.
    pub kill_grace: Duration,
    /// Container image; ignored by the process runner.
    pub image: Option<String>,
    /// Labels for containers and pods (execution, task run, attempt); ignored by the process runner.
    pub labels: BTreeMap<String, String>,
    /// CPU and memory the job asks for; ignored by the process runner.
    pub resources: Resources,
    /// A whole pod spec of the user's (PodCreate), run instead of one container made from
    /// `command` and `image`; only the Kubernetes runner reads it.
    pub pod_spec: Option<serde_json::Map<String, serde_json::Value>>,
    /// Labels and annotations of the user's pod (PodCreate's `metadata`).
    pub pod_metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Job {
    /// A job with the given name and argv, no files, no timeout and the default kill grace (5 s).
    pub fn new(name: impl Into<String>, command: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            name: name.into(),
            command: command.into_iter().map(Into::into).collect(),
            env: BTreeMap::new(),
            input_files: BTreeMap::new(),
            input_paths: BTreeMap::new(),
            output_files: Vec::new(),
            timeout: None,
            kill_grace: DEFAULT_KILL_GRACE,
            image: None,
            labels: BTreeMap::new(),
            resources: Resources::default(),
            pod_spec: None,
            pod_metadata: None,
        }
    }
}

impl Job {
    /// Whether any file is written into the working directory before the run.
    pub fn has_inputs(&self) -> bool {
        !self.input_files.is_empty() || !self.input_paths.is_empty()
    }

    /// The name of every input file, each once.
    pub fn input_names(&self) -> impl Iterator<Item = &String> {
        self.input_files
            .keys()
            .chain(self.input_paths.keys().filter(|k| !self.input_files.contains_key(*k)))
    }
}

/// Compute resources a container runner requests for the job; `None` means the backend's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resources {
    /// CPU in thousandths of a core (Kubernetes `500m` = 500).
    pub cpu_millis: Option<u64>,
    /// Memory limit in bytes.
    pub memory_bytes: Option<u64>,
}
