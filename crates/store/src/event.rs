//! The mailbox of the executor: events from workers, timers and the API wait here, in order,
//! until a step that handled them is committed.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;
use std::collections::HashMap;
use std::time::Duration;

/// An event waiting in the mailbox.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Mailbox id: increases with every push and is never reused. Ack it in
    /// [`crate::StepCommit::acked_events`].
    pub id: i64,
    /// The execution it is for.
    pub execution_id: String,
    /// What happened.
    pub event: Event,
    /// When it happened.
    pub at: Timestamp,
}

/// The pending events of one execution, held for one executor by [`EventStore::claim_events`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedEvents {
    /// The execution.
    pub execution_id: String,
    /// Its stored revision when it was claimed: commit the step with this
    /// [`crate::StepCommit::revision`].
    pub revision: u64,
    /// Its pending events, oldest first.
    pub events: Vec<StoredEvent>,
}

/// Stores events for the executor until a commit acknowledges them.
///
/// Several executors (one per server process) share the mailbox. Each execution is stepped by one
/// executor at a time: an executor claims executions with [`EventStore::claim_events`], which holds
/// them for it until its step's commit (or until the hold runs out, should the executor die); and
/// the commit names the revision the step started from, so a step that lost its hold can never
/// overwrite a newer one.

#[async_trait]
pub trait EventStore: Send + Sync {
    /// Adds an event for a stored execution; returns its id.
    /// Fails with [`crate::StoreError::UnknownExecution`] if the execution is not stored.
    async fn push_event(&self, execution_id: &str, event: &Event, at: Timestamp) -> Result<i64>;

    /// Up to `limit` unacknowledged events, oldest first (in the order they were pushed).
    async fn pending_events(&self, limit: u32) -> Result<Vec<StoredEvent>>;

    /// Holds for `executor_id`, until `now + hold`, up to `limit` executions that have pending
    /// events and that no other executor holds (never held, released by a commit, or held past
    /// its end by `now`; holds of `executor_id` itself count as free), those with the oldest
    /// event first; returns each with its revision and all its pending events, oldest first.
    /// Two callers never hold the same execution at once, and never wait for each other.
    async fn claim_events(
        &self,
        executor_id: &str,
        hold: Duration,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<ClaimedEvents>>;

    /// Ends every hold of an executor (it stops, or failed in the middle of a batch), so other
    /// executors can claim those executions at once; returns how many were held.
    async fn release_executor(&self, executor_id: &str) -> Result<u64>;
}

/// Groups events read in id order by execution, the execution with the oldest event first.
/// Executions whose events were all acknowledged meanwhile are left out.
pub(crate) fn group(
    events: impl Iterator<Item = Result<StoredEvent>>,
    mut revisions: HashMap<String, u64>,
) -> Result<Vec<ClaimedEvents>> {
    let mut claimed: Vec<ClaimedEvents> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for event in events {
        let event = event?;
        match index.get(&event.execution_id) {
            Some(&i) => claimed[i].events.push(event),
            None => {
                let Some(revision) = revisions.remove(&event.execution_id) else {
                    continue;
                };
                index.insert(event.execution_id.clone(), claimed.len());
                claimed.push(ClaimedEvents {
                    execution_id: event.execution_id.clone(),
                    revision,
                    events: vec![event],
                });
            }
        }
    }
    Ok(claimed)
}
