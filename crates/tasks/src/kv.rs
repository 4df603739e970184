//! The KV store as the `core.kv` tasks see it: a trait the store implements (on SQLite and
//! PostgreSQL alike) and the worker hands to each call, so a task type stays one module.
//!
//! Kestra: <https://kestra.io/docs/concepts/kv-store>

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sluice_flow::kv::KvType;

/// Why the store behind the KV store or the namespace files could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("the store: {source}")]
pub struct StateError {
    /// What the backend said.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// One KV pair as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct KvEntry {
    /// Its namespace.
    pub namespace: String,
    /// Its key.
    pub key: String,
    /// Its type.
    pub kv_type: KvType,
    /// Its value.
    pub value: Value,
    /// What it is for, when its writer said.
    pub description: Option<String>,
    /// When it was first written.
    pub created: Timestamp,
    /// When it was last written.
    pub updated: Timestamp,
    /// When it stops being readable (`ttl`), if ever.
    pub expires: Option<Timestamp>,
}

/// A write of one KV pair.
#[derive(Debug, Clone)]
pub struct KvPut<'a> {
    /// Namespace written to.
    pub namespace: &'a str,
    /// Key written (checked with [`sluice_flow::kv::check_key`] first).
    pub key: &'a str,
    /// The value's type.
    pub kv_type: KvType,
    /// The value.
    pub value: &'a Value,
    /// What it is for.
    pub description: Option<&'a str>,
    /// When it expires, from its `ttl`.
    pub expires: Option<Timestamp>,
    /// Replace a live pair of the same key; when false such a write changes nothing.
    pub overwrite: bool,
    /// When it is written.
    pub at: Timestamp,
}

/// Reads and writes KV pairs. Expired pairs read as absent; they stay stored until purged.
#[async_trait]
pub trait KvStore: Send + Sync {
    /// The live pair `key` of `namespace` at `now`.
    async fn kv_get(&self, namespace: &str, key: &str, now: Timestamp) -> Result<Option<KvEntry>, StateError>;

    /// The pairs of `namespace` (every namespace when `None`) sorted by namespace and key: only
    /// the live ones at `now`, or every stored one when `now` is `None` (for purges).
    async fn kv_list(&self, namespace: Option<&str>, now: Option<Timestamp>) -> Result<Vec<KvEntry>, StateError>;

    /// Writes a pair; false when `overwrite` is off and a live pair of that key exists (nothing
    /// is written then).
    async fn kv_put(&self, put: &KvPut<'_>) -> Result<bool, StateError>;

    /// Deletes pair `key` of `namespace`, expired or not; true when it was live at `now`.
    async fn kv_delete(&self, namespace: &str, key: &str, now: Timestamp) -> Result<bool, StateError>;
}

/// The KV store handed to a call, shown in debug output by name only.
#[derive(Clone)]
pub struct KvHandle(pub std::sync::Arc<dyn KvStore>);

impl std::fmt::Debug for KvHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KvHandle")
    }
}
