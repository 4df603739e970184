//! `io.kestra.plugin.core.output.OutputValues`: renders `values` into the output `values`,
//! keeping the type of a lone expression (`"{{ inputs.n }}"` stays a number).
//!
//! Kestra: <https://kestra.io/plugins/core/output/io.kestra.plugin.core.output.outputvalues>

use crate::catalog::TaskType;
use crate::{Finished, Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The OutputValues task.
pub static OUTPUT_VALUES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.output.OutputValues",
        &["core.output.OutputValues", "output.OutputValues", "OutputValues"],
        &[opt(
            "values",
            Kind::Map,
            "Values by name (strings, numbers, lists, maps); templates are rendered.",
        )],
        "Gives rendered values as outputs, for later tasks and the flow's outputs.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let values = match task.properties.get("values") {
        Some(v) => cx.renderer.value(&task.id, "values", v, cx.variables)?,
        None => Value::Object(Default::default()),
    };
    let mut done = Finished::default();
    done.outputs.insert("values".into(), values);
    Ok(Plan::Done(done))
}
