//! `io.kestra.plugin.core.condition.ExecutionNamespace`: the execution's namespace equals,
//! starts with or ends with the given one.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.executionnamespace>

use crate::condition::{ConditionContext, ConditionType, string};
use serde_json::Value;
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The ExecutionNamespace condition.
pub static EXECUTION_NAMESPACE: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.ExecutionNamespace",
        &[
            "io.kestra.plugin.core.condition.ExecutionNamespaceCondition",
            "io.kestra.core.models.conditions.types.ExecutionNamespaceCondition",
        ],
        &[
            req("namespace", Kind::String, "The namespace to compare with."),
            opt(
                "comparison",
                Kind::Enum(&["EQUALS", "PREFIX", "SUFFIX"]),
                "How to compare (default `EQUALS`, or `PREFIX` when `prefix: true`).",
            ),
            opt("prefix", Kind::Bool, "Shortcut for `comparison: PREFIX`."),
        ],
        "Holds when the execution's namespace matches.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let actual = &cx.execution(c)?.namespace;
    let wanted = string(c, "namespace").ok_or("`namespace` is not set")?;
    let prefix = c.properties.get("prefix") == Some(&Value::Bool(true));
    let comparison = string(c, "comparison").unwrap_or_else(|| if prefix { "PREFIX" } else { "EQUALS" }.into());
    Ok(match comparison.to_ascii_uppercase().as_str() {
        "PREFIX" => actual.starts_with(&wanted),
        "SUFFIX" => actual.ends_with(&wanted),
        _ => *actual == wanted,
    })
}
