//! `io.kestra.plugin.core.log.Log`: a message (or several) written to the execution's logs.
//!
//! Kestra: <https://kestra.io/plugins/core/log/io.kestra.plugin.core.log.log>

pub mod fetch;

use crate::catalog::TaskType;
use crate::{Finished, Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, LOG_LEVELS, TypeSpec, opt, req};

/// The Log task.
pub static LOG: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.log.Log",
        &["io.kestra.core.tasks.log.Log", "core.log.Log", "log.Log", "Log"],
        &[
            req(
                "message",
                Kind::StringOrList,
                "The message, or a list of messages, to log.",
            ),
            opt("level", Kind::Enum(LOG_LEVELS), "Level of the log line (default INFO)."),
        ],
        "Writes a message to the execution's logs.",
    ),
    plan: Some(plan),
};

/// Renders the messages.
fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
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
    let level = task.properties.get("level").and_then(Value::as_str).unwrap_or("INFO");
    Ok(Plan::Done(Finished {
        logs: messages.into_iter().map(|m| (level.to_string(), m)).collect(),
        ..Finished::default()
    }))
}
