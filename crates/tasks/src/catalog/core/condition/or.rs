//! `io.kestra.plugin.core.condition.Or`: at least one of its conditions holds.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.or>

use super::holds;
use crate::condition::{ConditionContext, ConditionType};
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The Or condition.
pub static OR: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.Or",
        &[
            "io.kestra.plugin.core.condition.OrCondition",
            "io.kestra.core.models.conditions.types.OrCondition",
        ],
        &[req(
            "conditions",
            Kind::Conditions,
            "The conditions of which one must hold.",
        )],
        "Holds when at least one of its conditions holds.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    for inner in &c.conditions {
        if holds(inner, cx)? {
            return Ok(true);
        }
    }
    Ok(false)
}
