//! The executor: takes events from the store's mailbox, runs them through the engine, and
//! commits the new execution together with the jobs and timers it asks for (write before act).
//! Only then does it act: wake workers, pull kill switches.
//!
//! Several executors (one per server process) may share a store. Each claims the executions it
//! steps ([`sluice_store::EventStore::claim_events`]): an execution is held by one executor until
//! its step is committed, and the commit names the revision the step started from, so a step
//! whose hold ran out can never overwrite another executor's ([`sluice_store::StoreError::Conflict`]:
//! the step is dropped, its events stay pending and are stepped again). Timers and lost leases
//! are settled with compare-and-set operations, so of several executors only one acts.

use crate::{ExecutionCache, FlowTriggers, Flows, Kills, Lost, RuntimeError, Wakers};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use jiff::Timestamp;
use sluice_engine::{Command, Engine, Event, Execution, State};
use sluice_store::{ClaimedEvents, NewJob, NewTimer, StepCommit, Store, StoreError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Timers fired per store round trip.
const TIMERS_PER_TICK: u32 = 256;

/// Executions claimed per store round trip: small enough that several executors share a burst.
const EXECUTIONS_PER_TICK: u32 = 64;

/// Executions stepped at once by one executor.
const STEPS_AT_ONCE: usize = 8;

/// How long an execution stays held by an executor that claimed it and died, and how long a
/// worker's lease must have run out before its attempt is settled, unless set otherwise.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// Longest wait between two attempts after the store failed.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Drives executions forward.
pub struct Executor {
    store: Arc<dyn Store>,
    engine: Engine,
    flows: Arc<Flows>,
    kills: Kills,
    wakers: Wakers,
    cache: ExecutionCache,
    /// The flows whose Flow triggers an execution's new state may fire.
    flow_triggers: FlowTriggers,
    /// Names this executor's holds on executions.
    id: String,
    /// How long a hold lasts, and how long the store must have answered before lost leases are
    /// judged.
    lease: Duration,
    /// Since when the store has answered without a transient error (`None`: it just failed).
    healthy_since: Mutex<Option<Instant>>,
}

impl Executor {
    /// An executor over `store`, named after this process, with [`DEFAULT_LEASE`].
    pub fn new(store: Arc<dyn Store>, flows: Arc<Flows>, kills: Kills, wakers: Wakers, cache: ExecutionCache) -> Self {
        Executor {
            store,
            engine: Engine::new(),
            flows,
            kills,
            wakers,
            cache,
            flow_triggers: FlowTriggers::default(),
            id: format!("executor-{}", std::process::id()),
            lease: DEFAULT_LEASE,
            healthy_since: Mutex::new(Some(Instant::now())),
        }
    }

    /// Names the executor (unique among the processes sharing the store) and sets how long its
    /// holds last and how long a worker's lease must have run out before its attempt is settled.
    pub fn with_identity(mut self, id: impl Into<String>, lease: Duration) -> Self {
        self.id = id.into();
        self.lease = lease;
        self
    }

    /// Runs until `shutdown`, sleeping until the next event or timer. A store that fails for a
    /// while (a database restarting, a lost connection) is waited for, not a reason to stop:
    /// only errors that would repeat stop the executor.
    pub async fn run(&self, shutdown: CancellationToken) -> Result<(), RuntimeError> {
        let result = self.run_until(&shutdown).await;
        // Executions held for a step that never came go to other executors at once.
        if let Err(e) = self.store.release_executor(&self.id).await {
            tracing::warn!(error = %e, "could not release this executor's executions; they are freed when their hold runs out");
        }
        result
    }

    async fn run_until(&self, shutdown: &CancellationToken) -> Result<(), RuntimeError> {
        let mut backoff = Duration::ZERO;
        loop {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            let wait = match self.tick().await {
                Ok(true) => {
                    self.healthy();
                    backoff = Duration::ZERO;
                    continue;
                }
                Ok(false) => {
                    self.healthy();
                    backoff = Duration::ZERO;
                    match self.store.next_timer_at().await {
                        Ok(Some(at)) => {
                            Duration::try_from(at.duration_since(Timestamp::now())).unwrap_or(Duration::ZERO)
                        }
                        Ok(None) => Duration::from_secs(1),
                        Err(e) if e.is_transient() => Duration::from_secs(1),
                        Err(e) => return Err(e.into()),
                    }
                    .min(Duration::from_secs(1))
                }
                Err(e) if e.is_transient() => {
                    if self.unhealthy() {
                        tracing::warn!(error = %e, "the executor cannot reach the store; retrying");
                    }
                    backoff = (backoff * 2).clamp(Duration::from_millis(100), MAX_BACKOFF);
                    backoff
                }
                Err(e) => return Err(e),
            };
            tokio::select! {
                () = self.wakers.executor.notified() => {}
                () = tokio::time::sleep(wait) => {}
                () = shutdown.cancelled() => return Ok(()),
            }
        }
    }

    /// Notes a call that worked; says so once after an outage.
    fn healthy(&self) {
        let mut since = self.healthy_since.lock().unwrap_or_else(PoisonError::into_inner);
        if since.is_none() {
            tracing::warn!("the executor reaches the store again");
            *since = Some(Instant::now());
        }
    }

    /// Notes a transient failure; true if it is the first of an outage.
    fn unhealthy(&self) -> bool {
        self.healthy_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .is_some()
    }

    /// Whether the store has answered for a whole lease: only then does a lease that ran out say
    /// that its worker is gone, rather than that the store was out of reach (workers could not
    /// renew either, and renew as soon as it is back).
    fn may_judge_leases(&self) -> bool {
        self.healthy_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|since| since.elapsed() >= self.lease)
    }

    /// Fires due timers, settles lost leases and steps the executions it claims; true if it did
    /// anything.
    pub async fn tick(&self) -> Result<bool, RuntimeError> {
        let now = Timestamp::now();
        let mut busy = false;
        for timer in self.store.due_timers(now, TIMERS_PER_TICK).await? {
            let event = if timer.task_run_id.is_empty() {
                Event::Start
            } else {
                Event::TimerFired {
                    task_run_id: timer.task_run_id.clone(),
                    attempt: timer.attempt,
                }
            };
            self.store
                .fire_timer(timer.id, &timer.execution_id, &event, now)
                .await?;
            busy = true;
        }
        if self.may_judge_leases() {
            busy |= self.settle_lost(now).await?;
        }
        let claimed = self
            .store
            .claim_events(&self.id, self.lease, now, EXECUTIONS_PER_TICK)
            .await?;
        busy |= !claimed.is_empty();
        // The executions claimed are this executor's alone and independent of each other: their
        // steps overlap, so a step's round trips to the store do not hold up the others.
        let mut steps = FuturesUnordered::new();
        let mut failed = None;
        for batch in &claimed {
            if steps.len() >= STEPS_AT_ONCE
                && let Some(Err(e)) = steps.next().await
            {
                failed.get_or_insert(e);
            }
            steps.push(self.apply(batch));
        }
        while let Some(stepped) = steps.next().await {
            if let Err(e) = stepped {
                failed.get_or_insert(e);
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(busy),
        }
    }

    /// Jobs whose lease ran out: a container outlives its worker, so the job goes back to the
    /// queue for another worker to re-attach; a process attempt died with its worker and ends
    /// as lost. Both only if the lease is still run out, and only once across executors.
    async fn settle_lost(&self, now: Timestamp) -> Result<bool, RuntimeError> {
        let mut busy = false;
        for job in self.store.expired(now).await? {
            let Some(owner) = job.owner.as_deref() else {
                continue;
            };
            if crate::survives_worker(self.store.as_ref(), &self.flows, &job).await? {
                if self.store.release_expired(job.id, owner, now).await? {
                    tracing::warn!(task_run = %job.task_run_id, worker = %owner, "lease ran out: the attempt's container is handed to another worker");
                    self.wakers.workers.notify_one();
                    busy = true;
                }
                continue;
            }
            let why = format!("its lease ran out at {}", job.lease_until.unwrap_or(now));
            if crate::worker_lost(self.store.as_ref(), &job, &why, Lost::Expired(now)).await? {
                tracing::warn!(task_run = %job.task_run_id, worker = %owner, "lease ran out: the attempt ends as `worker lost`");
                busy = true;
            }
        }
        Ok(busy)
    }

    async fn apply(&self, batch: &ClaimedEvents) -> Result<(), RuntimeError> {
        let execution_id = &batch.execution_id;
        let group = &batch.events;
        // `create_execution` stores an execution with its first event, so a missing one is a broken store.
        // The execution as stored at this revision: the commit writes only what differs from it.
        let stored = match self.cache.get_at(execution_id, batch.revision) {
            Some(cached) => cached,
            None => Arc::new(
                self.store
                    .get_execution(execution_id)
                    .await?
                    .ok_or_else(|| RuntimeError::ExecutionMissing(execution_id.clone()))?,
            ),
        };
        let mut exec = Execution::clone(&stored);
        let flow = self
            .flows
            .get(self.store.as_ref(), &exec.namespace, &exec.flow_id, exec.flow_revision)
            .await?;
        let before = exec.state.current;
        let admission = crate::concurrency::admit(self.store.as_ref(), &flow, &mut exec, batch).await?;
        let mut commands = Vec::new();
        for stored in group {
            if admission.held.as_ref() == Some(&stored.event) {
                continue;
            }
            let at = stored.at.max(exec.state.histories.last().map_or(stored.at, |h| h.date));
            commands.extend(self.engine.step(&flow, &mut exec, at, stored.event.clone()));
        }
        // Flow triggers react to state changes (never to CREATED, the state an execution starts in).
        let starts = if exec.state.current != before && exec.state.current != State::Created {
            self.flow_triggers
                .starts(self.store.as_ref(), &self.flows, &exec, Timestamp::now())
                .await?
        } else {
            Vec::new()
        };
        let mut commit = StepCommit::new(&exec);
        commit.revision = Some(batch.revision);
        commit.previous = Some(&stored);
        commit.starts = starts;
        commit.release_slot = !before.is_terminal() && exec.state.current.is_terminal();
        commit.acked_events.extend(group.iter().map(|e| e.id));
        let mut retry_at = None;
        for c in &commands {
            match c {
                Command::Run { task_run_id, attempt } => commit.enqueue.push(NewJob {
                    execution_id: exec.id.clone(),
                    task_run_id: task_run_id.clone(),
                    attempt: *attempt,
                    payload: serde_json::Value::Null,
                }),
                Command::Timer {
                    task_run_id,
                    attempt,
                    at,
                } => commit.timers.push(NewTimer {
                    execution_id: exec.id.clone(),
                    task_run_id: task_run_id.clone(),
                    attempt: *attempt,
                    fire_at: *at,
                }),
                Command::Kill { task_run_id } => commit.cancel_jobs_for.push(task_run_id.clone()),
                Command::Retry { at } => retry_at = Some(*at),
                Command::Ended { .. } => {}
            }
        }
        let new_jobs = !commit.enqueue.is_empty();
        let slot_freed = commit.release_slot;
        let started = commit.starts.len();
        match self.store.commit(&commit).await {
            Ok(()) => {}
            // Another executor stepped it after this one's hold ran out: this step is void, the
            // events it did not ack stay pending for the next claim.
            Err(StoreError::Conflict { .. }) => {
                self.cache.forget(execution_id);
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
        if let Some(line) = admission.refusal
            && let Err(e) = self.store.append_logs(&[line]).await
        {
            tracing::warn!(execution = %exec.id, error = %e, "could not store why the concurrency limit refused the execution");
        }
        let ended = exec.state.current.is_terminal();
        let exec = Arc::new(exec);
        self.cache.put(exec.clone(), batch.revision + 1);
        if let Some(at) = retry_at {
            self.create_retry(&exec, at).await?;
        }
        for c in &commands {
            if let Command::Kill { task_run_id } = c {
                self.kills.kill(task_run_id);
            }
        }
        if new_jobs {
            self.wakers.workers.notify_one();
        }
        if started > 0 {
            tracing::info!(upstream = %exec.id, started, "Flow triggers started executions");
        }
        // A freed slot may have started a queued execution.
        if started > 0 || slot_freed {
            self.wakers.executor.notify_one();
        }
        if ended {
            self.wakers.ended.notify_one();
        }
        Ok(())
    }

    /// A flow-level `CREATE_NEW_EXECUTION` retry: a new execution, started by a durable timer.
    async fn create_retry(&self, failed: &Execution, at: Timestamp) -> Result<(), RuntimeError> {
        let mut next = failed.clone();
        next.id = sluice_store::new_execution_id();
        next.state = sluice_engine::StateInfo::new(State::Created, Timestamp::now());
        next.task_run_list.clear();
        next.outputs.clear();
        next.attempt_number += 1;
        next.original_id = Some(failed.original_id.clone().unwrap_or_else(|| failed.id.clone()));
        let timer = NewTimer {
            execution_id: next.id.clone(),
            task_run_id: String::new(),
            attempt: 0,
            fire_at: at,
        };
        let mut commit = StepCommit::new(&next);
        commit.timers.push(timer);
        self.store.commit(&commit).await?;
        Ok(())
    }
}
