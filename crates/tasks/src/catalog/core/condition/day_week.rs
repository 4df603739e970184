//! `io.kestra.plugin.core.condition.DayWeek`: the date falls on one day of the week.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.dayweek>

use super::{DATE, DAYS, DEFAULT_DATE, parse_date, weekday};
use crate::condition::{ConditionContext, ConditionType, string};
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The DayWeek condition.
pub static DAY_WEEK: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.DayWeek",
        &[
            "io.kestra.plugin.core.condition.DayWeekCondition",
            "io.kestra.core.models.conditions.types.DayWeekCondition",
        ],
        &[
            DATE,
            req("dayOfWeek", Kind::Enum(DAYS), "The day of the week, e.g. `MONDAY`."),
        ],
        "Holds when the date falls on the given day of the week.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let (date, _) = parse_date(&cx.render_prop(c, "date", DEFAULT_DATE)?)?;
    let day = weekday(&string(c, "dayOfWeek").ok_or("`dayOfWeek` is not set")?)?;
    Ok(date.date().weekday() == day)
}
