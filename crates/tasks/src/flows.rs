//! Flows as the git tasks see them: the ones stored for a namespace, deployed and deleted, so
//! `git.SyncFlows` and `git.PushFlows` can move them between the store and a repository. The
//! store crate implements it over any store.
//!
//! Kestra: <https://kestra.io/plugins/plugin-git/io.kestra.plugin.git.syncflows>

use crate::kv::StateError;
use async_trait::async_trait;

/// A stored flow's latest revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFlow {
    /// Its namespace.
    pub namespace: String,
    /// Its id.
    pub id: String,
    /// Its revision.
    pub revision: u32,
    /// Its YAML source.
    pub source: String,
}

/// Reads and writes stored flows.
#[async_trait]
pub trait FlowAccess: Send + Sync {
    /// The flows of `namespace`, and of the namespaces below it with `children`.
    async fn flows_of(&self, namespace: &str, children: bool) -> Result<Vec<StoredFlow>, StateError>;

    /// Stores a (validated) source; its revision.
    async fn deploy_flow(&self, namespace: &str, id: &str, source: &str) -> Result<u32, StateError>;

    /// Deletes a flow; whether it existed.
    async fn remove_flow(&self, namespace: &str, id: &str) -> Result<bool, StateError>;
}

/// The flows handed to a call, shown in debug output by name only.
#[derive(Clone)]
pub struct FlowsHandle(pub std::sync::Arc<dyn FlowAccess>);

impl std::fmt::Debug for FlowsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FlowsHandle")
    }
}
