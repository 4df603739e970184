//! Executions as whole documents, and the step commit that stores an execution together with
//! everything its step decided (write before act).

use crate::{NewJob, NewTimer, Result};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sluice_engine::{Event, Execution, State};

/// Which executions to list, and which page of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionFilter {
    /// Only this namespace.
    pub namespace: Option<String>,
    /// Only this flow id.
    pub flow_id: Option<String>,
    /// Only executions currently in one of these states.
    pub state: Option<Vec<State>>,
    /// Only executions that started at or after this time.
    pub from: Option<Timestamp>,
    /// Only executions that started before this time.
    pub to: Option<Timestamp>,
    /// 1-based page number (0 is read as 1).
    pub page: u32,
    /// Executions per page.
    pub size: u32,
}

impl Default for ExecutionFilter {
    fn default() -> Self {
        ExecutionFilter {
            namespace: None,
            flow_id: None,
            state: None,
            from: None,
            to: None,
            page: 1,
            size: 25,
        }
    }
}

/// One page of results and how many there are in all, in Kestra's `{results, total}` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    pub results: Vec<T>,
    /// How many items match the filter over all pages.
    pub total: u64,
}

/// What an execution list shows, read from indexed columns without parsing the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionSummary {
    /// Execution id.
    pub id: String,
    /// Namespace of the flow.
    pub namespace: String,
    /// Id of the flow.
    pub flow_id: String,
    /// Current state.
    pub state: State,
    /// When it started (its first state).
    pub start: Option<Timestamp>,
    /// When it ended, once it has.
    pub end: Option<Timestamp>,
    /// `end - start`, once it has ended.
    pub duration: Option<SignedDuration>,
}

/// Everything one executor step decided, stored in one transaction before any of it is acted on.
///
/// Order inside the transaction: the execution is saved, acked events are removed, unclaimed jobs
/// and all timers of `cancel_jobs_for` are dropped, then `enqueue` and `timers` are added (so a
/// step may cancel a task run's old job and queue a new one), then the executions it `starts`.
///
/// With a [`StepCommit::revision`], the commit is a compare-and-set: it is refused with
/// [`crate::StoreError::Conflict`], storing nothing, unless the stored execution is still at that
/// revision. That is how two executors (in two processes, or one that lost its hold) can never
/// both advance the same version of an execution.
#[derive(Debug, Clone, PartialEq)]
pub struct StepCommit<'a> {
    /// The execution after the step.
    pub execution: &'a Execution,
    /// The execution as stored at [`StepCommit::revision`], when the caller has it: only the
    /// task runs that differ from it are written. `None` writes them all.
    pub previous: Option<&'a Execution>,
    /// Mailbox ids of the events the step handled.
    pub acked_events: Vec<i64>,
    /// Jobs for workers.
    pub enqueue: Vec<NewJob>,
    /// Durable timers.
    pub timers: Vec<NewTimer>,
    /// Task run ids whose jobs nobody has claimed, and whose timers, are dropped. Claimed jobs stay
    /// until their worker finishes them, marked for killing ([`crate::QueueStore::kill_requests`]).
    pub cancel_jobs_for: Vec<String>,
    /// The stored revision the step started from (from [`crate::EventStore::claim_events`]): the
    /// commit happens only if the execution is still at it, then moves it to the next revision and
    /// ends the executor's hold. `None` stores the execution whatever its revision (a new
    /// execution, or a writer that is the only one for it).
    pub revision: Option<u64>,
    /// New executions the step starts (a Flow trigger fired by this execution's new state),
    /// each stored with its [`Event::Start`] in the same transaction: a step committed once
    /// starts them once.
    pub starts: Vec<Execution>,
    /// The execution ended: its concurrency slot, if it held one, is freed, and the oldest queued
    /// executions of its flow take the free slots, each with an [`Event::Start`].
    pub release_slot: bool,
}

impl<'a> StepCommit<'a> {
    /// A commit that only saves the execution.
    pub fn new(execution: &'a Execution) -> Self {
        StepCommit {
            execution,
            previous: None,
            acked_events: Vec::new(),
            enqueue: Vec::new(),
            timers: Vec::new(),
            cancel_jobs_for: Vec::new(),
            revision: None,
            starts: Vec::new(),
            release_slot: false,
        }
    }
}

/// Stores executions and commits executor steps.
#[async_trait]
pub trait ExecutionStore: Send + Sync {
    /// Stores a new execution together with its first event (e.g. [`Event::Start`]) in one
    /// transaction; returns the event's id. Fails with [`crate::StoreError::AlreadyExists`] if an
    /// execution with this id is stored.
    async fn create_execution(&self, execution: &Execution, initial_event: &Event, at: Timestamp) -> Result<i64>;

    /// An execution by id. A document that cannot be read is [`crate::StoreError::Corrupt`].
    async fn get_execution(&self, id: &str) -> Result<Option<Execution>>;

    /// A page of executions matching the filter, newest first, with the total count.
    async fn list_executions(&self, filter: &ExecutionFilter) -> Result<Page<ExecutionSummary>>;

    /// Applies a step commit atomically: either all of it is stored or none of it. Every commit
    /// moves the execution to its next revision. With [`StepCommit::revision`], fails with
    /// [`crate::StoreError::Conflict`] (storing nothing) when the stored revision is another one,
    /// and ends any executor's hold on the execution.
    async fn commit(&self, commit: &StepCommit<'_>) -> Result<()>;
}
