//! The whole store as one trait object, so callers can hold `Arc<dyn Store>` whatever the backend.

use crate::{
    ConcurrencyStore, EventStore, ExecutionStore, FlowStore, LogStore, MetricStore, QueueStore, TimerStore,
    TriggerStore,
};
use sluice_tasks::kv::KvStore;
use sluice_tasks::namespace_files::NamespaceFileStore;

/// Every capability of a storage backend.
///
/// Implemented automatically for anything that implements all the capability traits; a part that
/// needs only one capability can take `Arc<dyn LogStore>` (or another) instead, upcast from
/// `Arc<dyn Store>`.
pub trait Store:
    FlowStore
    + ExecutionStore
    + EventStore
    + QueueStore
    + TimerStore
    + LogStore
    + MetricStore
    + TriggerStore
    + ConcurrencyStore
    + KvStore
    + NamespaceFileStore
    + crate::secrets::SecretStore
{
}

impl<T> Store for T where
    T: FlowStore
        + ExecutionStore
        + EventStore
        + QueueStore
        + TimerStore
        + LogStore
        + MetricStore
        + TriggerStore
        + ConcurrencyStore
        + KvStore
        + NamespaceFileStore
        + crate::secrets::SecretStore
{
}
