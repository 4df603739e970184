//! The variables a template sees while an execution runs (`inputs`, `outputs`, `vars`, `flow`,
//! `execution`, `task`, `taskrun`, `labels`, `envs`, `globals`), built from the flow and the
//! execution, plus the process variables the binary hands over once at start-up.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::execution::{Execution, TaskRun};
use serde_json::{Map, Value, json};
use sluice_flow::Flow;

/// `envs`: the server's environment variables named `ENV_*`, as Kestra exposes them
/// (`ENV_MY_VAR` is `{{ envs.my_var }}`). Set once by the binary; empty until then.
static ENVS: OnceLock<Map<String, Value>> = OnceLock::new();

/// Hands the process environment to templates: every `ENV_<NAME>=value` pair becomes
/// `envs.<name>` (lowercase), as Kestra's `kestra.variables.env-vars-prefix` does. Later
/// calls are ignored, so the context never changes under a running execution.
pub fn set_process_envs(vars: impl IntoIterator<Item = (String, String)>) {
    let map = vars
        .into_iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("ENV_")?.to_ascii_lowercase(), Value::String(v))))
        .collect();
    let _ = ENVS.set(map);
}

/// The render context for templates of `task_run` (or of the execution, when `None`).
/// The worker adds `workingDir` once it knows where the task runs.
pub fn render_context(flow: &Flow, execution: &Execution, task_run: Option<&TaskRun>) -> Value {
    let by_id: HashMap<&str, &TaskRun> = execution.task_run_list.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut outputs = Map::new();
    for run in &execution.task_run_list {
        if !run.outputs.is_empty() {
            add_outputs(&mut outputs, run, &by_id);
        }
    }
    let labels: Map<String, Value> = execution
        .labels
        .iter()
        .map(|l| (l.key.clone(), Value::String(l.value.clone())))
        .collect();
    // An optional input that was not given is null, so `{{ inputs.user }}` renders nothing.
    let mut inputs = execution.inputs.clone();
    for input in &flow.inputs {
        inputs.entry(input.id.clone()).or_insert(Value::Null);
    }
    let mut context = json!({
        "flow": {"id": flow.id, "namespace": flow.namespace, "revision": execution.flow_revision},
        "execution": {
            "id": execution.id,
            "startDate": execution.state.start().map(|t| t.to_string()),
            "originalId": execution.original_id.as_deref().unwrap_or(&execution.id),
            "state": execution.ending.unwrap_or(execution.state.current).as_str(),
        },
        "inputs": inputs,
        "outputs": outputs,
        "vars": execution.variables.as_ref().unwrap_or(&flow.variables),
        "labels": labels,
        "envs": ENVS.get().cloned().unwrap_or_default(),
        "globals": {},
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
        let parents: Vec<Value> = ancestors(run, &by_id)
            .map(|p| json!({"taskrun": {"id": p.id, "value": p.value}, "outputs": p.outputs}))
            .collect();
        if let Some(first) = parents.first() {
            context["parent"] = first.clone();
            context["parents"] = Value::Array(parents);
        }
        let task_type = crate::task_by_id(flow, &run.task_id).map(|t| t.type_name.clone());
        context["task"] = json!({"id": run.task_id, "type": task_type});
    }
    context
}

/// The task runs `run` sits under, nearest first.
fn ancestors<'a>(run: &'a TaskRun, by_id: &'a HashMap<&str, &'a TaskRun>) -> impl Iterator<Item = &'a TaskRun> + 'a {
    let mut next = run.parent_task_run_id.as_deref();
    // A parent chain is as deep as the flow; the bound only guards against a corrupt store.
    std::iter::from_fn(move || {
        let parent = by_id.get(next?).copied()?;
        next = parent.parent_task_run_id.as_deref();
        Some(parent)
    })
    .take(256)
}

/// Puts `run`'s outputs under `outputs.<taskId>`, nested by the iteration values of its
/// ancestors and its own (outermost first), as Kestra does: a task in a ForEach is read as
/// `outputs.<taskId>[value]`.
fn add_outputs(outputs: &mut Map<String, Value>, run: &TaskRun, by_id: &HashMap<&str, &TaskRun>) {
    let mut values: Vec<&str> = ancestors(run, by_id).filter_map(|p| p.value.as_deref()).collect();
    values.reverse();
    values.extend(run.value.as_deref());
    let mut slot = outputs
        .entry(run.task_id.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    for value in values {
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(map) = slot else { return };
        slot = map
            .entry(value.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    match slot {
        Value::Object(map) => map.extend(run.outputs.clone()),
        other => *other = Value::Object(run.outputs.clone()),
    }
}
