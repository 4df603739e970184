//! The one trait every runner implements.

use std::future::Future;
use std::pin::Pin;

use tokio_util::sync::CancellationToken;

use crate::{Job, LogSender, Outcome, RunnerError};

/// A boxed, sendable future, so [`TaskRunner`] stays usable as `dyn TaskRunner`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Runs jobs somewhere (a local process, a container, a pod) and reports logs and an outcome.
///
/// The worker holds runners as `Arc<dyn TaskRunner>` and picks one per task. Contract for every
/// implementation:
/// - `run` and `reattach` deliver every log line of the job to `logs` in order per stream, waiting
///   when the channel is full (backpressure); they return once the job has ended and its output
///   files are collected.
/// - Cancelling `cancel` stops the job: SIGTERM (or the backend's equivalent), then a hard kill
///   after [`Job::kill_grace`]; the outcome then says [`EndReason::Killed`](crate::EndReason).
/// - A job that ran and failed is `Ok` with a nonzero exit code; `Err` means the runner could not
///   run it or could not tell how it ended.
/// - `cleanup` removes what the job left (working directory, container, pod); output file paths
///   stay readable until then.
pub trait TaskRunner: Send + Sync {
    /// Short name of the runner ("process", "docker", "kubernetes"), for logs and errors.
    fn kind(&self) -> &'static str;

    /// Where the job's working directory is, as the job sees it (inside the container for a
    /// container runner). Known before the run so the caller can render `{{ workingDir }}`.
    fn working_dir(&self, job: &Job) -> String;

    /// Starts the job and follows it to its end.
    fn run<'a>(
        &'a self,
        job: &'a Job,
        logs: LogSender,
        cancel: CancellationToken,
    ) -> BoxFuture<'a, Result<Outcome, RunnerError>>;

    /// Finds a job started earlier (by its name) and follows it to its end, as `run` would.
    /// Runners whose jobs cannot outlive the worker return [`RunnerError::ReattachUnsupported`].
    fn reattach<'a>(
        &'a self,
        job: &'a Job,
        logs: LogSender,
        cancel: CancellationToken,
    ) -> BoxFuture<'a, Result<Outcome, RunnerError>>;

    /// Removes what the job left behind. Removing something already gone is not an error.
    fn cleanup<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), RunnerError>>;
}
