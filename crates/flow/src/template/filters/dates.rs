//! Kestra's date filters (`date`, `dateAdd`, `timestamp`, `timestampMilli`, `timestampMicro`,
//! `timestampNano`) and the formatting `now()` shares with them, after Kestra's
//! `AbstractDate`: Java `DateTimeFormatter` patterns or named formats, input as epoch
//! seconds or ISO-8601 text (or text in `existingFormat`), output converted into
//! `timeZone`, UTC when not given (Kestra uses the server's zone, UTC in its images).

use jiff::civil::Time;
use jiff::fmt::temporal::Pieces;
use jiff::tz::{Offset, TimeZone};
use jiff::{Span, Timestamp, ZonedDateTime};
use serde_json::Value;

use super::{Args, Entry};
use crate::template::scope::{Fail, Scope, fail};
use crate::template::value::{Num, java_string, to_num, type_name};

mod java;

/// The argument names of `date`, which `now()` takes too.
pub(crate) const DATE_ARGS: &[&str] = &["format", "timeZone", "existingFormat", "locale"];

pub(super) const FILTERS: &[Entry] = &[
    ("date", DATE_ARGS, date),
    (
        "dateAdd",
        &["amount", "unit", "format", "timeZone", "existingFormat", "locale"],
        date_add,
    ),
    ("timestamp", &["timeZone", "existingFormat"], |_, v, a| epoch(v, a, 0)),
    ("timestampMilli", &["timeZone", "existingFormat"], |_, v, a| {
        epoch(v, a, 3)
    }),
    ("timestampMicro", &["timeZone", "existingFormat"], |_, v, a| {
        epoch(v, a, 1)
    }),
    ("timestampNano", &["timeZone", "existingFormat"], |_, v, a| {
        epoch(v, a, 2)
    }),
];

fn date(_: &Scope<'_>, input: &Value, args: &Args) -> Result<Value, Fail> {
    if input.is_null() {
        return Ok(Value::Null);
    }
    let zone = zone(args.str(1, "timeZone").as_deref())?;
    let at = parse_date(input, &zone, args.str(2, "existingFormat").as_deref())?;
    format(&at, args, 0).map(Value::String)
}

fn date_add(_: &Scope<'_>, input: &Value, args: &Args) -> Result<Value, Fail> {
    if input.is_null() {
        return Ok(Value::Null);
    }
    let amount = args
        .int(0, "amount")?
        .ok_or_else(|| Fail::Error("`dateAdd` needs its argument `amount`".into(), None))?;
    let unit = args.str(1, "unit").unwrap_or_default();
    let zone = zone(args.str(3, "timeZone").as_deref())?;
    let at = parse_date(input, &zone, args.str(4, "existingFormat").as_deref())?;
    let too_far = |e: jiff::Error| Fail::Error(format!("cannot add {amount} {unit}: {e}"), None);
    let span = match unit.as_str() {
        "NANOS" => Span::new().try_nanoseconds(amount),
        "MICROS" => Span::new().try_microseconds(amount),
        "MILLIS" => Span::new().try_milliseconds(amount),
        "SECONDS" => Span::new().try_seconds(amount),
        "MINUTES" => Span::new().try_minutes(amount),
        "HOURS" => Span::new().try_hours(amount),
        "HALF_DAYS" => Span::new().try_hours(amount.saturating_mul(12)),
        "DAYS" => Span::new().try_days(amount),
        "WEEKS" => Span::new().try_weeks(amount),
        "MONTHS" => Span::new().try_months(amount),
        "YEARS" => Span::new().try_years(amount),
        "DECADES" => Span::new().try_years(amount.saturating_mul(10)),
        "CENTURIES" => Span::new().try_years(amount.saturating_mul(100)),
        "MILLENNIA" => Span::new().try_years(amount.saturating_mul(1000)),
        other => {
            return Err(Fail::Error(
                format!("`dateAdd` has no unit `{other}`"),
                Some("units are Java's ChronoUnit names: SECONDS, MINUTES, HOURS, DAYS, WEEKS, MONTHS, YEARS…".into()),
            ));
        }
    }
    .map_err(too_far)?;
    let later = at.checked_add(span).map_err(too_far)?;
    format(&later, args, 2).map(Value::String)
}

/// `timestamp` (seconds) and `timestampMilli` (milliseconds), numbers; `timestampMicro` and
/// `timestampNano`, text, as Kestra returns them.
fn epoch(input: &Value, args: &Args, precision: u8) -> Result<Value, Fail> {
    if input.is_null() {
        return Ok(Value::Null);
    }
    let zone = zone(args.str(0, "timeZone").as_deref())?;
    let at = parse_date(input, &zone, args.str(1, "existingFormat").as_deref())?;
    let (secs, nanos) = (
        i128::from(at.timestamp().as_second()),
        i128::from(at.subsec_nanosecond()),
    );
    Ok(match precision {
        0 => Value::from(at.timestamp().as_second()),
        3 => Value::from(at.timestamp().as_millisecond()),
        // Kestra's `TimestampMicroFilter`: the seconds in nanoseconds plus the microseconds.
        1 => Value::String((secs * 1_000_000_000 + nanos / 1000).to_string()),
        _ => Value::String((secs * 1_000_000_000 + nanos).to_string()),
    })
}

/// `now(format, timeZone, …)`: the current time formatted as `date` would.
pub(crate) fn format_now(args: &Args) -> Result<Value, Fail> {
    let zone = zone(args.str(1, "timeZone").as_deref())?;
    format(&Timestamp::now().to_zoned_datetime(zone), args, 0).map(Value::String)
}

/// Formats `at` with the `format` argument at position `base` and `timeZone` after it.
fn format(at: &ZonedDateTime, args: &Args, base: usize) -> Result<String, Fail> {
    let zone = zone(args.str(base + 1, "timeZone").as_deref())?;
    let at = at.with_time_zone(zone);
    let pattern = args.str(base, "format").unwrap_or_else(|| "iso".into());
    java::format_named(&pattern, &at)
}

/// A `timeZone` argument as Java's `ZoneId.of` reads it; UTC when not given.
pub(crate) fn zone(name: Option<&str>) -> Result<TimeZone, Fail> {
    let Some(name) = name else {
        return Ok(TimeZone::UTC);
    };
    if matches!(name, "UTC" | "Z" | "GMT" | "UT") {
        return Ok(TimeZone::UTC);
    }
    let offset = name.trim_start_matches("UTC").trim_start_matches("GMT");
    if offset.starts_with(['+', '-'])
        && let Some(off) = parse_offset(offset)
    {
        return Ok(TimeZone::fixed(off));
    }
    TimeZone::get(name).map_err(|_| {
        Fail::Error(
            format!("unknown time zone `{name}`"),
            Some("use a zone id such as `Europe/Paris` or `UTC`, or an offset such as `+02:00`".into()),
        )
    })
}

fn parse_offset(s: &str) -> Option<Offset> {
    let (sign, rest) = (if s.starts_with('-') { -1 } else { 1 }, &s[1..]);
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        _ => return None,
    };
    (h <= 18 && m < 60).then_some(())?;
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

/// Reads a date as Kestra's `AbstractDate.convert`: whole numbers are epoch seconds; text
/// is a zoned date-time, else a local date-time in `zone`, else a date at midnight.
pub(crate) fn parse_date(v: &Value, zone: &TimeZone, existing: Option<&str>) -> Result<ZonedDateTime, Fail> {
    let text = match v {
        Value::Number(n) => match to_num(v) {
            Some(Num::Long(secs)) => {
                let ts = Timestamp::from_second(secs)
                    .map_err(|e| Fail::Error(format!("{secs} is out of range for a date: {e}"), None))?;
                return Ok(ts.to_zoned_datetime(zone.clone()));
            }
            _ => {
                return fail(format!(
                    "cannot read the number {n} as a date; give whole epoch seconds"
                ));
            }
        },
        Value::String(s) => s.trim(),
        other => return fail(format!("cannot read {} as a date", type_name(other))),
    };
    let parsed = match existing {
        Some("rfc_1123_date_time") => jiff::fmt::rfc2822::parse(text).ok(),
        Some(pattern) if !java::is_iso_name(pattern) => java::parse(pattern, text, zone),
        _ => parse_iso(text, zone),
    };
    parsed.ok_or_else(|| {
        let how = existing.map_or("ISO-8601 (e.g. 2024-01-31T10:00:00Z)".into(), |p| {
            format!("the format `{p}`")
        });
        Fail::Error(
            format!("cannot read `{}` as a date in {how}", java_string(v)),
            Some("pass `existingFormat` with the Java pattern the date is written in".into()),
        )
    })
}

fn parse_iso(text: &str, zone: &TimeZone) -> Option<ZonedDateTime> {
    let p = Pieces::parse(text).ok()?;
    let dt = p.date().to_datetime(p.time().unwrap_or(Time::midnight()));
    match (p.to_numeric_offset(), p.to_time_zone().ok()?) {
        (Some(off), named) => {
            let ts = off.to_timestamp(dt).ok()?;
            Some(ts.to_zoned_datetime(named.unwrap_or_else(|| TimeZone::fixed(off))))
        }
        (None, Some(named)) => dt.to_zoned_datetime(named).ok(),
        (None, None) => dt.to_zoned_datetime(zone.clone()).ok(),
    }
}
