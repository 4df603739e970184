//! The local process runner (Kestra's `io.kestra.plugin.core.runner.Process`): runs the job's
//! command as a child process of the worker, in a fresh working directory.
//!
//! Decisions a caller must know:
//! - Each job runs in its own process group; stopping a job (timeout, cancellation, or dropping the
//!   `run` future) signals the whole group, so no grandchild survives. A process that leaves the
//!   group on purpose (`setsid`, `setpgid`) escapes this; containers are the answer to that.
//! - When the main process exits on its own, processes it left running in its group are killed
//!   (SIGKILL) right away: they could hold the output pipes open forever.
//! - If the log receiver is dropped, the job still runs to its end; its lines are discarded and
//!   counted in [`Outcome::log_lines_discarded`]. Cancel the token to stop the job.
//! - Jobs cannot outlive the worker, so [`TaskRunner::reattach`] fails with
//!   [`RunnerError::ReattachUnsupported`]. On Linux this holds even when the worker is killed
//!   (kill -9, out of memory): the job's main process gets SIGKILL when the worker dies
//!   (`PR_SET_PDEATHSIG`), so an attempt declared `worker lost` is not still running somewhere
//!   while its retry starts. Grandchildren in its group are not reached that way.
//! - Orphaned processes are reaped by PID 1. If the worker itself is PID 1 (a container without an
//!   init such as `tini` or `docker run --init`), killed grandchildren stay zombies.

mod group;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::Signal;
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use self::group::{Ended, KillOnDrop, Limits, ProcessGroup, supervise};
use crate::paths::{check_output_pattern, dir_name};
use crate::pump::{PumpReport, pump};
use crate::{BoxFuture, EndReason, Job, LogSender, Outcome, RunnerError, Stream, TaskRunner, outputs};

/// After the process group is gone, stop reading a pipe that stays silent this long (something
/// outside the group holds it open).
const DRAIN_IDLE: Duration = Duration::from_secs(1);

/// Runs jobs as local processes, each in a fresh directory under a base directory.
#[derive(Debug, Clone)]
pub struct ProcessRunner {
    base_dir: PathBuf,
}

impl ProcessRunner {
    /// A runner whose jobs get working directories under `base_dir` (made absolute against the
    /// current directory, so `WORKING_DIR` stays valid when a job changes directory). The directory
    /// is created on first use.
    pub fn new(base_dir: PathBuf) -> Self {
        let base_dir = std::path::absolute(&base_dir).unwrap_or(base_dir);
        Self { base_dir }
    }

    /// The working directory of `job`: `base_dir/<job name made safe>`, always one level below.
    pub fn dir_for(&self, job: &Job) -> PathBuf {
        self.base_dir.join(dir_name(&job.name))
    }

    async fn run_job(&self, job: &Job, logs: LogSender, cancel: CancellationToken) -> Result<Outcome, RunnerError> {
        check(job)?;
        if cancel.is_cancelled() {
            return Ok(Outcome::cancelled_before_start("cancelled before the process started"));
        }
        let dir = self.dir_for(job);
        prepare_dir(&dir, job).await?;

        let program = &job.command[0];
        let mut command = Command::new(program);
        command
            .args(&job.command[1..])
            .current_dir(&dir)
            .envs(&job.env)
            .env("WORKING_DIR", &dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        die_with_worker(&mut command);
        let spawn_error = |source| RunnerError::Spawn {
            job: job.name.clone(),
            program: program.clone(),
            source,
        };
        let mut child = command.spawn().map_err(spawn_error)?;
        let pid = child
            .id()
            .ok_or_else(|| spawn_error(std::io::Error::other("the process vanished at once")))?;
        let group = ProcessGroup::led_by(pid).map_err(spawn_error)?;
        let mut guard = KillOnDrop::new(group);
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(spawn_error(std::io::Error::other("stdout or stderr was not captured")));
        };

        let writers_gone = CancellationToken::new();
        let limits = Limits {
            timeout: job.timeout,
            grace: job.kill_grace,
        };
        let (ended, out, err) = tokio::join!(
            supervise(&mut child, group, limits, &cancel, &writers_gone),
            pump(stdout, Stream::Stdout, logs.clone(), &writers_gone, DRAIN_IDLE),
            pump(stderr, Stream::Stderr, logs, &writers_gone, DRAIN_IDLE),
        );
        let ended = ended.map_err(|e| RunnerError::io("wait for the process of", &dir, e))?;
        if !ended.survivors {
            guard.disarm();
        }
        let out = out.map_err(|e| RunnerError::io("read stdout of the job in", &dir, e))?;
        let err = err.map_err(|e| RunnerError::io("read stderr of the job in", &dir, e))?;

        let output_files = outputs::collect(dir, job.output_files.clone()).await?;
        let (exit_code, signal) = exit_parts(&ended);
        Ok(Outcome {
            exit_code,
            signal,
            end: ended.end,
            output_files,
            message: message(job, group, &ended, out, err),
            log_lines: out.lines + err.lines,
            log_lines_discarded: out.discarded + err.discarded,
            details: serde_json::Map::new(),
        })
    }
}

impl TaskRunner for ProcessRunner {
    fn kind(&self) -> &'static str {
        "process"
    }

    fn working_dir(&self, job: &Job) -> String {
        self.dir_for(job).to_string_lossy().into_owned()
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
        _logs: LogSender,
        _cancel: CancellationToken,
    ) -> BoxFuture<'a, Result<Outcome, RunnerError>> {
        Box::pin(async move {
            Err(RunnerError::ReattachUnsupported {
                kind: self.kind(),
                job: job.name.clone(),
            })
        })
    }

    fn cleanup<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), RunnerError>> {
        Box::pin(async move {
            let dir = self.dir_for(job);
            match tokio::fs::remove_dir_all(&dir).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(RunnerError::io("remove the working directory", dir, e))
                }
                _ => Ok(()),
            }
        })
    }
}

/// Has the kernel kill the job's main process (SIGKILL) when the worker dies, however it dies.
#[cfg(target_os = "linux")]
fn die_with_worker(command: &mut Command) {
    let worker = nix::unistd::getpid();
    let hook = move || -> std::io::Result<()> {
        nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(std::io::Error::from)?;
        // The worker died between fork and the line above: the signal was never sent.
        if nix::unistd::getppid() != worker {
            return Err(std::io::Error::from(nix::errno::Errno::ESRCH));
        }
        Ok(())
    };
    // SAFETY: the hook runs in the child between fork and exec, where only async-signal-safe
    // calls are allowed: it makes two system calls (prctl, getppid) and allocates nothing.
    #[allow(unsafe_code)]
    unsafe {
        command.pre_exec(hook);
    }
}

/// Elsewhere a killed worker's jobs run on to their end.
#[cfg(not(target_os = "linux"))]
fn die_with_worker(_command: &mut Command) {}

/// Everything that can be checked before touching the file system.
pub(crate) fn check(job: &Job) -> Result<(), RunnerError> {
    if job.command.is_empty() {
        return Err(RunnerError::EmptyCommand { job: job.name.clone() });
    }
    for name in job.input_names() {
        crate::safe_relative_path(name)?;
    }
    for pattern in &job.output_files {
        check_output_pattern(pattern)?;
    }
    Ok(())
}

/// Makes `dir` fresh (removing what an earlier attempt left) and writes the input files into it.
async fn prepare_dir(dir: &Path, job: &Job) -> Result<(), RunnerError> {
    match tokio::fs::remove_dir_all(dir).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(RunnerError::io("remove the leftover working directory", dir, e));
        }
        _ => {}
    }
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| RunnerError::io("create the working directory", dir, e))?;
    for (name, content) in &job.input_files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| RunnerError::io("create the folder", parent, e))?;
        }
        tokio::fs::write(&path, content)
            .await
            .map_err(|e| RunnerError::io("write input file", &path, e))?;
    }
    for (name, source) in job
        .input_paths
        .iter()
        .filter(|(k, _)| !job.input_files.contains_key(*k))
    {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| RunnerError::io("create the folder", parent, e))?;
        }
        tokio::fs::copy(source, &path)
            .await
            .map_err(|e| RunnerError::io("copy input file", &path, e))?;
    }
    Ok(())
}

fn exit_parts(ended: &Ended) -> (Option<i32>, Option<i32>) {
    use std::os::unix::process::ExitStatusExt;
    (ended.status.code(), ended.status.signal())
}

fn signal_name(number: i32) -> String {
    match Signal::try_from(number) {
        Ok(signal) => format!("{} ({number})", signal.as_str()),
        Err(_) => format!("signal {number}"),
    }
}

/// The human explanation of how the job ended.
fn message(job: &Job, group: ProcessGroup, ended: &Ended, out: PumpReport, err: PumpReport) -> String {
    let status = match exit_parts(ended) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("killed by {}", signal_name(signal)),
        (None, None) => "ended with an unknown status".to_owned(),
    };
    let stop = |cause: String| {
        let kill = if ended.escalated {
            format!(", then SIGKILL after the {:?} grace period", job.kill_grace)
        } else {
            String::new()
        };
        format!("{cause}; sent SIGTERM to the process group{kill}; the process {status}")
    };
    let mut message = match ended.end {
        EndReason::Exited => status.clone(),
        EndReason::TimedOut => stop(format!("timed out after {:?}", job.timeout.unwrap_or_default())),
        EndReason::Killed => stop("killed on request".to_owned()),
    };
    if ended.leftovers_killed {
        message.push_str("; processes it left running in its process group were killed (SIGKILL)");
    }
    if ended.survivors {
        message.push_str(&format!(
            "; WARNING: processes of group {} were still running after SIGKILL",
            group.id()
        ));
    }
    if out.cut_short || err.cut_short {
        message.push_str("; stopped reading output because a process outside the group still held the pipes open");
    }
    let discarded = out.discarded + err.discarded;
    if discarded > 0 {
        message.push_str(&format!(
            "; {discarded} log lines were discarded because the log receiver was closed"
        ));
    }
    message
}
