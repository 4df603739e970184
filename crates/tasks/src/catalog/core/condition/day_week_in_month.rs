//! `io.kestra.plugin.core.condition.DayWeekInMonth`: the date is the first, second, third,
//! fourth or last given weekday of its month.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.dayweekinmonth>

use super::{DATE, DAYS, DEFAULT_DATE, parse_date, weekday};
use crate::condition::{ConditionContext, ConditionType, string};
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, TypeSpec, req};

const WHICH: &[&str] = &["FIRST", "SECOND", "THIRD", "FOURTH", "LAST"];

/// The DayWeekInMonth condition.
pub static DAY_WEEK_IN_MONTH: ConditionType = ConditionType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.condition.DayWeekInMonth",
        &[
            "io.kestra.plugin.core.condition.DayWeekInMonthCondition",
            "io.kestra.core.models.conditions.types.DayWeekInMonthCondition",
        ],
        &[
            DATE,
            req("dayOfWeek", Kind::Enum(DAYS), "The day of the week, e.g. `SATURDAY`."),
            req("dayInMonth", Kind::Enum(WHICH), "Which of that day in the month."),
        ],
        "Holds when the date is the first, second, third, fourth or last given weekday of its month.",
    ),
    test,
};

fn test(c: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let (date, _) = parse_date(&cx.render_prop(c, "date", DEFAULT_DATE)?)?;
    let date = date.date();
    let day = weekday(&string(c, "dayOfWeek").ok_or("`dayOfWeek` is not set")?)?;
    let which = string(c, "dayInMonth").ok_or("`dayInMonth` is not set")?;
    let nth: i8 = match which.to_ascii_uppercase().as_str() {
        "FIRST" => 1,
        "SECOND" => 2,
        "THIRD" => 3,
        "FOURTH" => 4,
        "LAST" => -1,
        other => return Err(format!("`dayInMonth: {other}` is not one of {}", WHICH.join(", "))),
    };
    // Every month has at least four of each weekday, so the nth always exists.
    let wanted = date.nth_weekday_of_month(nth, day).map_err(|e| e.to_string())?;
    Ok(wanted == date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_flow::template::NoSecrets;

    fn holds(date: &str, day: &str, which: &str) -> bool {
        let c = Condition {
            type_name: DAY_WEEK_IN_MONTH.spec.name.into(),
            properties: serde_json::json!({"date": date, "dayOfWeek": day, "dayInMonth": which})
                .as_object()
                .unwrap()
                .clone(),
            conditions: vec![],
        };
        let vars = serde_json::json!({});
        test(
            &c,
            &ConditionContext {
                variables: &vars,
                execution: None,
                secrets: &NoSecrets,
                now: jiff::Timestamp::UNIX_EPOCH,
            },
        )
        .unwrap()
    }

    #[test]
    fn the_last_saturday_of_a_month_is_found_and_others_are_not() {
        // January 2025: Saturdays are the 4th, 11th, 18th and 25th.
        assert!(holds("2025-01-25T11:00:00Z", "SATURDAY", "LAST"));
        assert!(!holds("2025-01-18T11:00:00Z", "SATURDAY", "LAST"));
        assert!(holds("2025-01-04T11:00:00Z", "SATURDAY", "FIRST"));
        assert!(holds("2025-01-11T11:00:00Z", "SATURDAY", "SECOND"));
        assert!(!holds("2025-01-11T11:00:00Z", "SUNDAY", "SECOND"));
    }
}
