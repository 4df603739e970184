//! The Docker runner (Kestra's `io.kestra.plugin.scripts.runner.docker.Docker`): runs the job's
//! command in a container through the Docker Engine API.
//!
//! Decisions a caller must know:
//! - The container is named `sluice-<job name, made lowercase-safe>` and labelled
//!   `sluice.job=<job name>` and `sluice.managed=true` (plus the job's labels), so a restarted
//!   worker finds it again ([`TaskRunner::reattach`]).
//! - The working directory inside the container is [`WORKING_DIR`] (`/sluice/work`). Input files
//!   are uploaded into it as a tar archive before the container starts, and output files are
//!   downloaded as a tar archive after it ends (on success and failure) into a local directory
//!   under the runner's base directory. No host path is shared, so a remote engine works.
//! - Logs are followed with the engine's timestamps; each line carries the time the engine
//!   recorded it.
//! - Timeout and cancellation stop the container (SIGTERM, then SIGKILL after the kill grace).
//! - The container and its anonymous volumes are removed by `cleanup`, never by `run`, unless
//!   `delete: false`: the worker calls `cleanup` only after the attempt's end is stored, so a
//!   crash between the container's end and that report leaves a container to re-attach to instead
//!   of nothing (which would start the attempt twice).
//! - Dropping the `run` future leaves the container running: that is what re-attaching is for.
//! - `reattach` follows the logs from the container's start: lines already stored before the
//!   restart are delivered again, and the caller de-duplicates them. A container that was created
//!   but never started is removed and reported as not found, so the caller starts it afresh.

mod access;
mod container;
mod logs;
mod options;
mod read;

use std::path::PathBuf;
use std::time::Duration;

use bollard::Docker;
use bollard::errors::Error as EngineError;
use bollard::models::ContainerStateStatusEnum;
use bollard::query_parameters::{StopContainerOptionsBuilder, UploadToContainerOptionsBuilder};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

pub use self::access::Credentials;
pub use self::options::{DockerOptions, PullPolicy};
use crate::archive;
use crate::paths::{dir_name, fnv1a, remove_local};
use crate::{BoxFuture, EndReason, Job, LogSender, Outcome, RunnerError, TaskRunner};

/// The job's working directory inside the container; `{{ workingDir }}` renders to it.
pub const WORKING_DIR: &str = "/sluice/work";

/// Time allowed for one engine request to answer (pulls and stops may be slow).
const ENGINE_TIMEOUT: Duration = Duration::from_secs(600);

/// Runs jobs in Docker containers on one engine, with one set of [`DockerOptions`].
///
/// The engine client is cheap to clone: build one per engine with [`DockerRunner::connect`] and
/// derive runners for other options with [`DockerRunner::with_options`].
#[derive(Debug, Clone)]
pub struct DockerRunner {
    docker: Docker,
    options: DockerOptions,
    base_dir: PathBuf,
}

impl DockerRunner {
    /// Connects (lazily) to the engine named by `options.host`, else `DOCKER_HOST`, else the local
    /// socket. Output files are downloaded under `base_dir`.
    pub fn connect(options: DockerOptions, base_dir: PathBuf) -> Result<Self, RunnerError> {
        let docker = match &options.host {
            Some(host) => Docker::connect_with_host(host),
            None => Docker::connect_with_defaults(),
        }
        .map_err(|e| RunnerError::DockerConfig {
            message: format!(
                "cannot use Docker host `{}`: {e}",
                options.host.as_deref().unwrap_or("(default)")
            ),
        })?
        .with_timeout(ENGINE_TIMEOUT);
        let base_dir = std::path::absolute(&base_dir).unwrap_or(base_dir);
        Ok(Self {
            docker,
            options,
            base_dir,
        })
    }

    /// The same engine connection with other options (the host of `options` is not looked at).
    pub fn with_options(&self, options: DockerOptions) -> Self {
        Self {
            docker: self.docker.clone(),
            options,
            base_dir: self.base_dir.clone(),
        }
    }

    /// The options this runner applies.
    pub fn options(&self) -> &DockerOptions {
        &self.options
    }

    /// The engine client, e.g. for tests that inspect containers.
    pub fn engine(&self) -> &Docker {
        &self.docker
    }

    /// The container name of `job`: `sluice-` and the job name made safe and lowercase (with a
    /// hash of the original when anything had to change).
    pub fn container_name(job: &Job) -> String {
        let safe = dir_name(&job.name);
        let lower = safe.to_ascii_lowercase();
        if lower == safe {
            format!("sluice-{safe}")
        } else {
            format!("sluice-{lower}-{:08x}", fnv1a(job.name.as_bytes()) as u32)
        }
    }

    /// Where output files of `job` are downloaded.
    fn local_dir(&self, job: &Job) -> PathBuf {
        self.base_dir.join(dir_name(&job.name))
    }

    fn engine_error<'a>(job: &'a Job, action: &'static str) -> impl Fn(EngineError) -> RunnerError + 'a {
        move |e| RunnerError::Docker {
            job: job.name.clone(),
            action,
            message: e.to_string(),
        }
    }

    async fn run_job(&self, job: &Job, logs: LogSender, cancel: CancellationToken) -> Result<Outcome, RunnerError> {
        crate::process::check(job)?;
        let image = job
            .image
            .as_deref()
            .filter(|i| !i.is_empty())
            .ok_or_else(|| RunnerError::DockerConfig {
                message: format!("job `{}` names no image; set the task's `containerImage`", job.name),
            })?;
        if cancel.is_cancelled() {
            return Ok(Outcome::cancelled_before_start(
                "cancelled before the container started",
            ));
        }
        self.ensure_image(image).await?;
        let name = Self::container_name(job);
        // A container of this name is a leftover of an attempt that is over: this one starts fresh.
        self.remove(&name)
            .await
            .map_err(Self::engine_error(job, "remove a leftover container"))?;
        self.create(job, image, &name).await?;
        self.start_and_follow(job, &name, logs, cancel).await
    }

    async fn start_and_follow(
        &self,
        job: &Job,
        name: &str,
        logs: LogSender,
        cancel: CancellationToken,
    ) -> Result<Outcome, RunnerError> {
        let tar = archive::inputs_tar(job)?;
        let upload = UploadToContainerOptionsBuilder::new().path("/").build();
        self.docker
            .upload_to_container(name, Some(upload), bollard::body_full(tar.into()))
            .await
            .map_err(Self::engine_error(job, "upload the input files"))?;
        if cancel.is_cancelled() {
            return Ok(Outcome::cancelled_before_start(
                "cancelled before the container started",
            ));
        }
        self.docker
            .start_container(name, None)
            .await
            .map_err(Self::engine_error(job, "start the container"))?;
        self.follow(job, name, logs, cancel, job.timeout).await
    }

    /// Follows a started container to its end: logs, timeout, cancellation, then its outcome and
    /// output files. `timeout` counts from the container's start.
    async fn follow(
        &self,
        job: &Job,
        name: &str,
        logs: LogSender,
        cancel: CancellationToken,
        timeout: Option<Duration>,
    ) -> Result<Outcome, RunnerError> {
        let started = self.inspect(job, name).await?;
        let started_at = started
            .state
            .as_ref()
            .and_then(|s| s.started_at.as_deref())
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .unwrap_or_else(jiff::Timestamp::now);
        let deadline = timeout.map(|t| {
            let elapsed = jiff::Timestamp::now().duration_since(started_at);
            let elapsed = Duration::try_from(elapsed).unwrap_or_default();
            tokio::time::Instant::now() + t.saturating_sub(elapsed)
        });
        let (stop, report) = tokio::join!(
            self.supervise(job, name, deadline, &cancel),
            logs::follow(&self.docker, name, logs),
        );
        let (end, escalated) = stop?;
        let report = report.map_err(Self::engine_error(job, "follow the logs"))?;
        let mut info = self.inspect(job, name).await?;
        // The engine can record an OOM kill a moment after the container's end: a SIGKILL exit
        // it did not ask for gets a second look before it is reported as a plain exit code.
        for _ in 0..12 {
            let state = info.state.as_ref();
            let unexplained = end == EndReason::Exited
                && state.and_then(|s| s.exit_code) == Some(137)
                && state.and_then(|s| s.oom_killed) != Some(true);
            if !unexplained {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            info = self.inspect(job, name).await?;
        }
        let state = info.state.unwrap_or_default();
        if state.running == Some(true) {
            return Err(RunnerError::Docker {
                job: job.name.clone(),
                action: "wait for the container",
                message: format!("the container {name} is still running after the wait ended"),
            });
        }
        let code = state.exit_code.map(|c| c as i32);
        let memory_limit = info.host_config.and_then(|h| h.memory).filter(|m| *m > 0);
        let output_files = self.download_outputs(job, name).await?;
        let oom = state.oom_killed == Some(true);
        let signal = match (end, code) {
            (EndReason::TimedOut | EndReason::Killed, Some(c)) if c > 128 && c < 128 + 65 => Some(c - 128),
            _ if oom => Some(9),
            _ => None,
        };
        let status = match code {
            Some(c) => format!("the container exited with code {c}"),
            None => "the container ended with an unknown status".to_owned(),
        };
        let stopping = |cause: String| {
            let kill = if escalated {
                format!(", then SIGKILL after the {:?} grace period", self.kill_grace(job))
            } else {
                String::new()
            };
            format!("{cause}; stopped the container {name} with SIGTERM{kill}; {status}")
        };
        let mut message = match end {
            EndReason::Exited if oom => {
                let limit = memory_limit.map_or("none".to_owned(), |m| crate::settings::human_bytes(m as u64));
                format!("OOM-killed, memory limit {limit}; {status}")
            }
            // The engine sometimes never records the OOM kill (seen under heavy load).
            EndReason::Exited if code == Some(137) && memory_limit.is_some() => {
                let limit = memory_limit.map_or("none".to_owned(), |m| crate::settings::human_bytes(m as u64));
                format!(
                    "killed by SIGKILL (exit code 137) under a memory limit of {limit}: probably OOM-killed, though the engine did not report it"
                )
            }
            EndReason::Exited => status.replace("the container exited", "exited"),
            EndReason::TimedOut => stopping(format!("timed out after {:?}", job.timeout.unwrap_or_default())),
            EndReason::Killed => stopping("killed on request".to_owned()),
        };
        report.note_discarded(&mut message);
        Ok(Outcome {
            exit_code: code,
            signal,
            end,
            output_files,
            message,
            log_lines: report.lines,
            log_lines_discarded: report.discarded,
            details: serde_json::Map::new(),
        })
    }

    fn kill_grace(&self, job: &Job) -> Duration {
        self.options.kill_grace.unwrap_or(job.kill_grace)
    }

    /// Waits for the container to end, stopping it on timeout or cancellation. Returns why it
    /// ended and whether the stop had to go as far as SIGKILL.
    async fn supervise(
        &self,
        job: &Job,
        name: &str,
        deadline: Option<tokio::time::Instant>,
        cancel: &CancellationToken,
    ) -> Result<(EndReason, bool), RunnerError> {
        let mut wait = Box::pin(
            self.docker
                .wait_container(name, None::<bollard::query_parameters::WaitContainerOptions>),
        );
        let timed_out = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        let end = tokio::select! {
            // A nonzero exit code comes back as an error of the wait: either way it has ended.
            _ = wait.next() => return Ok((EndReason::Exited, false)),
            () = timed_out => EndReason::TimedOut,
            () = cancel.cancelled() => EndReason::Killed,
        };
        let grace = self.kill_grace(job);
        let began = tokio::time::Instant::now();
        let seconds = i32::try_from(grace.as_secs() + u64::from(grace.subsec_nanos() > 0)).unwrap_or(i32::MAX);
        let stop = StopContainerOptionsBuilder::new().t(seconds).build();
        match self.docker.stop_container(name, Some(stop)).await {
            Ok(()) | Err(EngineError::DockerResponseServerError { status_code: 304, .. }) => {}
            Err(e) => return Err(Self::engine_error(job, "stop the container")(e)),
        }
        let _ = wait.next().await;
        Ok((end, began.elapsed() >= grace))
    }
}

impl TaskRunner for DockerRunner {
    fn kind(&self) -> &'static str {
        "docker"
    }

    fn working_dir(&self, _job: &Job) -> String {
        WORKING_DIR.to_owned()
    }

    fn run<'a>(
        &'a self,
        job: &'a Job,
        logs: LogSender,
        cancel: CancellationToken,
    ) -> BoxFuture<'a, Result<Outcome, RunnerError>> {
        Box::pin(self.run_job(job, logs, cancel))
    }

    fn reattach<'a>(
        &'a self,
        job: &'a Job,
        logs: LogSender,
        cancel: CancellationToken,
    ) -> BoxFuture<'a, Result<Outcome, RunnerError>> {
        Box::pin(async move {
            let name = Self::container_name(job);
            // Not found is the caller's cue to start the attempt again.
            let found = self.inspect(job, &name).await?;
            let status = found.state.and_then(|s| s.status);
            if status == Some(ContainerStateStatusEnum::CREATED) {
                // Created, never started: the job never ran, so it may start afresh.
                self.remove(&name)
                    .await
                    .map_err(Self::engine_error(job, "remove a container that never started"))?;
                return Err(RunnerError::NotFound {
                    kind: "docker",
                    job: job.name.clone(),
                });
            }
            self.follow(job, &name, logs, cancel, job.timeout).await
        })
    }

    fn cleanup<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), RunnerError>> {
        Box::pin(async move {
            if self.options.delete {
                self.remove(&Self::container_name(job))
                    .await
                    .map_err(Self::engine_error(job, "remove the container"))?;
            }
            remove_local(&self.local_dir(job)).await
        })
    }
}
