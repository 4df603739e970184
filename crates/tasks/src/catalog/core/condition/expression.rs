//! `io.kestra.plugin.core.condition.Expression`: a template that renders to anything but blank
//! or `false`.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.expression>

use crate::condition::{ConditionContext, ConditionType, rendered_true, string};
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The Expression condition.
pub static EXPRESSION: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.Expression",
        &[
            "io.kestra.plugin.core.condition.ExpressionCondition",
            "io.kestra.core.models.conditions.types.VariableCondition",
        ],
        &[req(
            "expression",
            Kind::String,
            "A template, e.g. `{{ trigger.body.action == 'opened' }}`.",
        )],
        "Holds when the expression renders to anything but blank or `false`.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let source = string(c, "expression").ok_or("`expression` is not set")?;
    Ok(rendered_true(&cx.render(&source)?))
}
