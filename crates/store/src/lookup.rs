//! Templates render synchronously, the store is async: [`WithKv`] answers `{{ kv('KEY') }}`
//! from the store by blocking the rendering thread on the read (the runtime's other threads go
//! on meanwhile), and `{{ secret('NAME') }}` from the secrets it wraps.

use jiff::Timestamp;
use serde_json::Value;
use sluice_flow::template::SecretSource;
use sluice_tasks::kv::KvStore;
use std::sync::Arc;
use tokio::runtime::{Handle, RuntimeFlavor};

/// Secrets, plus the KV store for `kv()`.
pub struct WithKv {
    secrets: Arc<dyn SecretSource>,
    kv: Arc<dyn KvStore>,
}

impl WithKv {
    /// `secret()` from `secrets`, `kv()` from `kv`.
    pub fn new(secrets: Arc<dyn SecretSource>, kv: Arc<dyn KvStore>) -> Self {
        WithKv { secrets, kv }
    }
}

impl SecretSource for WithKv {
    fn secret(&self, name: &str) -> Option<String> {
        self.secrets.secret(name)
    }

    fn kv(&self, namespace: &str, key: &str) -> Result<Option<Value>, String> {
        let handle = Handle::try_current().map_err(|_| "the KV store is read from async code only".to_string())?;
        if handle.runtime_flavor() == RuntimeFlavor::CurrentThread {
            return Err("the KV store cannot be read from a single-threaded runtime".into());
        }
        let read = self.kv.kv_get(namespace, key, Timestamp::now());
        tokio::task::block_in_place(|| handle.block_on(read))
            .map(|found| found.map(|e| e.value))
            .map_err(|e| e.to_string())
    }
}
