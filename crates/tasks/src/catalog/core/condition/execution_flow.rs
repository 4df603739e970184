//! `io.kestra.plugin.core.condition.ExecutionFlow`: the execution is of one given flow.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.executionflow>

use crate::condition::{ConditionContext, ConditionType, string};
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The ExecutionFlow condition.
pub static EXECUTION_FLOW: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.ExecutionFlow",
        &[
            "io.kestra.plugin.core.condition.ExecutionFlowCondition",
            "io.kestra.core.models.conditions.types.ExecutionFlowCondition",
        ],
        &[
            req("namespace", Kind::String, "The namespace of the flow."),
            req("flowId", Kind::String, "The flow id."),
        ],
        "Holds when the execution is of the given flow.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let upstream = cx.execution(c)?;
    Ok(string(c, "namespace").as_deref() == Some(upstream.namespace.as_str())
        && string(c, "flowId").as_deref() == Some(upstream.flow_id.as_str()))
}
