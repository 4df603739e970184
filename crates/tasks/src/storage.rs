//! Internal storage as the `core.storage` tasks see it beyond reading and storing files (which
//! go through [`crate::Call::reads`] and [`crate::Finished::stored`]): deleting. The store
//! crate's `Storage` implements it, on the data folder and on S3 alike.
//!
//! Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.delete>

use crate::kv::StateError;
use async_trait::async_trait;

/// Deletes stored files.
#[async_trait]
pub trait TaskStorage: Send + Sync {
    /// Deletes the file at `uri`; whether there was one.
    async fn delete_file(&self, uri: &str) -> Result<bool, StateError>;

    /// Deletes every file under the folder address `prefix`; the addresses deleted.
    async fn delete_folder(&self, prefix: &str) -> Result<Vec<String>, StateError>;
}

/// The storage handed to a call, shown in debug output by name only.
#[derive(Clone)]
pub struct StorageHandle(pub std::sync::Arc<dyn TaskStorage>);

impl std::fmt::Debug for StorageHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StorageHandle")
    }
}
