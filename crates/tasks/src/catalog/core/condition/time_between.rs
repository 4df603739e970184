//! `io.kestra.plugin.core.condition.TimeBetween`: the time of day of the date is after `after`
//! and before `before` (either bound may be left out), compared with their offsets.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.timebetween>

use super::{DATE, DEFAULT_DATE, offset_time_of, parse_date, parse_offset_time};
use crate::condition::{ConditionContext, ConditionType, string};
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The TimeBetween condition.
pub static TIME_BETWEEN: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.TimeBetween",
        &[
            "io.kestra.plugin.core.condition.TimeBetweenCondition",
            "io.kestra.core.models.conditions.types.TimeBetweenCondition",
        ],
        &[
            DATE,
            opt(
                "after",
                Kind::String,
                "The time must be after this one, e.g. `08:00:00+02:00`.",
            ),
            opt("before", Kind::String, "The time must be before this one."),
        ],
        "Holds when the time of day of the date is between two times.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let (civil, offset) = parse_date(&cx.render_prop(c, "date", DEFAULT_DATE)?)?;
    let now = offset_time_of(civil, offset);
    let bound = |name: &str| string(c, name).map(|s| parse_offset_time(&s)).transpose();
    let (after, before) = (bound("after")?, bound("before")?);
    if after.is_none() && before.is_none() {
        return Err("set `after`, `before` or both".into());
    }
    Ok(after.is_none_or(|a| now > a) && before.is_none_or(|b| now < b))
}
