//! The worker: claims queued attempts (with a lease it keeps renewing), turns each into a job,
//! runs it on its runner, streams its logs into the store, and reports the outcome as an event.

use crate::backends::{Backends, Chosen};
use crate::mask::Masker;
use crate::pump::Pump;
use crate::{ExecutionCache, Flows, Kills, RuntimeError, Wakers, files};
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use sluice_engine::{AttemptResult, Event, State, render_context, task_by_id};
use sluice_flow::model::InputType;
use sluice_flow::template::{SecretSource, TemplateEngine};
use sluice_runners::{Job, ProcessRunner};
use sluice_store::{Job as QueuedJob, Level, LogLine, Metric, MetricKind, Store};
use sluice_tasks::{Plan, PlanContext, Renderer, RunnerChoice, runner_for};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// A job whose working directory (or container, or pod) is still to be removed, with its runner.
type Leftover = (Job, Chosen);

mod attempt;
mod call;
mod for_each_item;
mod subflow;

/// When a lease renewed now ends.
fn lease_end(lease: Duration) -> Timestamp {
    Timestamp::now().checked_add(lease).unwrap_or_else(|_| Timestamp::now())
}

/// How often a worker running attempts looks for kill requests, besides when notified.
const KILL_CHECK_EVERY: Duration = Duration::from_secs(2);

/// How often the worker looks for containers and pods of ended attempts (and once at start).
const SWEEP_EVERY: Duration = Duration::from_secs(300);

/// How long a stopping worker waits for clean-ups of attempts that already ended.
const CLEANUP_GRACE: Duration = Duration::from_secs(20);

/// How a worker is set up.
pub struct WorkerConfig {
    /// Name of this worker in leases.
    pub id: String,
    /// Data folder: working directories and kept output files live under it.
    pub data_dir: PathBuf,
    /// Attempts run at once.
    pub slots: usize,
    /// Lease length; renewed every third of it.
    pub lease: Duration,
    /// Whether Docker tasks may bind host folders (`volumes`): off by default, as a bind mount
    /// gives a task the worker's files.
    pub docker_volumes: bool,
    /// The address users open the UI at, for links in notifications (`--public-url`).
    pub public_url: Option<String>,
    /// Internal storage: FILE inputs, output files, downloads.
    pub storage: sluice_store::Storage,
}

/// Runs attempts.
pub struct Worker {
    config: WorkerConfig,
    store: Arc<dyn Store>,
    flows: Arc<Flows>,
    kills: Kills,
    wakers: Wakers,
    templates: TemplateEngine,
    secrets: Arc<dyn SecretSource>,
    process: ProcessRunner,
    /// Docker engines and Kubernetes clusters, connected on first use.
    backends: Backends,
    cache: ExecutionCache,
    /// Attempts that only wait (a Subflow following its child): they hold no slot.
    pub(crate) waiting: std::sync::atomic::AtomicUsize,
}

impl Worker {
    /// A worker over `store`.
    pub fn new(
        config: WorkerConfig,
        store: Arc<dyn Store>,
        flows: Arc<Flows>,
        kills: Kills,
        wakers: Wakers,
        secrets: Arc<dyn SecretSource>,
        cache: ExecutionCache,
    ) -> Self {
        let process = ProcessRunner::new(config.data_dir.join("work"));
        let backends = Backends::new(config.data_dir.clone(), config.docker_volumes);
        Worker {
            config,
            store,
            flows,
            kills,
            wakers,
            templates: TemplateEngine::new(),
            secrets,
            process,
            backends,
            cache,
            waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Claims and runs attempts until `shutdown`; then stops what still runs, finishes the
    /// clean-ups of attempts that already ended, and releases its leases.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) -> Result<(), RuntimeError> {
        let mut running: JoinSet<Option<Leftover>> = JoinSet::new();
        // Clean-ups run after the attempt's end is stored, off the path to the next attempt.
        let mut cleanups: JoinSet<()> = JoinSet::new();
        // A store out of reach (a database restarting) is waited for, said once.
        let mut store_down = false;
        let mut sweeps = tokio::time::interval(SWEEP_EVERY);
        let mut sweeping: JoinSet<()> = JoinSet::new();
        // Kills decided by an executor of another process reach this worker through the store.
        let mut kill_checks = tokio::time::interval(KILL_CHECK_EVERY);
        kill_checks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            while running.len() < self.config.slots + self.waiting.load(std::sync::atomic::Ordering::SeqCst) {
                let job = match self
                    .store
                    .claim(&self.config.id, self.config.lease, Timestamp::now())
                    .await
                {
                    Ok(Some(job)) => job,
                    Ok(None) => break,
                    Err(e) if e.is_transient() => {
                        if !store_down {
                            tracing::warn!(error = %e, "the worker cannot reach the store; retrying");
                        }
                        store_down = true;
                        break;
                    }
                    Err(e) => return Err(e.into()),
                };
                if std::mem::take(&mut store_down) {
                    tracing::warn!("the worker reaches the store again");
                }
                let me = self.clone();
                running.spawn(async move { me.execute(job).await });
            }
            tokio::select! {
                () = self.wakers.workers.notified() => {}
                Some(done) = running.join_next(), if !running.is_empty() => {
                    if let Ok(Some(leftover)) = done {
                        let me = self.clone();
                        cleanups.spawn(async move { me.cleanup(leftover).await });
                    }
                }
                Some(_) = cleanups.join_next(), if !cleanups.is_empty() => {}
                _ = sweeps.tick(), if sweeping.is_empty() => {
                    let me = self.clone();
                    sweeping.spawn(async move {
                        crate::sweep::sweep(me.store.as_ref(), &me.backends).await;
                        crate::workspace::sweep(me.store.as_ref(), &me.config.data_dir).await;
                    });
                }
                Some(_) = sweeping.join_next(), if !sweeping.is_empty() => {}
                () = self.wakers.kills.notified(), if !running.is_empty() => self.pull_kill_switches().await,
                _ = kill_checks.tick(), if !running.is_empty() => self.pull_kill_switches().await,
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
                () = shutdown.cancelled() => break,
            }
        }
        // Attempts still running stop here (a container keeps running, to be re-attached); those
        // that ended but were not joined yet still get their clean-up.
        running.abort_all();
        sweeping.abort_all();
        while let Some(done) = running.join_next().await {
            if let Ok(Some(leftover)) = done {
                let me = self.clone();
                cleanups.spawn(async move { me.cleanup(leftover).await });
            }
        }
        if tokio::time::timeout(CLEANUP_GRACE, async { while cleanups.join_next().await.is_some() {} })
            .await
            .is_err()
        {
            tracing::warn!("some containers or working directories were not removed within {CLEANUP_GRACE:?}");
        }
        if let Err(e) = self.store.release_worker(&self.config.id).await {
            tracing::warn!(error = %e, "could not hand back this worker's jobs; they are settled when their leases run out");
        }
        Ok(())
    }

    /// Stops the attempts this worker holds that a step asked to kill.
    async fn pull_kill_switches(&self) {
        match self.store.kill_requests(&self.config.id).await {
            Ok(task_runs) => {
                for task_run in task_runs {
                    self.kills.kill(&task_run);
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read kill requests"),
        }
    }

    /// Removes the working directory (or container) an ended attempt left.
    async fn cleanup(&self, (done, chosen): Leftover) {
        let cleaned = chosen.runner(&self.process).cleanup(&done).await;
        if let Err(e) = cleaned {
            tracing::warn!(error = %e, "could not clean up after an attempt");
        }
    }

    /// Stores the attempt's end; returns whether it was stored. A store out of reach is retried
    /// (renewing the lease meanwhile), as the attempt is done and must not run again; `false` when
    /// the job is no longer this worker's (its lease ran out and it was settled elsewhere).
    async fn report(&self, job: &QueuedJob, result: AttemptResult) -> bool {
        let event = Event::AttemptEnded {
            task_run_id: job.task_run_id.clone(),
            attempt: job.attempt,
            result,
        };
        let finish = async {
            let mut backoff = Duration::from_millis(100);
            loop {
                match self
                    .store
                    .finish_with_event(job.id, &self.config.id, &job.execution_id, &event, Timestamp::now())
                    .await
                {
                    Ok(posted) => return Ok(posted.is_some()),
                    Err(e) if e.is_transient() => {
                        tracing::warn!(error = %e, task_run = %job.task_run_id, "could not store the end of an attempt yet; retrying");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let finished = tokio::select! {
            finished = finish => finished,
            never = self.heartbeat(job) => match never {},
        };
        self.kills.forget(&job.task_run_id);
        match finished {
            Ok(true) => {
                self.wakers.executor.notify_one();
                true
            }
            Ok(false) => {
                tracing::warn!(task_run = %job.task_run_id, attempt = job.attempt, "the end of an attempt was not stored: its lease had run out and it was settled elsewhere");
                false
            }
            Err(e) => {
                tracing::error!(error = %e, "could not report the end of an attempt; it is settled when its lease runs out");
                false
            }
        }
    }

    /// Runs and reports one attempt; returns what is left to clean up.
    async fn execute(&self, job: QueuedJob) -> Option<Leftover> {
        let mut leftover = None;
        let masker = Arc::new(Masker::new(self.secrets.clone()));
        let result = match self.attempt(&job, &mut leftover, &masker).await {
            Ok(result) => result,
            // A task type or runner this build lacks fails the same way every time: no retry.
            Err(
                e @ RuntimeError::Task(
                    sluice_tasks::TaskError::Unsupported { .. } | sluice_tasks::TaskError::RunnerUnavailable { .. },
                ),
            ) => AttemptResult::new(State::Failed, e.to_string()).final_failure(),
            Err(e) => AttemptResult::new(State::Failed, e.to_string()),
        };
        let mut result = result;
        result.reason = result.reason.map(|r| masker.text(&r));
        for value in result.outputs.values_mut() {
            masker.value(value);
        }
        let reported = self.report(&job, result).await;
        // A container whose attempt was handed to another worker is that worker's to follow.
        if !reported && leftover.as_ref().is_some_and(|(_, chosen)| chosen.resumes()) {
            return None;
        }
        leftover
    }

    async fn log(
        &self,
        job: &QueuedJob,
        masker: &Masker,
        task_id: &str,
        level: Level,
        messages: Vec<String>,
    ) -> Result<(), RuntimeError> {
        let at = Timestamp::now();
        let lines: Vec<LogLine> = messages
            .into_iter()
            .map(|message| LogLine {
                execution_id: job.execution_id.clone(),
                task_run_id: Some(job.task_run_id.clone()),
                task_id: Some(task_id.to_string()),
                attempt: Some(job.attempt),
                at,
                level,
                message: masker.text(&message),
            })
            .collect();
        self.store.append_logs(&lines).await?;
        Ok(())
    }

    /// Renews the job's lease every third of its length; never returns.
    async fn heartbeat(&self, job: &QueuedJob) -> std::convert::Infallible {
        let every = self.config.lease / 3;
        loop {
            tokio::time::sleep(every).await;
            let until = Timestamp::now()
                .checked_add(self.config.lease)
                .unwrap_or_else(|_| Timestamp::now());
            match self.store.renew(job.id, &self.config.id, until).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(task_run = %job.task_run_id, "lease lost: the attempt was settled elsewhere")
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not renew a lease; retrying");
                    // Renew as soon as the store is back, before the lease runs out.
                    let mut retry = Duration::from_secs(1);
                    while let Err(e) = self
                        .store
                        .renew(job.id, &self.config.id, lease_end(self.config.lease))
                        .await
                    {
                        if !e.is_transient() {
                            break;
                        }
                        tokio::time::sleep(retry).await;
                        retry = (retry * 2).min(every);
                    }
                }
            }
        }
    }
}
