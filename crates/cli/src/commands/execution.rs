//! `sluice execution …`: read back what runs stored, and resume a paused one.

use crate::runtime::open_store;
use anyhow::{Context, Result};
use clap::Subcommand;
use sluice_engine::State;
use sluice_store::{ExecutionFilter, Level, LogQuery};
use std::path::Path;
use std::process::ExitCode;

/// Subcommands of `sluice execution`.
#[derive(Subcommand)]
pub enum ExecutionCommand {
    /// List executions, newest first.
    List {
        /// Only this namespace.
        #[arg(long)]
        namespace: Option<String>,
        /// Only this flow id.
        #[arg(long)]
        flow: Option<String>,
        /// Only these states (e.g. FAILED), repeatable.
        #[arg(long, value_parser = parse_state)]
        state: Vec<State>,
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Print an execution as JSON (Kestra's execution shape).
    Show {
        /// Execution id.
        id: String,
    },
    /// Print an execution's logs.
    Logs {
        /// Execution id.
        id: String,
        /// Only this task.
        #[arg(long)]
        task: Option<String>,
        /// Only this attempt (1 is the first).
        #[arg(long)]
        attempt: Option<u32>,
        /// Lowest level shown (TRACE, DEBUG, INFO, WARN, ERROR).
        #[arg(long, value_parser = parse_level)]
        level: Option<Level>,
    },
    /// Resume a PAUSED execution (its Pause tasks succeed); a running server or `flow run`
    /// carries on with it.
    Resume {
        /// Execution id.
        id: String,
        /// A value the Pause tasks keep as their output `onResume` (`NAME=VALUE`; JSON values
        /// such as `true` or `3` keep their type), repeatable.
        #[arg(long = "input", value_name = "NAME=VALUE", value_parser = parse_value)]
        inputs: Vec<(String, serde_json::Value)>,
    },
}

fn parse_value(s: &str) -> Result<(String, serde_json::Value), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=VALUE; write e.g. `--input approved=true`"))?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
    Ok((name.to_string(), value))
}

fn parse_state(s: &str) -> Result<State, String> {
    State::parse(s).ok_or_else(|| {
        format!(
            "unknown state `{s}`; states are {}",
            State::ALL.map(State::as_str).join(", ")
        )
    })
}

fn parse_level(s: &str) -> Result<Level, String> {
    Level::parse(s).ok_or_else(|| format!("unknown level `{s}`; levels are TRACE, DEBUG, INFO, WARN, ERROR"))
}

/// Runs a `sluice execution` subcommand.
pub async fn run(cmd: ExecutionCommand, data_dir: &Path) -> Result<ExitCode> {
    let store = open_store(data_dir).await?;
    match cmd {
        ExecutionCommand::List {
            namespace,
            flow,
            state,
            limit,
        } => {
            let filter = ExecutionFilter {
                namespace,
                flow_id: flow,
                state: if state.is_empty() { None } else { Some(state) },
                size: limit.max(1),
                ..ExecutionFilter::default()
            };
            let page = store.list_executions(&filter).await?;
            let mut text = format!(
                "{:<12} {:<32} {:<10} {:<25} {}\n",
                "ID", "FLOW", "STATE", "STARTED", "DURATION"
            );
            for e in &page.results {
                let duration = e
                    .duration
                    .map(|d| format!("{:.2}s", d.as_secs_f64()))
                    .unwrap_or_else(|| "-".into());
                let started = e
                    .start
                    .map(|s| s.strftime("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_else(|| "-".into());
                let flow = format!("{}.{}", e.namespace, e.flow_id);
                text += &format!(
                    "{:<12} {:<32} {:<10} {:<25} {duration}\n",
                    e.id,
                    flow,
                    e.state.as_str(),
                    started
                );
            }
            text += &format!("{} of {} executions", page.results.len(), page.total);
            crate::commands::print(&text)?;
        }
        ExecutionCommand::Show { id } => {
            let exec = store
                .get_execution(&id)
                .await?
                .with_context(|| format!("no execution `{id}`; `sluice execution list` shows the ids"))?;
            crate::commands::print(&serde_json::to_string_pretty(&exec)?)?;
        }
        ExecutionCommand::Resume { id, inputs } => {
            let exec = store
                .get_execution(&id)
                .await?
                .with_context(|| format!("no execution `{id}`; `sluice execution list` shows the ids"))?;
            if exec.state.current != State::Paused {
                anyhow::bail!(
                    "execution {id} is {}; only a PAUSED execution can be resumed",
                    exec.state.current
                );
            }
            let inputs = inputs.into_iter().collect();
            store
                .push_event(&id, &sluice_engine::Event::Resume { inputs }, jiff::Timestamp::now())
                .await?;
            crate::commands::print(&format!("execution {id} resumed"))?;
        }
        ExecutionCommand::Logs {
            id,
            task,
            attempt,
            level,
        } => {
            store
                .get_execution(&id)
                .await?
                .with_context(|| format!("no execution `{id}`; `sluice execution list` shows the ids"))?;
            let mut after = 0;
            loop {
                let query = LogQuery {
                    execution_id: id.clone(),
                    task_id: task.clone(),
                    attempt,
                    min_level: level,
                    after_seq: Some(after),
                    limit: 10_000,
                };
                let lines = store.logs(&query).await?;
                let mut text = String::new();
                for l in &lines {
                    text += &format!(
                        "{} {:<5} [{}] {}\n",
                        l.at.strftime("%H:%M:%S%.3f"),
                        l.level,
                        l.task_id.as_deref().unwrap_or("-"),
                        l.message
                    );
                    after = l.seq;
                }
                if !text.is_empty() {
                    text.pop();
                    crate::commands::print(&text)?;
                }
                if lines.len() < 10_000 {
                    break;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
