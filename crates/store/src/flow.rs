//! Flow sources and their revisions: every change of a flow's YAML is kept, so an execution can
//! always show the source it ran.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One revision of a flow's source, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowRecord {
    /// Namespace of the flow.
    pub namespace: String,
    /// Id of the flow within its namespace.
    pub id: String,
    /// Revision number: 1 for the first source, one more for each change.
    pub revision: u32,
    /// The YAML source, exactly as given.
    pub source: String,
    /// When this revision was stored.
    pub created: Timestamp,
}

/// Stores flow sources with revisions.
///
/// Deleting a flow hides it from [`FlowStore::get_flow`] without a revision and from
/// [`FlowStore::list_flows`], but keeps its revisions readable by number; storing it again after a
/// delete starts a new revision, as Kestra does.
#[async_trait]
pub trait FlowStore: Send + Sync {
    /// Stores `source` as the newest revision of the flow, unless it equals the newest revision
    /// already stored (then that one is returned unchanged).
    async fn put_flow(&self, namespace: &str, id: &str, source: &str) -> Result<FlowRecord>;

    /// The newest revision of a flow (`None`), or the given revision; `None` if there is none
    /// (or, without a revision, if the flow was deleted).
    async fn get_flow(&self, namespace: &str, id: &str, revision: Option<u32>) -> Result<Option<FlowRecord>>;

    /// The newest revision of every flow that is not deleted, ordered by namespace and id.
    async fn list_flows(&self) -> Result<Vec<FlowRecord>>;

    /// Deletes a flow; returns whether there was one to delete.
    async fn delete_flow(&self, namespace: &str, id: &str) -> Result<bool>;
}
