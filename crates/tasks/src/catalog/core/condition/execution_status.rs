//! `io.kestra.plugin.core.condition.ExecutionStatus`: the execution's state is in `in` and not
//! in `notIn`.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.executionstatus>

use crate::condition::{ConditionContext, ConditionType, string_list};
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The ExecutionStatus condition.
pub static EXECUTION_STATUS: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.ExecutionStatus",
        &[
            "io.kestra.plugin.core.condition.ExecutionStatusCondition",
            "io.kestra.core.models.conditions.types.ExecutionStatusCondition",
        ],
        &[
            opt("in", Kind::StringList, "States that pass, e.g. `[FAILED, WARNING]`."),
            opt("notIn", Kind::StringList, "States that do not pass."),
        ],
        "Holds when the execution's state is in `in` and not in `notIn`.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let state = &cx.execution(c)?.state;
    Ok(states_pass(c, state))
}

/// Whether `state` passes the `in` and `notIn` lists of `c` (shared with HasRetryAttempt).
pub(crate) fn states_pass(c: &Condition, state: &str) -> bool {
    let listed = |name: &str| string_list(&c.properties, name).map(|l| l.iter().any(|s| s.eq_ignore_ascii_case(state)));
    listed("in") != Some(false) && listed("notIn") != Some(true)
}
