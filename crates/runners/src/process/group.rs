//! The process group a job runs in: signalling it, knowing when it is gone, and stopping it.

use std::io;
use std::process::ExitStatus;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::process::Child;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

use crate::EndReason;

/// How often the group is checked while waiting for it to die.
const POLL: Duration = Duration::from_millis(10);
/// How long to wait, after SIGKILL, for the kernel to finish off the group's processes.
const SETTLE: Duration = Duration::from_secs(2);

/// A process group created for one job (its id is the id of the job's main process).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProcessGroup {
    pgid: Pid,
}

impl ProcessGroup {
    /// The group led by the process `pid` (spawned with `process_group(0)`).
    pub(crate) fn led_by(pid: u32) -> io::Result<Self> {
        let pid = i32::try_from(pid).map_err(|_| io::Error::other(format!("process id {pid} out of range")))?;
        Ok(Self {
            pgid: Pid::from_raw(pid),
        })
    }

    /// The group id.
    pub(crate) fn id(self) -> i32 {
        self.pgid.as_raw()
    }

    /// Sends `signal` to every process of the group; a group already gone is not an error.
    pub(crate) fn signal(self, signal: Signal) {
        // ESRCH: nobody left. EPERM: only processes we may not signal are left; nothing to do.
        let _ = killpg(self.pgid, signal);
    }

    /// True while a live (not zombie) process is in the group.
    ///
    /// `killpg(pgid, 0)` alone is not enough: it counts zombies, and a killed grandchild stays a
    /// zombie for good when PID 1 does not reap orphans (as in many containers). So when the group
    /// still answers, `/proc` is scanned for a member that is not a zombie.
    pub(crate) fn alive(self) -> bool {
        match killpg(self.pgid, None) {
            Err(Errno::ESRCH) => false,
            _ => has_live_member(self.pgid.as_raw()).unwrap_or(true),
        }
    }

    /// Waits up to `limit` for the group to be gone; returns whether it is.
    async fn gone_within(self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while self.alive() {
            if Instant::now() >= deadline {
                return false;
            }
            sleep(POLL).await;
        }
        true
    }
}

/// Scans `/proc` for a process of group `pgid` that is not a zombie.
fn has_live_member(pgid: i32) -> io::Result<bool> {
    for entry in std::fs::read_dir("/proc")? {
        let entry = entry?;
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        // The process may have gone since read_dir: then it is not a member any more.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after the command name (which may contain spaces and parentheses): state ppid pgrp.
        let Some(after_name) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let mut fields = after_name.split_ascii_whitespace();
        let state = fields.next().unwrap_or("Z");
        let pgrp = fields.nth(1).and_then(|s| s.parse::<i32>().ok());
        if pgrp == Some(pgid) && state != "Z" && state != "X" {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Kills the group with SIGKILL if dropped while armed: a `run` future dropped half-way (instead of
/// cancelled) must not leave processes behind.
pub(crate) struct KillOnDrop {
    group: ProcessGroup,
    armed: bool,
}

impl KillOnDrop {
    /// Armed guard for `group`.
    pub(crate) fn new(group: ProcessGroup) -> Self {
        Self { group, armed: true }
    }

    /// The group is gone: never signal its id again (it could be reused).
    pub(crate) fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if self.armed {
            self.group.signal(Signal::SIGKILL);
        }
    }
}

/// How the job's main process and its group ended.
#[derive(Debug)]
pub(crate) struct Ended {
    /// The main process's status.
    pub status: ExitStatus,
    /// Why it ended.
    pub end: EndReason,
    /// SIGKILL was needed after the grace period.
    pub escalated: bool,
    /// The main process exited on its own but left processes in its group; they were killed.
    pub leftovers_killed: bool,
    /// Live processes were still in the group after SIGKILL and [`SETTLE`].
    pub survivors: bool,
}

/// When to stop the job.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Stop after this long.
    pub timeout: Option<Duration>,
    /// Time between SIGTERM and SIGKILL.
    pub grace: Duration,
}

/// Waits for the job's main process to end, stopping the whole group on timeout or cancellation,
/// and makes sure no process of the group outlives it.
///
/// When the main process exits on its own, processes it left in its group (e.g. `cmd &`) are killed
/// with SIGKILL at once: they may hold the output pipes open, and waiting for them would hang the
/// run. On timeout or cancellation the group gets SIGTERM, then SIGKILL after `grace` unless every
/// process of the group has ended by then.
///
/// `writers_gone` is cancelled once no process of the group is left (or the wait for it gave up),
/// telling the pipe readers that an end of file is due.
pub(crate) async fn supervise(
    child: &mut Child,
    group: ProcessGroup,
    limits: Limits,
    cancel: &CancellationToken,
    writers_gone: &CancellationToken,
) -> io::Result<Ended> {
    let result = supervise_inner(child, group, limits, cancel).await;
    if result.is_err() {
        group.signal(Signal::SIGKILL);
    }
    writers_gone.cancel();
    result
}

async fn supervise_inner(
    child: &mut Child,
    group: ProcessGroup,
    limits: Limits,
    cancel: &CancellationToken,
) -> io::Result<Ended> {
    let timer = async {
        match limits.timeout {
            Some(timeout) => sleep(timeout).await,
            None => std::future::pending().await,
        }
    };
    let end = tokio::select! {
        status = child.wait() => {
            let status = status?;
            let leftovers_killed = group.alive();
            if leftovers_killed {
                group.signal(Signal::SIGKILL);
            }
            let survivors = !group.gone_within(SETTLE).await;
            return Ok(Ended { status, end: EndReason::Exited, escalated: false, leftovers_killed, survivors });
        }
        () = timer => EndReason::TimedOut,
        () = cancel.cancelled() => EndReason::Killed,
    };

    group.signal(Signal::SIGTERM);
    let deadline = Instant::now() + limits.grace;
    let mut status = None;
    loop {
        if status.is_none() {
            status = child.try_wait()?;
        }
        if status.is_some() && !group.alive() {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        sleep((deadline - now).min(POLL)).await;
    }
    let escalated = status.is_none() || group.alive();
    if escalated {
        group.signal(Signal::SIGKILL);
    }
    let status = match status {
        Some(status) => status,
        None => child.wait().await?,
    };
    let survivors = !group.gone_within(SETTLE).await;
    Ok(Ended {
        status,
        end,
        escalated,
        leftovers_killed: false,
        survivors,
    })
}
