//! `io.kestra.plugin.core.condition.ExecutionLabels`: the execution carries every given label.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.executionlabels>

use crate::condition::{ConditionContext, ConditionType};
use serde_json::Value;
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The ExecutionLabels condition.
pub static EXECUTION_LABELS: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.ExecutionLabels",
        &[
            "io.kestra.plugin.core.condition.ExecutionLabelsCondition",
            "io.kestra.core.models.conditions.types.ExecutionLabelsCondition",
        ],
        &[req(
            "labels",
            Kind::Any,
            "The labels the execution must carry: a mapping, or a list of `{key, value}`.",
        )],
        "Holds when the execution carries every given label.",
    ),
    test,
};

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let upstream = cx.execution(c)?;
    let wanted: Vec<(String, String)> = match c.properties.get("labels") {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match (i.get("key"), i.get("value")) {
                (Some(k), Some(v)) => Ok((text(k), text(v))),
                _ => Err("each label in the list needs `key` and `value`".to_string()),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("`labels` must be a mapping or a list of `{key, value}`".into()),
    };
    Ok(wanted.iter().all(|w| upstream.labels.contains(w)))
}
