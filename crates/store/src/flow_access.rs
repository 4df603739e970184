//! [`sluice_tasks::flows::FlowAccess`] over any store, for the git tasks.

use crate::Store;
use async_trait::async_trait;
use sluice_tasks::flows::{FlowAccess, StoredFlow};
use sluice_tasks::kv::StateError;
use std::sync::Arc;

/// A store's flows, as the git tasks read and write them.
pub struct StoreFlows(pub Arc<dyn Store>);

#[async_trait]
impl FlowAccess for StoreFlows {
    async fn flows_of(&self, namespace: &str, children: bool) -> Result<Vec<StoredFlow>, StateError> {
        let below = format!("{namespace}.");
        Ok(self
            .0
            .list_flows()
            .await?
            .into_iter()
            .filter(|f| f.namespace == namespace || (children && f.namespace.starts_with(&below)))
            .map(|f| StoredFlow {
                namespace: f.namespace,
                id: f.id,
                revision: f.revision,
                source: f.source,
            })
            .collect())
    }

    async fn deploy_flow(&self, namespace: &str, id: &str, source: &str) -> Result<u32, StateError> {
        Ok(self.0.put_flow(namespace, id, source).await?.revision)
    }

    async fn remove_flow(&self, namespace: &str, id: &str) -> Result<bool, StateError> {
        Ok(self.0.delete_flow(namespace, id).await?)
    }
}
