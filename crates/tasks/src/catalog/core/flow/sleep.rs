//! `io.kestra.plugin.core.flow.Sleep`: waits `duration` on a worker, then succeeds; a kill or
//! the task's `timeout` ends the wait.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.sleep>

use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The Sleep task.
pub static SLEEP: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.Sleep",
        &["core.flow.Sleep", "flow.Sleep", "Sleep"],
        &[req(
            "duration",
            Kind::Duration,
            "How long to wait, as ISO-8601 (`PT5S`).",
        )],
        "Waits for a while.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let text = task.properties.get("duration").and_then(Value::as_str).unwrap_or("");
    let duration = sluice_flow::duration::parse_duration(text).map_err(|e| TaskError::Invalid {
        task: task.id.clone(),
        message: format!("`duration` {text:?} is not an ISO-8601 duration such as PT5S: {e}"),
    })?;
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |_| async move {
        tokio::time::sleep(duration).await;
        Finished::default()
    }))))
}
