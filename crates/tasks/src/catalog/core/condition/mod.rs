//! `io.kestra.plugin.core.condition`: when a trigger may fire. Each type is one module with its
//! properties and its test; the dates the date conditions test are parsed here once.
//!
//! Kestra: <https://kestra.io/plugins/core/conditions>

pub mod date_time_between;
pub mod day_week;
pub mod day_week_in_month;
pub mod execution_flow;
pub mod execution_labels;
pub mod execution_namespace;
pub mod execution_outputs;
pub mod execution_status;
pub mod expression;
pub mod has_retry_attempt;
pub mod not;
pub mod or;
pub mod time_between;
pub mod weekend;

use crate::condition::{ConditionContext, ConditionType};
use jiff::civil::{DateTime, Time, Weekday};
use jiff::fmt::temporal::Pieces;
use jiff::tz::Offset;
use sluice_flow::model::Condition;
use sluice_flow::schema::{Kind, Prop, opt};

/// Every trigger condition type, with its test.
pub static CONDITIONS: &[&ConditionType] = &[
    &execution_status::EXECUTION_STATUS,
    &execution_namespace::EXECUTION_NAMESPACE,
    &execution_flow::EXECUTION_FLOW,
    &execution_labels::EXECUTION_LABELS,
    &execution_outputs::EXECUTION_OUTPUTS,
    &has_retry_attempt::HAS_RETRY_ATTEMPT,
    &expression::EXPRESSION,
    &not::NOT,
    &or::OR,
    &day_week::DAY_WEEK,
    &day_week_in_month::DAY_WEEK_IN_MONTH,
    &weekend::WEEKEND,
    &date_time_between::DATE_TIME_BETWEEN,
    &time_between::TIME_BETWEEN,
];

/// Every condition holds (an empty list holds).
pub fn all_hold(conditions: &[Condition], cx: &ConditionContext<'_>) -> Result<bool, String> {
    for c in conditions {
        if !holds(c, cx)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Tests one condition by its type.
pub fn holds(condition: &Condition, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let kind = CONDITIONS
        .iter()
        .find(|t| t.spec.name == condition.type_name)
        .ok_or_else(|| format!("unknown condition type `{}`", condition.type_name))?;
    (kind.test)(condition, cx)
        .map_err(|e| format!("condition `{}`: {e}", crate::condition::short(&condition.type_name)))
}

/// The `date` property of the date conditions: a template, `{{ trigger.date }}` by default.
pub(crate) const DATE: Prop = opt(
    "date",
    Kind::String,
    "The date to test (default `{{ trigger.date }}`, the fire date of a schedule).",
);

/// What `date` renders to when a flow does not set it.
pub(crate) const DEFAULT_DATE: &str = "{{ trigger.date }}";

/// Days of the week as Kestra (Java's `DayOfWeek`) writes them.
pub(crate) const DAYS: &[&str] = &[
    "MONDAY",
    "TUESDAY",
    "WEDNESDAY",
    "THURSDAY",
    "FRIDAY",
    "SATURDAY",
    "SUNDAY",
];

/// A rendered date with its offset: `2025-01-31T11:00:00+01:00`, `…Z`, or a plain date
/// (midnight UTC).
pub(crate) fn parse_date(text: &str) -> Result<(DateTime, Offset), String> {
    let text = text.trim();
    let pieces = Pieces::parse(text).map_err(|e| {
        format!("`{text}` is not a date-time ({e}); write it as ISO-8601, e.g. `2025-01-31T11:00:00+01:00`")
    })?;
    let time = pieces.time().unwrap_or(Time::midnight());
    let offset = pieces.offset().map_or(Offset::UTC, |o| o.to_numeric_offset());
    Ok((pieces.date().to_datetime(time), offset))
}

/// A rendered date as an instant.
pub(crate) fn parse_instant(text: &str) -> Result<jiff::Timestamp, String> {
    let (civil, offset) = parse_date(text)?;
    offset
        .to_timestamp(civil)
        .map_err(|e| format!("`{text}` is out of range: {e}"))
}

/// A day of the week by Kestra's name.
pub(crate) fn weekday(name: &str) -> Result<Weekday, String> {
    let i = DAYS
        .iter()
        .position(|d| d.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("`{name}` is not a day of the week; use one of {}", DAYS.join(", ")))?;
    Ok(Weekday::from_monday_one_offset(i as i8 + 1).expect("1 to 7 is a weekday"))
}

/// A time of day with an offset, Java's `OffsetTime` (`16:19:12+02:00`, `08:00:00Z`, or no
/// offset for UTC), as nanoseconds from midnight UTC: how Java compares two of them.
pub(crate) fn parse_offset_time(text: &str) -> Result<i128, String> {
    let text = text.trim();
    let split = text
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, '+' | '-' | 'Z' | 'z'))
        .map_or(text.len(), |(i, _)| i);
    let (clock, zone) = text.split_at(split);
    let time: Time = clock
        .parse()
        .map_err(|e| format!("`{text}` is not a time of day ({e}); write e.g. `08:30:00+02:00`"))?;
    let offset_seconds = if zone.is_empty() || zone.eq_ignore_ascii_case("z") {
        0
    } else {
        let probe = format!("2000-01-01T00:00:00{zone}");
        parse_date(&probe)
            .map_err(|_| format!("`{zone}` in `{text}` is not an offset; write e.g. `+02:00`"))?
            .1
            .seconds()
    };
    Ok(nanos_of_day(time) - i128::from(offset_seconds) * 1_000_000_000)
}

/// A time of day with its offset, compared as [`parse_offset_time`] does.
pub(crate) fn offset_time_of(civil: DateTime, offset: Offset) -> i128 {
    nanos_of_day(civil.time()) - i128::from(offset.seconds()) * 1_000_000_000
}

fn nanos_of_day(t: Time) -> i128 {
    let secs = i128::from(t.hour()) * 3600 + i128::from(t.minute()) * 60 + i128::from(t.second());
    secs * 1_000_000_000 + i128::from(t.subsec_nanosecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_own_offset_and_plain_dates_are_midnight_utc() {
        let (civil, offset) = parse_date("2025-01-31T23:30:00-05:00").unwrap();
        assert_eq!(civil.date().weekday(), Weekday::Friday);
        assert_eq!(offset.seconds(), -5 * 3600);
        let (civil, offset) = parse_date("2025-02-01").unwrap();
        assert_eq!((civil.hour(), offset), (0, Offset::UTC));
        assert!(parse_date("next tuesday").unwrap_err().contains("ISO-8601"));
    }

    #[test]
    fn offset_times_compare_as_instants_of_one_day() {
        assert_eq!(
            parse_offset_time("10:00:00+02:00").unwrap(),
            parse_offset_time("08:00:00Z").unwrap()
        );
        assert!(parse_offset_time("09:00").unwrap() < parse_offset_time("09:00:01").unwrap());
        assert!(parse_offset_time("25:00").is_err());
    }
}
