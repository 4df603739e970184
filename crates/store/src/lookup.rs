//! Templates render synchronously, the store is async: [`WithKv`] answers `{{ kv('KEY') }}`
//! and `{{ read('path') }}` from the store by blocking the rendering thread on the read (the
//! runtime's other threads go on meanwhile), and `{{ secret('NAME') }}` from the secrets it
//! wraps.

use crate::Store;
use jiff::Timestamp;
use serde_json::Value;
use sluice_flow::template::SecretSource;
use std::sync::Arc;
use tokio::runtime::{Handle, RuntimeFlavor};

/// Secrets, plus the store for `kv()` and `read()`, and internal storage for `read()` of
/// `kestra://` files.
pub struct WithKv {
    secrets: Arc<dyn SecretSource>,
    store: Arc<dyn Store>,
    storage: Option<crate::Storage>,
    secret_box: Option<Arc<crate::secrets::SecretBox>>,
}

impl WithKv {
    /// `secret()` from `secrets`, `kv()` and `read()` from `store`.
    pub fn new(secrets: Arc<dyn SecretSource>, store: Arc<dyn Store>) -> Self {
        WithKv {
            secrets,
            store,
            storage: None,
            secret_box: None,
        }
    }

    /// The same, reading the store's encrypted secrets with `key`.
    pub fn with_secret_box(mut self, key: Option<Arc<crate::secrets::SecretBox>>) -> Self {
        self.secret_box = key;
        self
    }

    /// The same, reading `kestra://` files from `storage`.
    pub fn with_storage(mut self, storage: crate::Storage) -> Self {
        self.storage = Some(storage);
        self
    }
}

/// Most bytes `read()` returns of a stored file: the text goes into a rendered property.
const MAX_READ: u64 = 16 * 1024 * 1024;

/// Runs a store read to its end from synchronous code on a multi-threaded runtime.
fn block<T>(read: impl std::future::Future<Output = T>) -> Result<T, String> {
    let handle = Handle::try_current().map_err(|_| "the store is read from async code only".to_string())?;
    if handle.runtime_flavor() == RuntimeFlavor::CurrentThread {
        return Err("the store cannot be read from a single-threaded runtime".into());
    }
    Ok(tokio::task::block_in_place(|| handle.block_on(read)))
}

impl SecretSource for WithKv {
    fn secret(&self, name: &str) -> Option<String> {
        self.secrets.secret(name)
    }

    fn namespaced_secret(&self, namespace: &str, name: &str) -> Result<Option<String>, String> {
        if let Some(key) = &self.secret_box {
            let mut at = namespace;
            loop {
                if let Some(sealed) = block(self.store.get_secret(at, name))?.map_err(|e| e.to_string())? {
                    return key.open(at, name, &sealed).map(Some);
                }
                match at.rsplit_once('.') {
                    Some((parent, _)) => at = parent,
                    None => break,
                }
            }
        }
        Ok(self.secrets.secret(name))
    }

    fn kv(&self, namespace: &str, key: &str) -> Result<Option<Value>, String> {
        block(self.store.kv_get(namespace, key, Timestamp::now()))?
            .map(|found| found.map(|e| e.value))
            .map_err(|e| e.to_string())
    }

    fn namespace_file(&self, namespace: &str, path: &str) -> Result<Option<Vec<u8>>, String> {
        block(self.store.read_namespace_file(namespace, path))?.map_err(|e| e.to_string())
    }

    fn stored_file(&self, namespace: &str, uri: &str) -> Result<Vec<u8>, String> {
        let Some(storage) = &self.storage else {
            return Err("internal storage is not readable here".into());
        };
        crate::files::check_namespace(namespace, uri).map_err(|e| e.to_string())?;
        block(async {
            use futures_util::StreamExt;
            let (size, mut stream) = storage.get(uri).await?;
            if size > MAX_READ {
                return Err(crate::StorageError::Config(format!(
                    "`{uri}` is {size} bytes; read() returns at most {MAX_READ}: pass the file in `inputFiles` instead"
                )));
            }
            let mut out = Vec::new();
            while let Some(chunk) = stream.next().await {
                out.extend_from_slice(&chunk?);
            }
            Ok(out)
        })?
        .map_err(|e| e.to_string())
    }
}
