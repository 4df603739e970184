//! `io.kestra.plugin.core.flow.Sleep`: waits `duration` on a worker, then succeeds; a kill or
//! the task's `timeout` ends the wait.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.sleep>

use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
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
            "How long to wait, as ISO-8601 (`PT5S`); may be a template.",
        )],
        "Waits for a while.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let duration = crate::props::duration(task, cx, "duration")?.ok_or_else(|| TaskError::Invalid {
        task: task.id.clone(),
        message: "`duration` is missing: say how long to wait, such as PT5S".into(),
    })?;
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |_| async move {
        tokio::time::sleep(duration).await;
        Finished::default()
    }))))
}
