//! Task types: each turns its YAML (already validated, plugin defaults applied) into a [`Plan`] —
//! a job for a task runner, or work the worker does itself (a log line, an HTTP request) — and reads Kestra's
//! output protocol back from the job's log lines.

mod call;
pub mod catalog;
pub mod condition;
mod container_defaults;
pub mod dbt;
mod error;
pub mod executions;
pub mod flows;
mod http;
pub mod kv;
pub mod namespace_files;
mod outputs;
mod props;
mod python;
mod render;
mod runner;
mod script;
pub mod storage;

pub use call::{Call, CallContext, CallFuture, ExecutionSummary};
pub use catalog::{TaskType, catalog, check_flow, validator};
pub use error::TaskError;
pub use outputs::{Metric, OutputLine, parse_output_line};
pub use render::Renderer;
pub use runner::{RunnerChoice, runner_for};

use serde_json::Value;
use sluice_flow::model::Task;

/// What a task run needs done.
#[derive(Debug)]
pub enum Plan {
    /// Run this job on the task's runner.
    Job(Box<ScriptJob>),
    /// Nothing to run: the result is already known (Log, Return, OutputValues, Fail, Assert).
    Done(Finished),
    /// Start (and by default wait for) an execution of another flow.
    Subflow(Box<catalog::core::flow::subflow::SubflowCall>),
    /// Work the task does itself, with no runner: a wait, a request to a server.
    Call(Box<Call>),
}

/// The result of a task that needs no runner.
#[derive(Debug, Default)]
pub struct Finished {
    /// Lines for the execution's logs: (Kestra level name, text), in order.
    pub logs: Vec<(String, String)>,
    /// The task run's outputs.
    pub outputs: serde_json::Map<String, Value>,
    /// Why the task failed, when it did.
    pub failure: Option<String>,
    /// Files to store in internal storage: (`kestra://` address, the local file to move there).
    pub stored: Vec<(String, std::path::PathBuf)>,
}

impl Finished {
    /// A task that failed for `reason`, with nothing else to report.
    pub fn failed(reason: String) -> Self {
        Finished {
            failure: Some(reason),
            ..Finished::default()
        }
    }
}

/// A job plus how to read its result.
#[derive(Debug)]
pub struct ScriptJob {
    /// The job for the runner.
    pub job: sluice_runners::Job,
    /// Output on stderr makes the task WARNING.
    pub warning_on_stderr: bool,
    /// For DbtCLI: how to read dbt's logs and results after the run; `None` for other tasks.
    /// (Boxed to keep [`Plan`] small.)
    pub dbt: Option<Box<dbt::DbtPost>>,
    /// Outputs the task gives besides what the job prints, known when it is planned
    /// (git.Clone's `directory`).
    pub outputs: serde_json::Map<String, Value>,
    /// For tasks whose job prints their outputs (DuckDB): how they are handed back; `None`
    /// for script tasks, whose printed outputs are `vars`.
    pub lifted: Option<Box<Lifted>>,
}

/// The outputs a job prints, handed back as the task's own outputs rather than `vars`.
#[derive(Debug, Default)]
pub struct Lifted {
    /// The output file (of `outputFiles`) whose address is the output `uri`.
    pub uri_of: Option<String>,
    /// The output file whose address is the output `databaseUri`.
    pub database_of: Option<String>,
}

/// Everything a task needs to plan its run.
pub struct PlanContext<'a> {
    /// Template variables, `workingDir` included.
    pub variables: &'a Value,
    /// Renders templates with secrets.
    pub renderer: &'a Renderer<'a>,
    /// Deterministic job name (execution, task run, attempt).
    pub job_name: String,
    /// The runner's working directory, as the job will see it.
    pub working_dir: &'a str,
    /// True when the job runs on the worker's own machine (Process), so host tools such as `python3` are used.
    pub on_host: bool,
}

/// Plans one attempt of `task`.
pub fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    match catalog::find(&task.type_name).and_then(|t| t.plan) {
        Some(plan) => plan(task, cx),
        None => Err(TaskError::Unsupported {
            task: task.id.clone(),
            type_name: task.type_name.clone(),
        }),
    }
}
