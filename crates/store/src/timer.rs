//! Durable timers: a retry delay or a wait is a stored row that fires after a restart too, never a
//! sleeping task.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::Event;

/// A timer to store with a step commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimer {
    /// The execution it belongs to.
    pub execution_id: String,
    /// The task run it wakes.
    pub task_run_id: String,
    /// The attempt it starts.
    pub attempt: u32,
    /// When it fires.
    pub fire_at: Timestamp,
}

/// A stored timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// Its id, for [`TimerStore::delete_timer`].
    pub id: i64,
    /// The execution it belongs to.
    pub execution_id: String,
    /// The task run it wakes.
    pub task_run_id: String,
    /// The attempt it starts.
    pub attempt: u32,
    /// When it fires.
    pub fire_at: Timestamp,
}

/// Reads and removes durable timers; they are created by [`crate::ExecutionStore::commit`].
#[async_trait]
pub trait TimerStore: Send + Sync {
    /// Up to `limit` timers with `fire_at <= now`, earliest first (ties in creation order).
    async fn due_timers(&self, now: Timestamp, limit: u32) -> Result<Vec<Timer>>;

    /// Removes a timer (once its event is pushed); returns whether it existed.
    async fn delete_timer(&self, id: i64) -> Result<bool>;

    /// Removes a due timer and posts its event in one transaction. Returns false (and posts
    /// nothing) when the timer was already fired or cancelled.
    async fn fire_timer(&self, id: i64, execution_id: &str, event: &Event, at: Timestamp) -> Result<bool>;

    /// When the earliest timer fires, so a scheduler can sleep until then (or until woken).
    async fn next_timer_at(&self) -> Result<Option<Timestamp>>;
}
