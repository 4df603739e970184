//! Schedule state: when each trigger fires next, and firing exactly once per tick across every
//! process that shares the store.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sluice_engine::{Event, Execution};

/// Which trigger of which flow.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerKey {
    /// Flow namespace.
    pub namespace: String,
    /// Flow id.
    pub flow_id: String,
    /// Trigger id in the flow.
    pub trigger_id: String,
}

/// The stored state of a trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerState {
    /// Which trigger.
    #[serde(flatten)]
    pub key: TriggerKey,
    /// When it fires next.
    pub next_fire_at: Timestamp,
    /// When it last fired.
    pub last_fired_at: Option<Timestamp>,
    /// The execution it last started.
    pub last_execution_id: Option<String>,
}

/// Stores schedule state.
#[async_trait]
pub trait TriggerStore: Send + Sync {
    /// Every stored trigger state.
    async fn trigger_states(&self) -> Result<Vec<TriggerState>>;

    /// Moves a trigger from `expected_next` (`None`: not stored yet) to `next`, and when
    /// `start` is given stores that execution with its first event, all in one transaction.
    /// Returns false, changing nothing, when the stored next fire time is not `expected_next`:
    /// another scheduler fired this tick already.
    async fn fire_trigger(
        &self,
        key: &TriggerKey,
        expected_next: Option<Timestamp>,
        next: Timestamp,
        start: Option<(&Execution, &Event)>,
        at: Timestamp,
    ) -> Result<bool>;

    /// Forgets the state of triggers of a flow that no longer has them.
    async fn delete_trigger(&self, key: &TriggerKey) -> Result<bool>;
}
