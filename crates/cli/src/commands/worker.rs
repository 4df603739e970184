//! `sluice worker --db postgres://…`: a process that only runs tasks, for the servers that share
//! the same PostgreSQL database. It claims attempts under leases it renews, is woken by the
//! database's notifications when work is queued, and hands its attempts back when stopped.

use crate::runtime::{Parts, RunnerSettings, Runtime, open_postgres, parse_lease, process_id};
use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Arguments of `sluice worker`.
#[derive(clap::Args)]
pub struct WorkerArgs {
    /// The PostgreSQL database the servers use, `postgres://user:password@host:port/db`.
    #[arg(long, env = "SLUICE_DB", value_name = "URL")]
    pub db: String,
    /// Attempts run at once.
    #[arg(long, env = "SLUICE_SLOTS", default_value_t = 8)]
    pub slots: usize,
    /// This worker's name in its leases [default: host name and process id]. Give a stable one
    /// to have a restarted worker settle the attempts it lost at once instead of after its lease.
    #[arg(long, env = "SLUICE_WORKER_ID")]
    pub id: Option<String>,
    /// How long a lease on an attempt lasts (renewed every third of it): if this worker dies,
    /// its attempts are settled (re-attached, or failed as `worker lost`) after this long.
    #[arg(long, env = "SLUICE_LEASE", value_name = "DURATION", default_value = "PT30S", value_parser = parse_lease)]
    pub lease: Duration,
    /// What task runners may do.
    #[command(flatten)]
    pub runners: RunnerSettings,
}

/// Runs `sluice worker` until Ctrl-C or SIGTERM.
pub async fn run(args: WorkerArgs, data_dir: &Path) -> Result<ExitCode> {
    let pg = open_postgres(&args.db).await?;
    let id = args.id.clone().unwrap_or_else(process_id);
    let store: Arc<dyn sluice_store::Store> = Arc::new(pg.clone());
    let recovered = sluice_worker::recover(store.as_ref(), &sluice_worker::Flows::default(), &id).await?;
    if recovered.lost + recovered.resumed > 0 {
        eprintln!(
            "worker `{id}` was stopped before: {} attempt(s) end as `worker lost`, {} in containers are re-attached",
            recovered.lost, recovered.resumed
        );
    }
    let mut runtime = Runtime::start_parts(
        store,
        data_dir,
        Parts {
            id: id.clone(),
            executor: false,
            scheduler: false,
            slots: args.slots.max(1),
            lease: args.lease,
            storage: args.runners.open_storage(data_dir)?,
            secret_box: crate::runtime::secret_box()?,
            settings: args.runners,
            listen: Some(pg.clone()),
        },
    );
    println!(
        "Sluice worker `{id}` is running {} attempt(s) at once from {} (Ctrl-C or SIGTERM stops it)",
        args.slots.max(1),
        pg.target()
    );
    let outcome = tokio::select! {
        () = crate::commands::server::shutdown_signal() => Ok(()),
        err = runtime.failed() => Err(err),
    };
    eprintln!("stopping: running attempts are stopped and handed back …");
    runtime.stop(Duration::from_secs(30)).await?;
    pg.close().await;
    outcome?;
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}
