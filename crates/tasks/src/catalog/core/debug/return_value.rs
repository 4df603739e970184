//! `io.kestra.plugin.core.debug.Return`: renders `format` into the output `value`.
//!
//! Kestra: <https://kestra.io/plugins/core/debug/io.kestra.plugin.core.debug.return>

use crate::catalog::TaskType;
use crate::{Finished, Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The Return task.
pub static RETURN: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.debug.Return",
        &[
            "io.kestra.core.tasks.debugs.Return",
            "core.debug.Return",
            "debug.Return",
            "Return",
        ],
        &[opt(
            "format",
            Kind::String,
            "The text to render; it becomes the output `value`.",
        )],
        "Renders a text into its output `value`.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let value = crate::props::text(task, cx, "format")?.map_or(Value::Null, Value::String);
    let mut done = Finished::default();
    done.outputs.insert("value".into(), value);
    Ok(Plan::Done(done))
}
