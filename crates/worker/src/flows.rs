//! Flows by namespace, id and revision, parsed once and shared.

use crate::RuntimeError;
use sluice_flow::{Flow, Validator};
use sluice_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// A cache of parsed flow revisions (a revision never changes once stored).
pub struct Flows {
    validator: Validator,
    cache: Mutex<HashMap<(String, String, u32), Arc<Flow>>>,
}

impl Default for Flows {
    fn default() -> Self {
        Flows {
            validator: sluice_tasks::validator(),
            cache: Mutex::default(),
        }
    }
}

impl Flows {
    /// The flow revision an execution runs.
    pub async fn get(
        &self,
        store: &dyn Store,
        namespace: &str,
        id: &str,
        revision: u32,
    ) -> Result<Arc<Flow>, RuntimeError> {
        let key = (namespace.to_string(), id.to_string(), revision);
        if let Some(flow) = self.cache.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Ok(flow.clone());
        }
        let record = store
            .get_flow(namespace, id, Some(revision))
            .await?
            .ok_or_else(|| RuntimeError::FlowMissing(format!("{namespace}.{id} revision {revision}")))?;
        let checked = self.validator.check(&record.source);
        let flow = Arc::new(checked.flow.ok_or_else(|| {
            RuntimeError::FlowMissing(format!("{namespace}.{id} revision {revision} no longer validates"))
        })?);
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, flow.clone());
        Ok(flow)
    }
}
