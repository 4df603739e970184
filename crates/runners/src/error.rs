//! Why a runner could not run a job. A job that runs and fails is not an error: it is an
//! [`Outcome`](crate::Outcome) with a nonzero exit code.

use std::io;
use std::path::PathBuf;

/// Everything that keeps a runner from running a job or reporting its outcome.
///
/// Each message says what is wrong and how to fix it, because it ends up in front of a user.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunnerError {
    /// An input file name would land outside the working directory (or names no file at all).
    #[error(
        "unsafe file name `{}`: {reason}; use a relative path inside the working directory, such as `data/input.csv`",
        name.escape_debug()
    )]
    UnsafeFileName {
        /// The name as given in the job.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An output files pattern is unsafe or not a valid glob.
    #[error(
        "invalid output files pattern `{}`: {reason}; use a glob relative to the working directory, such as `out/*.csv` or `**/*.json`",
        pattern.escape_debug()
    )]
    InvalidOutputPattern {
        /// The pattern as given in the job.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The job has no command to run.
    #[error(
        "job `{job}` has an empty command; give at least the program to run, e.g. [\"/bin/sh\", \"-c\", \"echo hi\"]"
    )]
    EmptyCommand {
        /// The job name.
        job: String,
    },
    /// The program could not be started.
    #[error(
        "could not start `{program}` for job `{job}`: {source}; check that the program exists, is executable and is on PATH, or give its absolute path"
    )]
    Spawn {
        /// The job name.
        job: String,
        /// The program (first element of the command).
        program: String,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// A file system or pipe operation failed.
    #[error("could not {action} `{}`: {source}; check the permissions and free space of the runner's base directory", path.display())]
    Io {
        /// What the runner was doing, e.g. "write input file".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// This runner cannot re-attach to a job started before a restart.
    #[error(
        "the {kind} runner cannot re-attach to job `{job}`: its processes ended with the worker that started them; fail the attempt as \"worker lost\" and let the retry policy start a new one"
    )]
    ReattachUnsupported {
        /// The runner kind, e.g. "process".
        kind: &'static str,
        /// The job name.
        job: String,
    },
    /// There is no job of that name to re-attach to (container runners).
    #[error(
        "the {kind} runner found no job named `{job}` to re-attach to: it was never started or was already removed; start the attempt again"
    )]
    NotFound {
        /// The runner kind, e.g. "docker".
        kind: &'static str,
        /// The job name.
        job: String,
    },
    /// The Docker task runner's settings are invalid.
    #[error("invalid Docker task runner settings: {message}")]
    DockerConfig {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The image is not on the engine and could not be pulled (or the pull policy forbids it).
    #[error(
        "image `{image}` is not available on the Docker engine (pull policy {policy}): {answer}; import or pull the image on the engine, or fix `containerImage`"
    )]
    ImageUnavailable {
        /// The image reference.
        image: String,
        /// The pull policy in force.
        policy: &'static str,
        /// What the engine or registry answered.
        answer: String,
    },
    /// The Kubernetes task runner's (or PodCreate's) settings are invalid.
    #[error("invalid Kubernetes settings: {message}")]
    KubernetesConfig {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A call to the Kubernetes API server failed.
    #[error(
        "Kubernetes API error while trying to {action} for job `{job}`: {message}; check the connection settings (`config`, KUBECONFIG) and the service account's permissions"
    )]
    Kubernetes {
        /// The job name.
        job: String,
        /// What the runner was doing, e.g. "create the pod".
        action: &'static str,
        /// The API server's answer.
        message: String,
    },
    /// A call to the Docker engine failed.
    #[error(
        "Docker engine error while trying to {action} for job `{job}`: {message}; check that the engine at the runner's `host` is reachable"
    )]
    Docker {
        /// The job name.
        job: String,
        /// What the runner was doing, e.g. "create the container".
        action: &'static str,
        /// The engine's answer.
        message: String,
    },
}

impl RunnerError {
    /// Shorthand for [`RunnerError::Io`].
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
