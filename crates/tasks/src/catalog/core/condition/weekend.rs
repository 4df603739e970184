//! `io.kestra.plugin.core.condition.Weekend`: the date falls on a Saturday or a Sunday.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.weekend>

use super::{DATE, DEFAULT_DATE, parse_date};
use crate::condition::{ConditionContext, ConditionType};
use jiff::civil::Weekday;
use sluice_flow::model::Condition;
use sluice_flow::schema::TypeSpec;

/// The Weekend condition.
pub static WEEKEND: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.Weekend",
        &[
            "io.kestra.plugin.core.condition.WeekendCondition",
            "io.kestra.core.models.conditions.types.WeekendCondition",
        ],
        &[DATE],
        "Holds when the date falls on a Saturday or a Sunday.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let (date, _) = parse_date(&cx.render_prop(c, "date", DEFAULT_DATE)?)?;
    Ok(matches!(date.date().weekday(), Weekday::Saturday | Weekday::Sunday))
}
