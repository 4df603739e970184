//! `io.kestra.plugin.core.condition.Not`: none of its conditions holds.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.not>

use super::holds;
use crate::condition::{ConditionContext, ConditionType};
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The Not condition.
pub static NOT: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.Not",
        &[
            "io.kestra.plugin.core.condition.NotCondition",
            "io.kestra.core.models.conditions.types.NotCondition",
        ],
        &[req(
            "conditions",
            Kind::Conditions,
            "The conditions that must all fail.",
        )],
        "Holds when none of its conditions holds.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    for inner in &c.conditions {
        if holds(inner, cx)? {
            return Ok(false);
        }
    }
    Ok(true)
}
