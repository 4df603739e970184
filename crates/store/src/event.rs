//! The mailbox of the executor: events from workers, timers and the API wait here, in order,
//! until a step that handled them is committed.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;

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

/// Stores events for the executor until a commit acknowledges them.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Adds an event for a stored execution; returns its id.
    /// Fails with [`crate::StoreError::UnknownExecution`] if the execution is not stored.
    async fn push_event(&self, execution_id: &str, event: &Event, at: Timestamp) -> Result<i64>;

    /// Up to `limit` unacknowledged events, oldest first (in the order they were pushed).
    async fn pending_events(&self, limit: u32) -> Result<Vec<StoredEvent>>;
}
