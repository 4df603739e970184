//! The executor: takes events from the store's mailbox, runs them through the engine, and
//! commits the new execution together with the jobs and timers it asks for (write before act).
//! Only then does it act: wake workers, pull kill switches.

use crate::{ExecutionCache, Flows, Kills, RuntimeError, Wakers};
use jiff::Timestamp;
use sluice_engine::{Command, Engine, Event, Execution, State};
use sluice_store::{NewJob, NewTimer, StepCommit, Store, StoredEvent};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Events handled per store round trip.
const EVENTS_PER_TICK: u32 = 256;

/// Drives executions forward.
pub struct Executor {
    store: Arc<dyn Store>,
    engine: Engine,
    flows: Arc<Flows>,
    kills: Kills,
    wakers: Wakers,
    cache: ExecutionCache,
}

impl Executor {
    /// An executor over `store`.
    pub fn new(store: Arc<dyn Store>, flows: Arc<Flows>, kills: Kills, wakers: Wakers, cache: ExecutionCache) -> Self {
        Executor {
            store,
            engine: Engine::new(),
            flows,
            kills,
            wakers,
            cache,
        }
    }

    /// Runs until `shutdown`, sleeping until the next event or timer.
    pub async fn run(&self, shutdown: CancellationToken) -> Result<(), RuntimeError> {
        loop {
            let busy = self.tick().await?;
            if busy {
                continue;
            }
            let wait = match self.store.next_timer_at().await? {
                Some(at) => Duration::try_from(at.duration_since(Timestamp::now())).unwrap_or(Duration::ZERO),
                None => Duration::from_secs(1),
            }
            .min(Duration::from_secs(1));
            tokio::select! {
                () = self.wakers.executor.notified() => {}
                () = tokio::time::sleep(wait) => {}
                () = shutdown.cancelled() => return Ok(()),
            }
        }
    }

    /// Fires due timers, handles expired leases and pending events; true if it did anything.
    pub async fn tick(&self) -> Result<bool, RuntimeError> {
        let now = Timestamp::now();
        let mut busy = false;
        for timer in self.store.due_timers(now, EVENTS_PER_TICK).await? {
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
        for job in self.store.expired(now).await? {
            // A container outlives its worker: the next worker to claim the job re-attaches.
            if crate::survives_worker(self.store.as_ref(), &self.flows, &job).await? {
                continue;
            }
            // A process attempt cannot be re-attached: its worker is gone, so is the attempt.
            crate::worker_lost(
                self.store.as_ref(),
                &job,
                "its lease expired while the attempt was running",
            )
            .await?;
            busy = true;
        }
        let events = self.store.pending_events(EVENTS_PER_TICK).await?;
        busy |= !events.is_empty();
        // Consecutive events of one execution are stepped together: one load, one commit.
        for group in events.chunk_by(|a, b| a.execution_id == b.execution_id) {
            self.apply(group).await?;
        }
        Ok(busy)
    }

    async fn apply(&self, group: &[StoredEvent]) -> Result<(), RuntimeError> {
        let execution_id = &group[0].execution_id;
        // `create_execution` stores an execution with its first event, so a missing one is a broken store.
        let mut exec = match self.cache.get(execution_id) {
            Some(cached) => Execution::clone(&cached),
            None => self
                .store
                .get_execution(execution_id)
                .await?
                .ok_or_else(|| RuntimeError::ExecutionMissing(execution_id.clone()))?,
        };
        let flow = self
            .flows
            .get(self.store.as_ref(), &exec.namespace, &exec.flow_id, exec.flow_revision)
            .await?;
        let mut commands = Vec::new();
        for stored in group {
            let at = stored.at.max(exec.state.histories.last().map_or(stored.at, |h| h.date));
            commands.extend(self.engine.step(&flow, &mut exec, at, stored.event.clone()));
        }
        let mut commit = StepCommit::new(&exec);
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
        self.store.commit(&commit).await?;
        let ended = exec.state.current.is_terminal();
        let exec = Arc::new(exec);
        self.cache.put(exec.clone());
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
