//! Which task runner a script task uses: its `taskRunner`, else Docker when it names a
//! `containerImage` (Kestra's default), else a local process.

use crate::TaskError;
use serde_json::{Map, Value};
use sluice_flow::model::Task;

/// The runner a task asked for, with its settings as written.
#[derive(Debug, Clone, PartialEq)]
pub enum RunnerChoice {
    /// A process on the worker's machine.
    Process,
    /// A Docker container.
    Docker(Map<String, Value>),
    /// A Kubernetes pod.
    Kubernetes(Map<String, Value>),
}

impl RunnerChoice {
    /// Short name, as in messages and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            RunnerChoice::Process => "process",
            RunnerChoice::Docker(_) => "docker",
            RunnerChoice::Kubernetes(_) => "kubernetes",
        }
    }
}

/// The runner of `task` (Log tasks need none and get `Process`).
pub fn runner_for(task: &Task) -> Result<RunnerChoice, TaskError> {
    if task.type_name == "io.kestra.plugin.kubernetes.PodCreate" {
        return Ok(RunnerChoice::Kubernetes(crate::pod::runner_settings(task)));
    }
    let config = match task.properties.get("taskRunner") {
        Some(Value::Object(map)) => map.clone(),
        Some(Value::Null) | None => {
            return Ok(match task.properties.get("containerImage") {
                Some(Value::String(_)) => RunnerChoice::Docker(Map::new()),
                _ => RunnerChoice::Process,
            });
        }
        Some(other) => {
            return Err(TaskError::Invalid {
                task: task.id.clone(),
                message: format!("`taskRunner` must be a mapping with a `type`, found {other}"),
            });
        }
    };
    let kind = config.get("type").and_then(Value::as_str).unwrap_or_default();
    Ok(match kind {
        "io.kestra.plugin.core.runner.Process" => RunnerChoice::Process,
        "io.kestra.plugin.scripts.runner.docker.Docker" => RunnerChoice::Docker(config),
        "io.kestra.plugin.ee.kubernetes.runner.Kubernetes" | "io.kestra.plugin.kubernetes.runner.Kubernetes" => {
            RunnerChoice::Kubernetes(config)
        }
        other => {
            return Err(TaskError::Invalid {
                task: task.id.clone(),
                message: format!("unknown task runner `{other}`"),
            });
        }
    })
}
