//! `io.kestra.plugin.core.log.Log`: a message (or several) written to the execution's logs.

use crate::{Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;

/// Renders the messages.
pub fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let raw: Vec<&Value> = match task.properties.get("message") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    let mut messages = Vec::with_capacity(raw.len());
    for m in raw {
        let text = match m {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        messages.push(cx.renderer.string(&task.id, "message", &text, cx.variables)?);
    }
    let level = task
        .properties
        .get("level")
        .and_then(Value::as_str)
        .unwrap_or("INFO")
        .to_string();
    Ok(Plan::Log { level, messages })
}
