//! `io.kestra.plugin.core.execution.Fail`: fails, always or when `condition` renders true.
//!
//! Kestra: <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.fail>

use crate::catalog::TaskType;
use crate::{Finished, Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};
use sluice_flow::template::truthy;

/// The Fail task.
pub static FAIL: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.execution.Fail",
        &[
            "io.kestra.core.tasks.executions.Fail",
            "core.execution.Fail",
            "execution.Fail",
            "Fail",
        ],
        &[
            opt(
                "condition",
                Kind::String,
                "Fail only when this renders true (`false`, `0`, `-0` and empty are false).",
            ),
            opt("errorMessage", Kind::String, "Why it failed (default `Task failure`)."),
        ],
        "Fails the task, and with it the execution, always or on a condition.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let text = |name: &str| crate::props::text(task, cx, name);
    let fails = match text("condition")? {
        Some(condition) => truthy(&condition),
        None => true,
    };
    let failure = match fails {
        true => Some(text("errorMessage")?.unwrap_or_else(|| "Task failure".into())),
        false => None,
    };
    Ok(Plan::Done(Finished {
        failure,
        ..Finished::default()
    }))
}
