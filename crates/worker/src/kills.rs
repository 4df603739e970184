//! Kill switches for attempts running in this process: the executor pulls them when the engine
//! says `Kill`, the worker's runner watches them.

use sluice_runners::CancellationToken;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Cancellation tokens by task-run id. A kill that arrives before the attempt registers is kept,
/// so the attempt starts cancelled.
#[derive(Clone, Default)]
pub struct Kills {
    tokens: Arc<Mutex<HashMap<String, CancellationToken>>>,
}

impl Kills {
    /// The token of a task run, created if needed.
    pub fn token(&self, task_run_id: &str) -> CancellationToken {
        let mut map = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(task_run_id.to_string()).or_default().clone()
    }

    /// Stops the task run's attempt, now or as soon as it starts here.
    pub fn kill(&self, task_run_id: &str) {
        self.token(task_run_id).cancel();
    }

    /// Forgets a task run whose attempt has ended.
    pub fn forget(&self, task_run_id: &str) {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(task_run_id);
    }
}
