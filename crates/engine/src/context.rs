//! The variables a template sees while an execution runs (`inputs`, `outputs`, `vars`, `flow`,
//! `execution`, `taskrun`, `labels`), built from the flow and the execution alone.

use crate::execution::{Execution, TaskRun};
use serde_json::{Map, Value, json};
use sluice_flow::Flow;

/// The render context for templates of `task_run` (or of the execution, when `None`).
/// The worker adds `workingDir` once it knows where the task runs.
pub fn render_context(flow: &Flow, execution: &Execution, task_run: Option<&TaskRun>) -> Value {
    let mut outputs = Map::new();
    for run in &execution.task_run_list {
        if !run.outputs.is_empty() {
            outputs.insert(run.task_id.clone(), Value::Object(run.outputs.clone()));
        }
    }
    let labels: Map<String, Value> = execution
        .labels
        .iter()
        .map(|l| (l.key.clone(), Value::String(l.value.clone())))
        .collect();
    let mut context = json!({
        "flow": {"id": flow.id, "namespace": flow.namespace, "revision": execution.flow_revision},
        "execution": {
            "id": execution.id,
            "startDate": execution.state.start().map(|t| t.to_string()),
            "originalId": execution.original_id.as_deref().unwrap_or(&execution.id),
        },
        "inputs": execution.inputs,
        "outputs": outputs,
        "vars": flow.variables,
        "labels": labels,
    });
    if let Some(trigger) = &execution.trigger {
        context["trigger"] = trigger.clone();
    }
    if let Some(run) = task_run {
        context["taskrun"] = json!({
            "id": run.id,
            "startDate": run.state.start().map(|t| t.to_string()),
            "attemptsCount": run.attempts.len(),
            "parentId": run.parent_task_run_id,
            "value": run.value,
        });
        context["task"] = json!({"id": run.task_id});
    }
    context
}
