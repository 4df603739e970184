//! Reading a task's properties as its plan needs them: lists and flags, input files, shell words.

use crate::{PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use std::collections::BTreeMap;

/// Kestra's type name of the dbt CLI task (aliases are resolved before planning).
pub const DBT_CLI: &str = "io.kestra.plugin.dbt.cli.DbtCLI";

/// A scalar property rendered to text (a YAML `3` or `true` is its text); `None` when absent
/// or null.
pub(crate) fn text(task: &Task, cx: &PlanContext<'_>, key: &str) -> Result<Option<String>, TaskError> {
    let source = match task.properties.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    cx.renderer.string(&task.id, key, &source, cx.variables).map(Some)
}

pub(crate) fn strings(task: &Task, cx: &PlanContext<'_>, key: &str) -> Result<Vec<String>, TaskError> {
    match task.properties.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                cx.renderer.string(&task.id, key, &text, cx.variables)
            })
            .collect(),
        Some(Value::String(s)) => Ok(vec![cx.renderer.string(&task.id, key, s, cx.variables)?]),
        Some(other) => Err(TaskError::Invalid {
            task: task.id.clone(),
            message: format!("`{key}` must be a list, found {other}"),
        }),
    }
}

pub(crate) fn flag(task: &Task, key: &str, default: bool) -> bool {
    match task.properties.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => default,
    }
}

/// The task's `inputFiles` (a mapping, or a template rendering to a JSON mapping), rendered and
/// with safe names.
pub(crate) fn input_files(task: &Task, cx: &PlanContext<'_>) -> Result<BTreeMap<String, Vec<u8>>, TaskError> {
    let mut input_files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    match task.properties.get("inputFiles") {
        Some(Value::Object(files)) => {
            for (name, content) in files {
                let text = content.as_str().map_or_else(|| content.to_string(), str::to_string);
                let rendered = cx
                    .renderer
                    .string(&task.id, &format!("inputFiles.{name}"), &text, cx.variables)?;
                input_files.insert(name.clone(), rendered.into_bytes());
            }
        }
        Some(Value::String(s)) => {
            let rendered = cx.renderer.string(&task.id, "inputFiles", s, cx.variables)?;
            let map: BTreeMap<String, String> = serde_json::from_str(&rendered).map_err(|e| TaskError::Invalid {
                task: task.id.clone(),
                message: format!(
                    "`inputFiles` rendered to text that is not a JSON mapping of file names to contents: {e}"
                ),
            })?;
            input_files.extend(map.into_iter().map(|(k, v)| (k, v.into_bytes())));
        }
        _ => {}
    }
    for name in input_files.keys() {
        sluice_runners::safe_relative_path(name).map_err(|e| TaskError::Invalid {
            task: task.id.clone(),
            message: e.to_string(),
        })?;
    }
    Ok(input_files)
}

/// Quotes a word for `/bin/sh`.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:@%+".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The task's timeout: the duration written, or its template rendered now (Kestra's dynamic
/// `timeout: "{{ inputs.limit }}"`); a rendering that is no duration fails the task.
pub(crate) fn timeout(task: &Task, cx: &PlanContext<'_>) -> Result<Option<std::time::Duration>, TaskError> {
    let Some(template) = task
        .timeout
        .is_none()
        .then_some(task.timeout_template.as_deref())
        .flatten()
    else {
        return Ok(task.timeout);
    };
    let text = cx.renderer.string(&task.id, "timeout", template, cx.variables)?;
    sluice_flow::duration::parse_duration(text.trim())
        .map(Some)
        .map_err(|e| TaskError::Invalid {
            task: task.id.clone(),
            message: format!(
                "`timeout` rendered to `{text}`, which is not a duration: {e}; {}",
                e.help()
            ),
        })
}

/// A duration property (`PT5S`), rendered first: `"{{ inputs.wait }}"` is a duration too.
pub(crate) fn duration(task: &Task, cx: &PlanContext<'_>, key: &str) -> Result<Option<std::time::Duration>, TaskError> {
    let Some(text) = text(task, cx, key)? else {
        return Ok(None);
    };
    sluice_flow::duration::parse_duration(text.trim())
        .map(Some)
        .map_err(|e| TaskError::Invalid {
            task: task.id.clone(),
            message: format!("`{key}` is `{text}`, which is not a duration: {e}; {}", e.help()),
        })
}

/// Where a task run's stored files go: its execution's ids, read from the render context.
#[derive(Debug, Clone)]
pub(crate) struct StoredIds {
    namespace: String,
    flow_id: String,
    execution_id: String,
    task_id: String,
    task_run_id: String,
}

impl StoredIds {
    /// The ids of the task run `cx` renders for.
    pub(crate) fn of(cx: &PlanContext<'_>) -> Self {
        let get = |a: &str, b: &str| cx.variables[a][b].as_str().unwrap_or("unknown").to_string();
        StoredIds {
            namespace: get("flow", "namespace"),
            flow_id: get("flow", "id"),
            execution_id: get("execution", "id"),
            task_id: get("task", "id"),
            task_run_id: get("taskrun", "id"),
        }
    }

    /// The `kestra://` address of this task run's file `name`.
    pub(crate) fn uri(&self, name: &str) -> String {
        sluice_flow::storage::task_file_uri(
            &self.namespace,
            &self.flow_id,
            &self.execution_id,
            &self.task_id,
            &self.task_run_id,
            name,
        )
    }
}
