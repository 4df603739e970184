//! `io.kestra.plugin.core.execution.Assert`: fails when any of `conditions` renders false,
//! logging each failed one.
//!
//! Kestra: <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.assert>

use crate::catalog::TaskType;
use crate::{Finished, Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};
use sluice_flow::template::truthy;

/// The Assert task.
pub static ASSERT: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.execution.Assert",
        &["core.execution.Assert", "execution.Assert", "Assert"],
        &[
            req(
                "conditions",
                Kind::StringList,
                "Each must render true (`false`, `0`, `-0` and empty are false).",
            ),
            opt(
                "errorMessage",
                Kind::String,
                "Added to the failure when an assertion fails.",
            ),
        ],
        "Checks conditions on the execution's data and fails when one is false.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let conditions: Vec<String> = match task.properties.get("conditions") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let mut done = Finished::default();
    let mut failed = 0;
    for condition in &conditions {
        let rendered = cx.renderer.string(&task.id, "conditions", condition, cx.variables)?;
        if !truthy(&rendered) {
            failed += 1;
            done.logs
                .push(("ERROR".into(), format!("Assertion `{condition}` failed!")));
        }
    }
    if failed > 0 {
        let mut reason = format!("{failed} of {} assertions failed", conditions.len());
        if let Some(Value::String(message)) = task.properties.get("errorMessage") {
            reason = format!(
                "{reason}: {}",
                cx.renderer.string(&task.id, "errorMessage", message, cx.variables)?
            );
        }
        done.failure = Some(reason);
    }
    Ok(Plan::Done(done))
}
