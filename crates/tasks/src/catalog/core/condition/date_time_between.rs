//! `io.kestra.plugin.core.condition.DateTimeBetween`: the date is after `after` and before
//! `before` (either bound may be left out).
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.datetimebetween>

use super::{DATE, DEFAULT_DATE, parse_instant};
use crate::condition::{ConditionContext, ConditionType, string};
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The DateTimeBetween condition.
pub static DATE_TIME_BETWEEN: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.DateTimeBetween",
        &[
            "io.kestra.plugin.core.condition.DateTimeBetweenCondition",
            "io.kestra.core.models.conditions.types.DateTimeBetweenCondition",
        ],
        &[
            DATE,
            opt(
                "after",
                Kind::String,
                "The date must be after this one, e.g. `2025-01-01T00:00:00Z`.",
            ),
            opt("before", Kind::String, "The date must be before this one."),
        ],
        "Holds when the date is between two date-times.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let date = parse_instant(&cx.render_prop(c, "date", DEFAULT_DATE)?)?;
    let bound = |name: &str| string(c, name).map(|s| parse_instant(&s)).transpose();
    let (after, before) = (bound("after")?, bound("before")?);
    if after.is_none() && before.is_none() {
        return Err("set `after`, `before` or both".into());
    }
    Ok(after.is_none_or(|a| date > a) && before.is_none_or(|b| date < b))
}
