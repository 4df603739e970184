//! `io.kestra.plugin.core.condition.HasRetryAttempt`: a task run of the execution was attempted
//! more than once, and its state is in `in` and not in `notIn`.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.hasretryattempt>

use super::execution_status::states_pass;
use crate::condition::{ConditionContext, ConditionType};
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The HasRetryAttempt condition.
pub static HAS_RETRY_ATTEMPT: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.HasRetryAttempt",
        &[
            "io.kestra.plugin.core.condition.HasRetryAttemptCondition",
            "io.kestra.core.models.conditions.types.HasRetryAttemptCondition",
        ],
        &[
            opt("in", Kind::StringList, "States of the retried task run that pass."),
            opt(
                "notIn",
                Kind::StringList,
                "States of the retried task run that do not pass.",
            ),
        ],
        "Holds when a task run of the execution was retried.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let upstream = cx.execution(c)?;
    Ok(upstream.retried_states.iter().any(|s| states_pass(c, s)))
}
