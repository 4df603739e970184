//! `sluice`: validate and run Kestra-format flows, locally or as a server.

mod commands;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// One small binary for long-running, resource-hungry jobs described as Kestra-format flows.
#[derive(Parser)]
#[command(name = "sluice", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Work with flow files: validate them, print their JSON Schema.
    #[command(subcommand)]
    Flow(commands::flow::FlowCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Flow(cmd) => commands::flow::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
