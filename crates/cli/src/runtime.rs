//! The parts of a Sluice process over one store, wired together: an executor, a worker, the
//! scheduler, and (on PostgreSQL) the listener that turns the store's notifications into
//! wake-ups. `flow run` and `server local` run them all on SQLite; on PostgreSQL, `server
//! standalone --db` runs several of them side by side and `sluice worker` only a worker.

use crate::secrets::EnvSecrets;
use anyhow::Context;
use sluice_store::postgres::{Channel, Wakeup};
use sluice_store::{PostgresStore, SqliteStore, Store};
use sluice_worker::{ExecutionCache, Executor, Flows, Kills, Wakers, Worker, WorkerConfig};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Which parts a process runs, and how.
pub struct Parts {
    /// Names this process in the store: its executor's holds and its worker's leases. Unique
    /// among the processes sharing a store.
    pub id: String,
    /// Run an executor.
    pub executor: bool,
    /// Run the scheduler.
    pub scheduler: bool,
    /// Run a worker with this many parallel attempts (none if 0).
    pub slots: usize,
    /// Lease of the worker's jobs and of the executor's holds; a lost worker's attempts are
    /// settled once a lease has run out.
    pub lease: Duration,
    /// What task runners may do.
    pub settings: RunnerSettings,
    /// Internal storage.
    pub storage: sluice_store::Storage,
    /// The key of the stored secrets (`SLUICE_SECRET_KEY`), if configured.
    pub secret_box: Option<Arc<sluice_store::secrets::SecretBox>>,
    /// On PostgreSQL: wake the parts when the store notifies, instead of waiting for their polls.
    pub listen: Option<PostgresStore>,
}

/// This process's name in a shared store: host name and process id, unique among live processes.
pub fn process_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "sluice".to_owned());
    format!("{host}-{}", std::process::id())
}

/// Parses a lease length: ISO 8601 (`PT30S`) or friendly (`30s`, `1m`); at least one second.
pub fn parse_lease(text: &str) -> Result<Duration, String> {
    parse_period("lease", text)
}

/// Parses a setting's length (`what` names it in errors): ISO 8601 (`PT30S`) or friendly
/// (`30s`, `1m`); at least one second.
pub fn parse_period(what: &str, text: &str) -> Result<Duration, String> {
    let parsed: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|e| format!("`{text}` is not a duration such as PT30S or 30s: {e}"))?;
    let period = Duration::try_from(parsed).map_err(|_| format!("the {what} `{text}` is negative"))?;
    if period < Duration::from_secs(1) {
        return Err(format!("the {what} `{text}` is shorter than one second"));
    }
    Ok(period)
}

/// Connects to PostgreSQL (and brings its schema up to date).
pub async fn open_postgres(url: &str) -> anyhow::Result<PostgresStore> {
    Ok(PostgresStore::connect(url).await?)
}

/// Running parts over one store.
pub struct Runtime {
    /// Wake-ups, e.g. to wait for an execution to end.
    pub wakers: Wakers,
    shutdown: CancellationToken,
    tasks: JoinSet<anyhow::Result<()>>,
}

/// Takes the data folder for this process: one executor and worker per embedded store, so
/// `flow run` and `server local` on the same folder cannot step the same executions twice.
/// The lock lasts as long as the returned file is open.
pub fn lock_data_dir(data_dir: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create `{}`", data_dir.display()))?;
    let path = data_dir.join("sluice.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open `{}`", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another Sluice process is running on `{}`; send flows to its API instead, or pass another --data-dir",
            data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("cannot lock `{}`", path.display())),
    }
}

/// Opens the SQLite store in `data_dir`.
pub async fn open_sqlite(data_dir: &Path) -> anyhow::Result<SqliteStore> {
    SqliteStore::open(data_dir)
        .await
        .with_context(|| format!("cannot open the Sluice database in `{}`", data_dir.display()))
}

/// Opens the store in `data_dir`.
pub async fn open_store(data_dir: &Path) -> anyhow::Result<Arc<dyn Store>> {
    Ok(Arc::new(open_sqlite(data_dir).await?))
}

/// What task runners may do on this machine, from the command line or the configuration.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunnerSettings {
    /// Let Docker tasks bind host folders (`volumes` of the Docker task runner).
    #[arg(long, env = "SLUICE_DOCKER_VOLUMES")]
    pub docker_volumes: bool,
    /// The address users open the UI at (`https://sluice.example.com`), for the links that
    /// notifications such as SlackExecution send.
    #[arg(long, env = "SLUICE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Internal storage: `local` (the data folder, the default) or
    /// `s3://bucket[/prefix]?endpoint=http://host:port&region=us-east-1`, with the credentials in
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`. Every server and worker sharing a
    /// database must use the same.
    #[arg(long, env = "SLUICE_STORAGE")]
    pub storage: Option<String>,
}

/// The key of the stored secrets, from `SLUICE_SECRET_KEY` (none when unset).
pub fn secret_box() -> anyhow::Result<Option<Arc<sluice_store::secrets::SecretBox>>> {
    Ok(sluice_store::secrets::SecretBox::from_env()
        .map_err(|e| anyhow::anyhow!(e))?
        .map(Arc::new))
}

impl RunnerSettings {
    /// Opens the internal storage these settings name (the data folder's by default).
    pub fn open_storage(&self, data_dir: &Path) -> anyhow::Result<sluice_store::Storage> {
        let config = match &self.storage {
            Some(url) => sluice_store::StorageConfig::parse_url(url)?,
            None => sluice_store::StorageConfig::Local,
        };
        Ok(config.open(data_dir)?)
    }
}

impl Runtime {
    /// Starts an executor and a worker with `slots` parallel attempts; with `schedules`, also
    /// the scheduler. `worker_id` names the worker's leases.
    pub fn start(
        store: Arc<dyn Store>,
        data_dir: &Path,
        slots: usize,
        worker_id: &str,
        schedules: bool,
        settings: &RunnerSettings,
        storage: sluice_store::Storage,
    ) -> Runtime {
        Runtime::start_parts(
            store,
            data_dir,
            Parts {
                id: worker_id.to_string(),
                executor: true,
                scheduler: schedules,
                slots,
                lease: sluice_worker::DEFAULT_LEASE,
                settings: settings.clone(),
                storage,
                secret_box: secret_box().ok().flatten(),
                listen: None,
            },
        )
    }

    /// Starts the chosen parts.
    pub fn start_parts(store: Arc<dyn Store>, data_dir: &Path, parts: Parts) -> Runtime {
        let wakers = Wakers::default();
        let kills = Kills::default();
        let flows = Arc::new(Flows::default());
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let cache = ExecutionCache::default();
        if parts.executor {
            let executor = Executor::new(
                store.clone(),
                flows.clone(),
                kills.clone(),
                wakers.clone(),
                cache.clone(),
            )
            .with_identity(parts.id.clone(), parts.lease);
            let token = shutdown.clone();
            tasks.spawn(async move { executor.run(token).await.context("the executor stopped") });
        }
        if parts.slots > 0 {
            let config = WorkerConfig {
                id: parts.id.clone(),
                data_dir: data_dir.to_path_buf(),
                slots: parts.slots,
                lease: parts.lease,
                docker_volumes: parts.settings.docker_volumes,
                public_url: parts.settings.public_url.clone(),
                storage: parts.storage.clone(),
            };
            let worker = Arc::new(Worker::new(
                config,
                store.clone(),
                flows,
                kills,
                wakers.clone(),
                Arc::new(
                    sluice_store::WithKv::new(Arc::new(EnvSecrets), store.clone())
                        .with_storage(parts.storage.clone())
                        .with_secret_box(parts.secret_box.clone()),
                ),
                cache,
            ));
            let token = shutdown.clone();
            tasks.spawn(async move { worker.run(token).await.context("the worker stopped") });
        }
        if parts.scheduler {
            let scheduler = sluice_scheduler::Scheduler::new(store.clone(), wakers.executor.clone());
            let token = shutdown.clone();
            tasks.spawn(async move { scheduler.run(token).await.context("the scheduler stopped") });
        }
        if let Some(pg) = parts.listen {
            let token = shutdown.clone();
            let wakers = wakers.clone();
            tasks.spawn(async move {
                relay(pg, wakers, token).await;
                Ok(())
            });
        }
        Runtime {
            wakers,
            shutdown,
            tasks,
        }
    }

    /// The first error of the executor or worker, if one stopped; waits while both run.
    pub async fn failed(&mut self) -> anyhow::Error {
        match self.tasks.join_next().await {
            Some(Ok(Err(e))) => e,
            Some(Err(e)) => anyhow::anyhow!("a runtime task panicked: {e}"),
            Some(Ok(Ok(()))) | None => anyhow::anyhow!("the runtime stopped"),
        }
    }

    /// Stops the executor, the worker and the scheduler (running attempts are stopped and their
    /// leases released), waiting at most `grace`.
    pub async fn stop(mut self, grace: Duration) -> anyhow::Result<()> {
        self.shutdown.cancel();
        let drain = async {
            while let Some(joined) = self.tasks.join_next().await {
                joined.context("a runtime task panicked")??;
            }
            anyhow::Ok(())
        };
        match tokio::time::timeout(grace, drain).await {
            Ok(result) => result,
            Err(_) => anyhow::bail!("the runtime did not stop within {grace:?}"),
        }
    }
}

/// Turns the store's notifications into wake-ups until `shutdown`: new events and timers wake the
/// executor, new or released jobs the worker, kill requests the worker's kill check. Notifications are hints: everything they wake also
/// polls (the executor every second, the worker every half second), and after a lost connection
/// everything is woken to read the store again. A listener that cannot connect is retried.
async fn relay(store: PostgresStore, wakers: Wakers, shutdown: CancellationToken) {
    let wake_all = || {
        wakers.executor.notify_one();
        wakers.workers.notify_one();
        wakers.kills.notify_one();
    };
    let mut backoff = Duration::from_millis(500);
    let mut listener = loop {
        tokio::select! {
            listened = store.listen(&Channel::ALL) => match listened {
                Ok(listener) => break listener,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for the store's notifications yet; polling meanwhile");
                }
            },
            () = shutdown.cancelled() => return,
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = shutdown.cancelled() => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(10));
    };
    // Whatever was written before the listener started was not announced to it.
    wake_all();
    let mut failing = false;
    loop {
        let woke = tokio::select! {
            woke = listener.recv() => woke,
            () = shutdown.cancelled() => return,
        };
        match woke {
            Ok(Wakeup::Notified {
                channel: Channel::Jobs, ..
            }) => wakers.workers.notify_one(),
            Ok(Wakeup::Notified {
                channel: Channel::Kills,
                ..
            }) => wakers.kills.notify_one(),
            Ok(Wakeup::Notified { .. }) => wakers.executor.notify_one(),
            Ok(Wakeup::Reconnected) => wake_all(),
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e, "lost the store's notifications; polling until they are back");
                }
                failing = true;
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    () = shutdown.cancelled() => return,
                }
                continue;
            }
        }
        if std::mem::take(&mut failing) {
            wake_all();
        }
    }
}
