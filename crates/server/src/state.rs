//! What every request handler shares.

use crate::Auth;
use sluice_flow::Validator;
use sluice_flow::template::{NoSecrets, SecretSource};
use sluice_store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Shared state of the API and the UI.
#[derive(Clone)]
pub struct AppState {
    /// Where flows, executions and logs live.
    pub store: Arc<dyn Store>,
    /// Checks flows posted to the API or saved in the editor.
    pub validator: Arc<Validator>,
    /// Wakes the executor when the API posts an event (new execution, kill, restart).
    pub executor_wake: Arc<Notify>,
    /// The data folder: kept output files live under `files/`.
    pub data_dir: PathBuf,
    /// Who may call the server (open when empty).
    pub auth: Arc<Auth>,
    /// Secrets that templated input defaults may read (none unless set with [`Self::with_secrets`]).
    pub secrets: Arc<dyn SecretSource>,
    /// Longest a `wait: true` webhook call is held before it is answered with the execution
    /// still running.
    pub webhook_wait: Duration,
    /// Internal storage: FILE inputs are written there, stored files served from there.
    pub storage: sluice_store::Storage,
    /// The key that seals stored secrets (`SLUICE_SECRET_KEY`); without it they cannot be set.
    pub secret_box: Option<Arc<sluice_store::secrets::SecretBox>>,
}

/// How long a `wait: true` webhook call is held at most, unless configured.
pub const DEFAULT_WEBHOOK_WAIT: Duration = Duration::from_secs(300);

impl AppState {
    /// State over a store and an internal storage; `executor_wake` is notified after every
    /// event the API posts.
    pub fn new(
        store: Arc<dyn Store>,
        executor_wake: Arc<Notify>,
        data_dir: PathBuf,
        storage: sluice_store::Storage,
    ) -> Self {
        AppState {
            storage,
            secret_box: None,
            store,
            validator: Arc::new(sluice_tasks::validator()),
            executor_wake,
            data_dir,
            auth: Arc::new(Auth::default()),
            secrets: Arc::new(NoSecrets),
            webhook_wait: DEFAULT_WEBHOOK_WAIT,
        }
    }

    /// The same state, sealing stored secrets with `key`.
    pub fn with_secret_box(mut self, key: Option<Arc<sluice_store::secrets::SecretBox>>) -> Self {
        self.secret_box = key;
        self
    }

    /// The same state, holding `wait: true` webhook calls at most `wait`.
    pub fn with_webhook_wait(mut self, wait: Duration) -> Self {
        self.webhook_wait = wait;
        self
    }

    /// The same state, with the secrets `secret()` reads in input defaults.
    pub fn with_secrets(mut self, secrets: Arc<dyn SecretSource>) -> Self {
        self.secrets = secrets;
        self
    }

    /// The same state, requiring `auth`'s credentials on every request.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = Arc::new(auth);
        self
    }
}
