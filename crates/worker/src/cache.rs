//! The executions this process is advancing, kept in memory so neither the executor nor the
//! worker re-reads and re-parses the stored document at every step.
//!
//! Only the executor writes it, right after committing the same document to the store, so it is
//! never ahead of the store; it can be behind (a moment behind, or for longer when an executor of
//! another process advanced the execution since), so readers check that what they need is there
//! and read the store otherwise. The executor uses an entry only when its stored revision is the
//! one it claimed. An execution leaves it when it ends, or when it is found stale.

use sluice_engine::Execution;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Entries kept at most: past this, the cache starts over (executions advanced by other processes
/// would otherwise stay forever).
const CAPACITY: usize = 50_000;

/// Cached executions by id, each with the stored revision it is.
type Entries = HashMap<String, (Arc<Execution>, u64)>;

/// Latest committed state of running executions, with their stored revisions.
#[derive(Clone, Default)]
pub struct ExecutionCache {
    map: Arc<Mutex<Entries>>,
}

impl ExecutionCache {
    /// The cached execution, if this process is advancing it.
    pub fn get(&self, id: &str) -> Option<Arc<Execution>> {
        self.lock().get(id).map(|(e, _)| e.clone())
    }

    /// The cached execution if it is the stored `revision`; a stale entry is dropped.
    pub fn get_at(&self, id: &str, revision: u64) -> Option<Arc<Execution>> {
        let mut map = self.lock();
        match map.get(id) {
            Some((e, r)) if *r == revision => Some(e.clone()),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    /// Records an execution committed as `revision` (and forgets it once it has ended).
    pub fn put(&self, exec: Arc<Execution>, revision: u64) {
        let mut map = self.lock();
        if exec.state.current.is_terminal() {
            map.remove(&exec.id);
        } else {
            if map.len() >= CAPACITY && !map.contains_key(&exec.id) {
                map.clear();
            }
            map.insert(exec.id.clone(), (exec, revision));
        }
    }

    /// Forgets an execution (another process advanced it).
    pub fn forget(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
