//! `io.kestra.plugin.dbt.cli.DbtCLI`: what the worker needs to turn a dbt run into Kestra's
//! results, as pure functions over text it has already read.
//!
//! - [`parse_log_line`]: one line of dbt's JSON log (`--log-format json`, which the planned job
//!   asks for through `DBT_LOG_FORMAT`) into a log line at dbt's level, without the JSON.
//! - [`parse_run_results`]: `target/run_results.json` into one [`NodeResult`] per dbt node
//!   (model, seed, test, snapshot, …), each of which Kestra shows as its own task run.
//! - [`parse_manifest`] and [`NodeResult::apply_manifest`]: names, resource types and relations
//!   from `target/manifest.json` for those nodes.
//! - [`summarize`]: the task's state and error message from the nodes; [`node_metrics`]: the
//!   `rows.affected` and `bytes.processed` counters.
//!
//! Planning (see `plan.rs`) attaches a [`DbtPost`] to the job, which says where those files are
//! and what to do with them. Nothing here reads files or panics on odd input: other dbt versions
//! (1.5–1.10 write the same shapes, with fields added over time) and hand-edited files give
//! either a best-effort result or a [`DbtError`].
//!
//! What a worker does with a job whose `ScriptJob::dbt` is `Some(post)`, as Kestra's plugin does:
//! 1. Each log line (after Kestra's `::{…}::` output lines are taken out): [`parse_log_line`];
//!    `Some((level, message))` is stored at that level instead of the raw JSON, `None` keeps the
//!    line as it is. Kestra tries every line whatever `logFormat` says, so a command that asks
//!    for `--log-format json` itself is read too; [`DbtPost::json_logs`] says whether dbt was
//!    asked for JSON. A WARN line makes the task WARNING when it would otherwise succeed
//!    (Kestra's `warningDetected`).
//! 2. After the run, success or not: when [`DbtPost::parse_run_results`] and the runner
//!    collected [`DbtPost::run_results_path`], [`parse_run_results`] (then
//!    [`NodeResult::apply_manifest`] with [`parse_manifest`] of [`DbtPost::manifest_path`], when
//!    collected) gives one child task run per node: task id `unique_id`, state `state`, CREATED
//!    at `started_at`, RUNNING at `execute_started_at`, ended at `ended_at`, logs
//!    [`NodeResult::log_lines`]. [`node_metrics`] gives the task's counters. A [`DbtError`] is
//!    logged as a warning; it does not change the task's state.
//! 3. The task's state: the exit code first (dbt exits 1 when a node fails); [`summarize`] gives
//!    the error message ([`Summary::message`]) and a WARNING for nodes that warned.

mod logs;
mod manifest;
pub(crate) mod plan;
mod results;

pub use logs::{Level, parse_log_line, strip_ansi};
pub use manifest::{Manifest, ManifestNode, parse_manifest};
pub use plan::PROFILES_FILE;
pub use results::{NodeResult, NodeState, Summary, node_metrics, parse_run_results, summarize};

/// What the worker does after a DbtCLI job, on success and on failure alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbtPost {
    /// The dbt project folder relative to the working directory, `/`-separated, without a
    /// trailing `/`; empty when the project is the working directory itself.
    pub project_dir: String,
    /// Where dbt writes `run_results.json`, relative to the working directory: the name the
    /// runner gives it among the job's output files (`target/run_results.json` or
    /// `<projectDir>/target/run_results.json`). Always collected.
    pub run_results_path: String,
    /// Where dbt writes `manifest.json`, relative to the working directory, as above. Always
    /// collected.
    pub manifest_path: String,
    /// The task's `parseRunResults` (default true): report each node of `run_results.json` as
    /// its own task run.
    pub parse_run_results: bool,
    /// True when dbt logs JSON (`logFormat: JSON`, the default): the worker passes each line
    /// through [`parse_log_line`] and keeps lines that give `None` as they are.
    pub json_logs: bool,
}

/// dbt output that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DbtError {
    /// Not JSON at all (or cut short).
    #[error("{file} is not valid JSON: {source}")]
    Json {
        /// `run_results.json` or `manifest.json`.
        file: &'static str,
        /// The parser's error, with line and column.
        source: serde_json::Error,
    },
    /// JSON, but not of the shape dbt writes.
    #[error("{file} is not a dbt {file}: {message}")]
    Shape {
        /// `run_results.json` or `manifest.json`.
        file: &'static str,
        /// What is missing or of the wrong type.
        message: String,
    },
}
