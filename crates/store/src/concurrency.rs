//! Flow concurrency limits (`concurrency: {limit, behavior}`), counted in the store so that every
//! executor sharing it sees the same count: a slot is taken when an execution starts and handed
//! to the oldest waiting execution in the commit of the step that ends it.

use crate::Result;
use async_trait::async_trait;

/// Where an execution stands with its flow's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// It holds a slot: it may run.
    Running,
    /// It waits for one, after the executions that asked before it.
    Queued,
    /// The flow is at its limit and the execution may not wait (`behavior: CANCEL` or `FAIL`).
    Refused,
}

/// Takes concurrency slots. They are handed on by [`crate::StepCommit::release_slot`].
#[async_trait]
pub trait ConcurrencyStore: Send + Sync {
    /// Takes a slot of the flow for the execution if the slots taken, plus the older executions
    /// of the flow waiting for one (queued, or created and about to ask), are fewer than `limit`;
    /// else queues it when `queue`, or refuses it. So executions start in creation order even
    /// when several executors ask at once. Asking again for the same execution answers what it
    /// holds (a retried step asks twice).
    async fn acquire_slot(
        &self,
        namespace: &str,
        flow_id: &str,
        execution_id: &str,
        limit: u32,
        queue: bool,
    ) -> Result<Slot>;
}
