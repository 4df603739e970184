//! Storage for Sluice: flows with revisions, executions, the executor's event mailbox, the work
//! queue with leases, durable timers, logs and metrics.
//!
//! Each capability is a small trait ([`FlowStore`], [`ExecutionStore`], [`EventStore`],
//! [`QueueStore`], [`TimerStore`], [`LogStore`], [`MetricStore`]); [`Store`] is all of them, so
//! callers hold an `Arc<dyn Store>` and never see SQL. [`SqliteStore`] is the embedded backend;
//! [`PostgresStore`] is the one that several processes share, and can wake waiting processes
//! ([`postgres`] module).
//!
//! The executor follows *write before act*: a step's new execution, its jobs and timers and the
//! events it consumed are stored by one [`ExecutionStore::commit`], in one transaction, before any
//! of it is carried out.

mod codec;
mod concurrency;
mod error;
mod event;
mod execution;
mod execution_access;
pub mod files;
mod flow;
mod flow_access;
mod kv;
mod log;
mod log_block;
mod lookup;
mod metric;
mod namespace_files;
pub mod postgres;
mod queue;
pub mod secrets;
mod sqlite;
pub mod storage;
mod store;
mod task_runs;
mod timer;
mod trigger;

pub use concurrency::{ConcurrencyStore, Slot};
pub use error::{BoxError, Result, StoreError};
pub use event::{ClaimedEvents, EventStore, StoredEvent};
pub use execution::{ExecutionFilter, ExecutionStore, ExecutionSummary, Page, StepCommit};
pub use execution_access::StoreExecutions;
pub use flow::{FlowRecord, FlowStore};
pub use flow_access::StoreFlows;
pub use log::{Level, LogLine, LogQuery, LogStore, StoredLog};
pub use lookup::WithKv;
pub use metric::{Metric, MetricKind, MetricStore, StoredMetric};
pub use postgres::PostgresStore;
pub use queue::{Job, NewJob, QueueStore};
pub use sqlite::SqliteStore;
pub use storage::{Loaded, Storage, StorageConfig, StorageError};
pub use store::Store;
pub use timer::{NewTimer, Timer, TimerStore};
pub use trigger::{TriggerKey, TriggerState, TriggerStore};

/// The capability traits, to call store methods on a concrete backend such as [`SqliteStore`]
/// (`use sluice_store::prelude::*;`); through `dyn Store` they need no import.
pub mod prelude {
    pub use crate::{
        ConcurrencyStore, EventStore, ExecutionStore, FlowStore, LogStore, MetricStore, QueueStore, Store, TimerStore,
        TriggerStore,
    };
}

/// A new execution id: base62, unique in practice (time, process and a counter mixed together).
pub fn new_execution_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = jiff::Timestamp::now().as_nanosecond() as u64;
    let count = COUNTER
        .fetch_add(1, Ordering::Relaxed)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut x = nanos ^ (u64::from(std::process::id()) << 32) ^ count;
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    sluice_engine::base62(x ^ (x >> 31))
}
