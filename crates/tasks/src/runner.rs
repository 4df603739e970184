//! Which task runner a script task uses, and which image it runs.
//!
//! The runner: the deprecated `runner:` first (PROCESS or DOCKER), then `taskRunner`, else
//! Docker when the task names a `containerImage` or sets the deprecated `docker:` (Kestra's
//! default runner is Docker), else a local process. As in Kestra's `CommandsWrapper.getTaskRunner`
//! (kestra-io/kestra `script/src/main/java/io/kestra/plugin/scripts/exec/scripts/runners/CommandsWrapper.java`),
//! `docker:` settings replace those of a Docker runner.
//!
//! The image: the Docker runner's `image` (Kestra keeps it for compatibility, and it wins), else
//! the task's `containerImage`, else, in a container, the default image of the task's type.

use crate::{PlanContext, TaskError};
use serde_json::{Map, Value};
use sluice_flow::model::Task;

/// Kestra's type name of the Docker task runner.
pub const DOCKER: &str = "io.kestra.plugin.scripts.runner.docker.Docker";

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
        return Ok(RunnerChoice::Kubernetes(
            crate::catalog::kubernetes::pod_create::runner_settings(task),
        ));
    }
    let legacy = legacy_docker(task)?;
    match task.properties.get("runner").and_then(Value::as_str) {
        Some("PROCESS") => return Ok(RunnerChoice::Process),
        Some("DOCKER") => return Ok(RunnerChoice::Docker(legacy.unwrap_or_else(docker_type))),
        _ => {}
    }
    let config = match task.properties.get("taskRunner") {
        Some(Value::Object(map)) => map.clone(),
        Some(Value::Null) | None => {
            return Ok(match (legacy, task.properties.get("containerImage")) {
                (Some(docker), _) => RunnerChoice::Docker(docker),
                (None, Some(Value::String(_))) => RunnerChoice::Docker(Map::new()),
                (None, _) => RunnerChoice::Process,
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
        DOCKER => RunnerChoice::Docker(legacy.unwrap_or(config)),
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

fn docker_type() -> Map<String, Value> {
    Map::from_iter([("type".to_owned(), Value::String(DOCKER.to_owned()))])
}

/// The deprecated `docker:` settings as a Docker runner's, as Kestra's `Docker.from(DockerOptions)`
/// copies them (kestra-io/kestra `script/src/main/java/io/kestra/plugin/scripts/runner/docker/Docker.java`):
/// `dockerHost` and `dockerConfig` are older names of `host` and `config`, and `configPath` is
/// not carried over.
fn legacy_docker(task: &Task) -> Result<Option<Map<String, Value>>, TaskError> {
    let options = match task.properties.get("docker") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(options)) => options,
        Some(other) => {
            return Err(TaskError::Invalid {
                task: task.id.clone(),
                message: format!("`docker` must be a mapping of Docker settings, found {other}"),
            });
        }
    };
    let mut config = docker_type();
    for (key, value) in options {
        let key = match key.as_str() {
            "dockerHost" => "host",
            "dockerConfig" => "config",
            "configPath" => continue,
            other => other,
        };
        config.insert(key.to_owned(), value.clone());
    }
    Ok(Some(config))
}

/// Kestra's default image of each script task type, used in a container when the task and its
/// runner name none: `ubuntu` for shell tasks (plugin-scripts `shell/Commands.java`), `python:3.13-slim`
/// for Python (`python/internals/PythonBasedPlugin.java`), and for DbtCLI the image of its
/// `engine` (plugin-dbt `cli/DbtCLI.java`), `hashicorp/terraform` for TerraformCLI.
fn default_image(task: &Task) -> Option<&'static str> {
    match task.type_name.as_str() {
        "io.kestra.plugin.scripts.shell.Commands" | "io.kestra.plugin.scripts.shell.Script" => Some("ubuntu"),
        "io.kestra.plugin.scripts.python.Commands" | "io.kestra.plugin.scripts.python.Script" => {
            Some("python:3.13-slim")
        }
        "io.kestra.plugin.terraform.cli.TerraformCLI" => Some("hashicorp/terraform"),
        crate::props::DBT_CLI => Some(match task.properties.get("engine").and_then(Value::as_str) {
            Some("FUSION") => "ghcr.io/kestra-io/dbt-fusion",
            _ => "ghcr.io/kestra-io/dbt",
        }),
        _ => None,
    }
}

/// The image the task's job runs, rendered: the Docker runner's `image`, else `containerImage`,
/// else (off the host) the type's default image; `None` for a process on the host.
pub(crate) fn image(task: &Task, cx: &PlanContext<'_>) -> Result<Option<String>, TaskError> {
    let runner_image = match runner_for(task)? {
        RunnerChoice::Docker(config) => config
            .get("image")
            .and_then(Value::as_str)
            .map(|s| ("taskRunner.image", s.to_owned())),
        _ => None,
    };
    let written = runner_image.or_else(|| {
        task.properties
            .get("containerImage")
            .and_then(Value::as_str)
            .map(|s| ("containerImage", s.to_owned()))
    });
    match written {
        Some((property, text)) => Ok(Some(cx.renderer.string(&task.id, property, &text, cx.variables)?)),
        None if !cx.on_host => Ok(default_image(task).map(str::to_owned)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests;
