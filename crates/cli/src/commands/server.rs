//! `sluice server local` and `sluice server standalone`: API, web UI, scheduler, executor and
//! worker in one process over one store. `server standalone --db postgres://…` runs on a
//! PostgreSQL database that several servers (replicas) and `sluice worker` processes share.

use crate::commands::deploy::Deployer;
use crate::runtime::{Parts, Runtime, open_postgres, open_sqlite, parse_lease, parse_period, process_id};
use anyhow::{Context, Result};
use clap::Subcommand;
use serde::Deserialize;
use sluice_store::{PostgresStore, Store};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Worker id of the single worker of `server local`: leases it held before a crash are its own.
const LOCAL_WORKER: &str = "local";

/// Subcommands of `sluice server`.
#[derive(Subcommand)]
pub enum ServerCommand {
    /// One process on embedded SQLite: API, web UI, scheduler, executor and worker.
    Local(ServerArgs),
    /// The same, configured by a YAML file (every setting also from `SLUICE_*` variables); with
    /// `--db postgres://…`, one of several replicas sharing a PostgreSQL database.
    Standalone {
        /// Configuration file (YAML): `port`, `bind`, `flows`, `slots`, `db`, `workers`, `lease`,
        /// `id`, `auth`, `dockerVolumes`.
        #[arg(long, short = 'c', env = "SLUICE_CONFIG")]
        config: Option<PathBuf>,
        /// Settings given on the command line win over the file.
        #[command(flatten)]
        args: ServerArgs,
    },
}

/// Settings of a server.
#[derive(clap::Args, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerArgs {
    /// Port to listen on [default: 8080].
    #[arg(long, env = "SLUICE_PORT")]
    pub port: Option<u16>,
    /// Address to listen on [default: 127.0.0.1].
    #[arg(long, env = "SLUICE_BIND")]
    pub bind: Option<IpAddr>,
    /// Folder of flow files deployed at start and redeployed when they change.
    #[arg(long, env = "SLUICE_FLOWS")]
    pub flows: Option<PathBuf>,
    /// Attempts run at once [default: 8].
    #[arg(long, env = "SLUICE_SLOTS")]
    pub slots: Option<usize>,
    /// Credentials (configuration file only): `auth: {basic: {username, password}, tokens: [...]}`;
    /// also `SLUICE_AUTH_BASIC=user:password` and `SLUICE_AUTH_TOKENS=t1,t2`.
    #[arg(skip)]
    pub auth: Option<sluice_server::Auth>,
    /// Serve a non-loopback address without credentials (only behind something that
    /// authenticates); `insecureNoAuth: true` in the file.
    #[arg(long, env = "SLUICE_INSECURE_NO_AUTH", num_args = 0..=1, default_missing_value = "true")]
    #[serde(rename = "insecureNoAuth")]
    pub insecure_no_auth: Option<bool>,
    /// Let Docker tasks bind host folders (`volumes`); `dockerVolumes: true` in the file.
    #[arg(long, env = "SLUICE_DOCKER_VOLUMES", num_args = 0..=1, default_missing_value = "true")]
    #[serde(rename = "dockerVolumes")]
    pub docker_volumes: Option<bool>,
    /// The address users open the UI at, for links in notifications (SlackExecution…)
    /// [default: this server's own address]; `publicUrl` in the file.
    #[arg(long, env = "SLUICE_PUBLIC_URL", value_name = "URL")]
    #[serde(rename = "publicUrl")]
    pub public_url: Option<String>,
    /// PostgreSQL database shared with other servers and workers, `postgres://user:password@host:port/db`
    /// (`server standalone` only; without it, SQLite in the data folder). `db` or `dbUrl` in the file.
    #[arg(long, env = "SLUICE_DB", value_name = "URL")]
    #[serde(alias = "dbUrl")]
    pub db: Option<String>,
    /// Workers in this process: 1, or 0 to leave the tasks to `sluice worker` processes
    /// (with `--db` only) [default: 1].
    #[arg(long, env = "SLUICE_WORKERS")]
    pub workers: Option<usize>,
    /// How long a worker's lease on an attempt lasts (renewed every third of it): a worker that
    /// dies loses its attempts after this long [default: PT30S].
    #[arg(long, env = "SLUICE_LEASE", value_name = "DURATION")]
    pub lease: Option<String>,
    /// This process's name in the shared database (its worker's leases) [default: host name and
    /// process id]. Give a stable one to have a restarted server settle its own lost attempts at once.
    #[arg(long, env = "SLUICE_ID")]
    pub id: Option<String>,
    /// Longest a Webhook trigger with `wait: true` holds its caller; then it answers 202 with
    /// the execution still running [default: PT5M]; `webhookWait` in the file.
    #[arg(long, env = "SLUICE_WEBHOOK_WAIT", value_name = "DURATION")]
    #[serde(rename = "webhookWait")]
    pub webhook_wait: Option<String>,
    /// Internal storage: `local` (the data folder) [default] or
    /// `s3://bucket[/prefix]?endpoint=http://host:port&region=us-east-1` (credentials in
    /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`); in the file also `storage: {type: s3, bucket,
    /// prefix, endpoint, region, accessKeyId, secretAccessKey}`. Replicas must share it.
    #[arg(long, env = "SLUICE_STORAGE", value_name = "URL", value_parser = storage_url)]
    #[serde(deserialize_with = "storage_setting")]
    pub storage: Option<sluice_store::StorageConfig>,
}

fn storage_url(text: &str) -> Result<sluice_store::StorageConfig, String> {
    sluice_store::StorageConfig::parse_url(text).map_err(|e| e.to_string())
}

/// `storage:` in the file: a URL or a mapping.
fn storage_setting<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<sluice_store::StorageConfig>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Setting {
        Url(String),
        Map(sluice_store::StorageConfig),
    }
    match Option::<Setting>::deserialize(d)? {
        None => Ok(None),
        Some(Setting::Url(url)) => storage_url(&url).map(Some).map_err(serde::de::Error::custom),
        Some(Setting::Map(config)) => Ok(Some(config)),
    }
}

impl ServerArgs {
    fn or(self, file: ServerArgs) -> ServerArgs {
        ServerArgs {
            port: self.port.or(file.port),
            bind: self.bind.or(file.bind),
            flows: self.flows.or(file.flows),
            slots: self.slots.or(file.slots),
            auth: self.auth.or(file.auth),
            docker_volumes: self.docker_volumes.or(file.docker_volumes),
            public_url: self.public_url.or(file.public_url),
            insecure_no_auth: self.insecure_no_auth.or(file.insecure_no_auth),
            db: self.db.or(file.db),
            workers: self.workers.or(file.workers),
            lease: self.lease.or(file.lease),
            id: self.id.or(file.id),
            webhook_wait: self.webhook_wait.or(file.webhook_wait),
            storage: self.storage.or(file.storage),
        }
    }
}

fn read_config(path: &Path) -> Result<ServerArgs> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let node =
        sluice_flow::yaml::parse(&text).map_err(|d| anyhow::anyhow!("{}", d.render(&path.display().to_string())))?;
    serde_json::from_value(node.to_json()).with_context(|| {
        format!(
            "`{}`: settings are `port`, `bind`, `flows`, `slots`, `db`, `workers`, `lease`, `id`, `auth`, `dockerVolumes`, `publicUrl`, `webhookWait`, `storage` and `insecureNoAuth`",
            path.display()
        )
    })
}

/// Runs a `sluice server` subcommand.
pub async fn run(cmd: ServerCommand, data_dir: &Path) -> Result<ExitCode> {
    let args = match cmd {
        ServerCommand::Local(args) => {
            if args.db.is_some() {
                anyhow::bail!(
                    "`server local` keeps its SQLite database in the data folder; run `sluice server standalone --db URL` to use PostgreSQL"
                );
            }
            args
        }
        ServerCommand::Standalone { config, args } => match config {
            Some(path) => args.or(read_config(&path)?),
            None => args,
        },
    };
    serve(args, data_dir).await
}

/// Credentials from the configuration and the `SLUICE_AUTH_*` variables.
fn auth(configured: Option<sluice_server::Auth>) -> Result<sluice_server::Auth> {
    let mut auth = configured.unwrap_or_default();
    if let Ok(pair) = std::env::var("SLUICE_AUTH_BASIC") {
        let (username, password) = pair
            .split_once(':')
            .context("SLUICE_AUTH_BASIC must be `user:password`")?;
        auth.basic = Some(sluice_server::BasicAuth {
            username: username.into(),
            password: password.into(),
        });
    }
    if let Ok(tokens) = std::env::var("SLUICE_AUTH_TOKENS") {
        auth.tokens.extend(
            tokens
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from),
        );
    }
    Ok(auth)
}

/// The store of a server: SQLite in the data folder (one process, holding the folder's lock), or
/// a shared PostgreSQL database.
enum Backend {
    Sqlite(sluice_store::SqliteStore, #[allow(dead_code)] std::fs::File),
    Postgres(Box<sluice_store::PostgresStore>),
}

impl Backend {
    async fn close(&self) {
        match self {
            Backend::Sqlite(store, _) => store.close().await,
            Backend::Postgres(store) => store.close().await,
        }
    }
}

async fn serve(args: ServerArgs, data_dir: &Path) -> Result<ExitCode> {
    let auth = auth(args.auth.clone())?;
    let lease = match &args.lease {
        Some(text) => parse_lease(text).map_err(|e| anyhow::anyhow!("--lease: {e}"))?,
        None => sluice_worker::DEFAULT_LEASE,
    };
    let webhook_wait = match &args.webhook_wait {
        Some(text) => parse_period("webhook wait", text).map_err(|e| anyhow::anyhow!("--webhook-wait: {e}"))?,
        None => sluice_server::DEFAULT_WEBHOOK_WAIT,
    };
    let workers = args.workers.unwrap_or(1);
    if workers > 1 {
        anyhow::bail!(
            "--workers is 0 or 1: one worker runs `--slots` attempts at once; start `sluice worker` processes for more"
        );
    }
    if workers == 0 && args.db.is_none() {
        anyhow::bail!("--workers 0 needs --db: on SQLite nothing else can run the tasks");
    }
    let addr = SocketAddr::new(
        args.bind.unwrap_or(IpAddr::from([127, 0, 0, 1])),
        args.port.unwrap_or(8080),
    );
    if !addr.ip().is_loopback() && !auth.enabled() && !args.insecure_no_auth.unwrap_or(false) {
        anyhow::bail!(
            "refusing to serve {addr} without credentials: anyone who reaches it could run commands on your workers. \
             Set credentials (SLUICE_AUTH_BASIC=user:password, SLUICE_AUTH_TOKENS=token, or `auth:` in the configuration file), \
             or pass --insecure-no-auth when something in front of Sluice authenticates"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}; is another server running there? Use --port to pick another")
    })?;
    let addr = listener.local_addr()?;
    let (backend, store, id): (Backend, Arc<dyn Store>, String) = match &args.db {
        None => {
            let lock = crate::runtime::lock_data_dir(data_dir)?;
            let sqlite = open_sqlite(data_dir).await?;
            let store: Arc<dyn Store> = Arc::new(sqlite.clone());
            (Backend::Sqlite(sqlite, lock), store, LOCAL_WORKER.to_owned())
        }
        Some(url) => {
            let pg = open_postgres(url).await?;
            let store: Arc<dyn Store> = Arc::new(pg.clone());
            (
                Backend::Postgres(Box::new(pg)),
                store,
                args.id.clone().unwrap_or_else(process_id),
            )
        }
    };
    // Attempts of a previous run of this worker that was killed: process attempts died with it and
    // end as `worker lost`; container attempts may still run and are re-attached by the worker.
    // Only this worker's own leases: lost workers of other processes are settled by lease expiry.
    if workers > 0 {
        let recovered = sluice_worker::recover(store.as_ref(), &sluice_worker::Flows::default(), &id).await?;
        if recovered.lost > 0 {
            eprintln!(
                "{} attempt(s) were running when Sluice last stopped; they end as `worker lost` and retry per their policy",
                recovered.lost
            );
        }
        if recovered.resumed > 0 {
            eprintln!(
                "{} attempt(s) in containers were running when Sluice last stopped; re-attaching to them",
                recovered.resumed
            );
        }
    }
    let storage = args.storage.clone().unwrap_or_default().open(data_dir)?;
    let secret_box = crate::runtime::secret_box()?;
    let mut deployer = Deployer::default();
    if let Some(dir) = &args.flows {
        deployer.sync(dir, store.as_ref()).await?;
    }
    let mut runtime = Runtime::start_parts(
        store.clone(),
        data_dir,
        Parts {
            id: id.clone(),
            executor: true,
            scheduler: true,
            slots: if workers > 0 { args.slots.unwrap_or(8).max(1) } else { 0 },
            lease,
            settings: crate::runtime::RunnerSettings {
                docker_volumes: args.docker_volumes.unwrap_or(false),
                public_url: Some(args.public_url.clone().unwrap_or_else(|| format!("http://{addr}"))),
                storage: None,
            },
            storage: storage.clone(),
            secret_box: secret_box.clone(),
            listen: match &backend {
                Backend::Postgres(pg) => Some(PostgresStore::clone(pg)),
                Backend::Sqlite(..) => None,
            },
        },
    );
    let state = sluice_server::AppState::new(
        store.clone(),
        runtime.wakers.executor.clone(),
        data_dir.to_path_buf(),
        storage,
    )
    .with_auth(auth)
    .with_secrets(std::sync::Arc::new(
        sluice_store::WithKv::new(std::sync::Arc::new(crate::secrets::EnvSecrets), store.clone())
            .with_secret_box(secret_box.clone()),
    ))
    .with_secret_box(secret_box)
    .with_webhook_wait(webhook_wait);
    let app = sluice_server::app(state);
    match &backend {
        Backend::Sqlite(..) => println!(
            "Sluice is running at http://{addr}/ (data in {}; Ctrl-C or SIGTERM stops it)",
            data_dir.display()
        ),
        Backend::Postgres(pg) => println!(
            "Sluice is running at http://{addr}/ (database {}, as `{id}`, {}; Ctrl-C or SIGTERM stops it)",
            pg.target(),
            if workers > 0 {
                "with a worker"
            } else {
                "without a worker"
            }
        ),
    }
    let watch = watch_flows(deployer, args.flows.clone(), store.clone());
    let http = axum::serve(listener, app).with_graceful_shutdown(shutdown_signal());
    let outcome = tokio::select! {
        result = http => result.context("the HTTP server stopped"),
        err = runtime.failed() => Err(err),
        result = watch => result,
    };
    eprintln!("stopping: running attempts are stopped and handed back …");
    runtime.stop(Duration::from_secs(30)).await?;
    backend.close().await;
    outcome?;
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn watch_flows(deployer: Deployer, dir: Option<PathBuf>, store: Arc<dyn Store>) -> Result<()> {
    match dir {
        Some(dir) => deployer.watch(dir, store.as_ref(), Duration::from_secs(2)).await,
        None => std::future::pending().await,
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot listen for SIGTERM: {e}");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
