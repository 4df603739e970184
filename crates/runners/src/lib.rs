//! Task runners: run a job (command, files, environment, resources) somewhere and report its logs
//! and its outcome.
//!
//! Runners know nothing of flows or executions. A caller (the `tasks` part) turns a task into a
//! [`Job`], hands it to a [`TaskRunner`] together with a bounded [`LogSender`] and a
//! [`CancellationToken`], and gets an [`Outcome`] back. Every runner implements the same trait, so a
//! new backend (Docker, Kubernetes) is a new module beside the process runner, touching nothing else.
//!
//! The pieces shared by every runner live here too: the log line splitter and pump (`logs`, `pump`), the
//! file name checks ([`safe_relative_path`]) and the collection of output files.

mod archive;
mod docker;
mod error;
mod job;
mod kubernetes;
mod logs;
mod outcome;
mod outputs;
mod paths;
mod process;
mod pump;
mod runner;
mod settings;

pub use docker::{Credentials, DockerOptions, DockerRunner, PullPolicy, WORKING_DIR as DOCKER_WORKING_DIR};
pub use error::RunnerError;
pub use job::{DEFAULT_KILL_GRACE, Job, Resources};
pub use kubernetes::{
    Connection as KubernetesConnection, DEFAULT_HELPER_IMAGE, JOB_LABEL, KubernetesOptions, KubernetesRunner,
    MANAGED_LABEL, WORKING_DIR as KUBERNETES_WORKING_DIR, pod_name,
};
pub use logs::{LogLine, LogSender, MAX_BATCH_BYTES, MAX_BATCH_LINES, MAX_LINE_BYTES, Stream};
pub use outcome::{EndReason, Managed, Outcome, OutputFile};
pub use outputs::{all_files, output_pattern_matches};
pub use paths::safe_relative_path;
pub use process::ProcessRunner;
pub use runner::{BoxFuture, TaskRunner};
/// Re-exported so callers cancel jobs with the same token type the trait takes.
pub use tokio_util::sync::CancellationToken;
