//! The executions this process is advancing, kept in memory so neither the executor nor the
//! worker re-reads and re-parses the stored document at every step.
//!
//! Only the executor writes it, right after committing the same document to the store, so it is
//! never ahead of the store; it can be a moment behind, so readers check that what they need is
//! there and read the store otherwise. An execution leaves it when it ends.

use sluice_engine::Execution;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Latest committed state of running executions.
#[derive(Clone, Default)]
pub struct ExecutionCache {
    map: Arc<Mutex<HashMap<String, Arc<Execution>>>>,
}

impl ExecutionCache {
    /// The cached execution, if this process is advancing it.
    pub fn get(&self, id: &str) -> Option<Arc<Execution>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner).get(id).cloned()
    }

    /// Records a committed execution (and forgets it once it has ended).
    pub fn put(&self, exec: Arc<Execution>) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        if exec.state.current.is_terminal() {
            map.remove(&exec.id);
        } else {
            map.insert(exec.id.clone(), exec);
        }
    }
}
