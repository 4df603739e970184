//! The in-process runtime of `flow run` (and later `server local`): one SQLite store, one
//! executor and one worker, wired together.

use crate::secrets::EnvSecrets;
use anyhow::Context;
use sluice_store::{SqliteStore, Store};
use sluice_worker::{ExecutionCache, Executor, Flows, Kills, Wakers, Worker, WorkerConfig};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// A running executor and worker over one store.
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
    ) -> Runtime {
        let wakers = Wakers::default();
        let kills = Kills::default();
        let flows = Arc::new(Flows::default());
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let cache = ExecutionCache::default();
        let executor = Executor::new(
            store.clone(),
            flows.clone(),
            kills.clone(),
            wakers.clone(),
            cache.clone(),
        );
        let token = shutdown.clone();
        tasks.spawn(async move { executor.run(token).await.context("the executor stopped") });
        let config = WorkerConfig {
            id: worker_id.to_string(),
            data_dir: data_dir.to_path_buf(),
            slots,
            lease: Duration::from_secs(30),
            docker_volumes: settings.docker_volumes,
        };
        let worker = Arc::new(Worker::new(
            config,
            store.clone(),
            flows,
            kills,
            wakers.clone(),
            Arc::new(EnvSecrets),
            cache,
        ));
        let token = shutdown.clone();
        tasks.spawn(async move { worker.run(token).await.context("the worker stopped") });
        if schedules {
            let scheduler = sluice_scheduler::Scheduler::new(store.clone(), wakers.executor.clone());
            let token = shutdown.clone();
            tasks.spawn(async move { scheduler.run(token).await.context("the scheduler stopped") });
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
