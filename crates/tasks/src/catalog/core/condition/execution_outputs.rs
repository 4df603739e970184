//! `io.kestra.plugin.core.condition.ExecutionOutputs`: an expression over the execution's
//! flow outputs, as `trigger.outputs`; false when it has none.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.executionoutputs>

use crate::condition::{ConditionContext, ConditionType, rendered_true, string};
use serde_json::Value;
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The ExecutionOutputs condition.
pub static EXECUTION_OUTPUTS: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.ExecutionOutputs",
        &[
            "io.kestra.plugin.core.condition.ExecutionOutputsCondition",
            "io.kestra.core.models.conditions.types.ExecutionOutputsCondition",
        ],
        &[req(
            "expression",
            Kind::String,
            "A template over `trigger.outputs`, e.g. `{{ trigger.outputs.rows > 0 }}`.",
        )],
        "Holds when the expression over the execution's outputs renders true.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let upstream = cx.execution(c)?;
    if upstream.outputs.is_empty() {
        return Ok(false);
    }
    let source = string(c, "expression").ok_or("`expression` is not set")?;
    let mut variables = cx.variables.clone();
    if !variables.is_object() {
        variables = Value::Object(Default::default());
    }
    let trigger = variables
        .as_object_mut()
        .expect("made an object above")
        .entry("trigger")
        .or_insert_with(|| Value::Object(Default::default()));
    if let Some(t) = trigger.as_object_mut() {
        t.insert("outputs".into(), Value::Object(upstream.outputs.clone()));
    }
    let scoped = ConditionContext {
        variables: &variables,
        execution: cx.execution,
        secrets: cx.secrets,
        now: cx.now,
    };
    Ok(rendered_true(&scoped.render(&source)?))
}
