//! The processes around the engine, in one crate for now: the executor (events → engine →
//! store) and the worker (jobs → runners → logs and outcome). `server local` and `flow run`
//! run both in one process over one store; later they scale out over PostgreSQL.

mod backends;
mod cache;
mod concurrency;
mod dbt;
mod executor;
mod files;
mod flow_triggers;
mod flows;
mod kills;
mod lost;
mod mask;
mod namespace_files;
mod pump;
mod resume;
mod stored_args;
mod sweep;
mod verdict;
mod worker;
mod workspace;

pub use cache::ExecutionCache;
pub use executor::{DEFAULT_LEASE, Executor};
pub use flow_triggers::FlowTriggers;
pub use flows::Flows;
pub use kills::Kills;
pub use lost::{Lost, Recovered, recover, survives_worker, worker_lost};
pub use worker::{Worker, WorkerConfig};

use std::sync::Arc;
use tokio::sync::Notify;

/// Wake-ups between the executor and workers of one process, so nobody polls in a hot loop.
#[derive(Clone, Default)]
pub struct Wakers {
    /// New events for the executor.
    pub executor: Arc<Notify>,
    /// New jobs for the workers.
    pub workers: Arc<Notify>,
    /// An execution has ended.
    pub ended: Arc<Notify>,
    /// A step asked to kill an attempt that a worker (maybe in another process) holds.
    pub kills: Arc<Notify>,
}

/// What can stop the executor or a worker.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] sluice_store::StoreError),
    /// An execution's flow revision is gone or no longer valid.
    #[error("flow {0} is not in the store")]
    FlowMissing(String),
    /// An execution or task run named by a job is gone.
    #[error("execution or task run {0} is not in the store")]
    ExecutionMissing(String),
    /// A task could not be planned.
    #[error(transparent)]
    Task(#[from] sluice_tasks::TaskError),
}

impl RuntimeError {
    /// Whether trying again later may work: the store failed for a while (see
    /// [`sluice_store::StoreError::is_transient`]).
    pub fn is_transient(&self) -> bool {
        matches!(self, RuntimeError::Store(e) if e.is_transient())
    }
}
