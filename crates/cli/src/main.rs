//! `sluice`: validate and run Kestra-format flows, locally or as a server.

mod commands;
mod data_dir;
mod display;
mod runtime;
mod secrets;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// One small binary for long-running, resource-hungry jobs described as Kestra-format flows.
#[derive(Parser)]
#[command(name = "sluice", version, about, propagate_version = true)]
struct Cli {
    /// Where Sluice keeps its database and files [default: $XDG_DATA_HOME/sluice]
    #[arg(long, global = true, env = "SLUICE_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Work with flow files: validate, run, print their JSON Schema.
    #[command(subcommand)]
    Flow(commands::flow::FlowCommand),
    /// Read back executions: list, show, logs.
    #[command(subcommand)]
    Execution(commands::execution::ExecutionCommand),
    /// Run the server: API, web UI, scheduler, executor and worker.
    #[command(subcommand)]
    Server(Box<commands::server::ServerCommand>),
    /// Stored secrets of a namespace, encrypted with SLUICE_SECRET_KEY: set, list, delete.
    #[command(subcommand)]
    Secret(commands::secret::SecretCommand),
    /// Run only a worker, for servers sharing a PostgreSQL database (`server standalone --db`).
    Worker(commands::worker::WorkerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Warnings and errors of the runtime (lost leases, skipped schedules, store trouble) on stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::WARN)
        .with_target(false)
        .init();
    sluice_engine::set_process_envs(std::env::vars());
    let result = run(cli);
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Flow(cmd) => commands::flow::run(cmd, cli.data_dir),
        Command::Server(cmd) => {
            let data_dir = data_dir::resolve(cli.data_dir)?;
            tokio_runtime()?.block_on(commands::server::run(*cmd, &data_dir))
        }
        Command::Worker(args) => {
            let data_dir = data_dir::resolve(cli.data_dir)?;
            tokio_runtime()?.block_on(commands::worker::run(args, &data_dir))
        }
        Command::Secret(cmd) => {
            let data_dir = data_dir::resolve(cli.data_dir)?;
            tokio_runtime()?.block_on(commands::secret::run(cmd, &data_dir))
        }
        Command::Execution(cmd) => {
            let data_dir = data_dir::resolve(cli.data_dir)?;
            tokio_runtime()?.block_on(commands::execution::run(cmd, &data_dir))
        }
    }
}

/// A multi-threaded tokio runtime for the commands that do I/O.
pub fn tokio_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
