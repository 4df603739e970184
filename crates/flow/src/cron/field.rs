//! One cron field: its range and names, and parsing it into the set of values it matches.
//!
//! Each field (second, minute, hour, day-of-month, month, day-of-week) has the same
//! grammar of lists, ranges and steps, differing only in its bounds and names, so one
//! parser driven by a table of [`Spec`]s reads them all.

use super::CronError;
use super::CronError as E;

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// One cron field's rules: name, accepted values, where `*` ends, names and their first value.
pub(super) struct Spec(&'static str, u32, u32, u32, &'static [&'static str], u32);

pub(super) const SPECS: [Spec; 6] = [
    Spec("second", 0, 59, 59, &[], 0),
    Spec("minute", 0, 59, 59, &[], 0),
    Spec("hour", 0, 23, 23, &[], 0),
    Spec("day-of-month", 1, 31, 31, &[], 0),
    Spec("month", 1, 12, 12, &MONTHS, 1),
    Spec("day-of-week", 0, 7, 6, &DAYS, 0),
];

/// Parses one field into a bitset, naming the field and offending text on error.
pub(super) fn parse_field(text: &str, spec: &Spec, expr: &str) -> Result<u64, CronError> {
    let &Spec(name, min, max, open_max, names, base) = spec;
    let err = |make: fn(String, &'static str, String) -> CronError, token: &str| {
        make(
            expr.to_owned(),
            name,
            if token.is_empty() { text } else { token }.to_owned(),
        )
    };
    let value = |tok: &str| -> Result<u32, CronError> {
        if !tok.is_empty() && tok.bytes().all(|b| b.is_ascii_digit()) {
            return match tok.parse::<u32>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(err(E::OutOfRange, tok)),
            };
        }
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(tok)) {
            return Ok(u32::try_from(i).unwrap_or(0) + base);
        }
        let up = tok.to_ascii_uppercase();
        let body = up.trim_end_matches(['L', 'W']);
        let quartz = body.len() < up.len() && body.bytes().all(|b| b.is_ascii_digit());
        Err(err(if quartz { E::Unsupported } else { E::BadValue }, tok))
    };
    let mut bits = 0u64;
    for item in text.split(',') {
        if item.contains('#') {
            return Err(err(E::Unsupported, item));
        }
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => match s.parse::<u32>() {
                Ok(n) if (1..=max - min + 1).contains(&n) => (r, Some(n)),
                _ => return Err(err(E::BadStep, item)),
            },
            None => (item, None),
        };
        let (lo, hi) = match range {
            "*" => (min, open_max),
            "?" if name.starts_with("day") => (min, open_max),
            "?" => return Err(err(E::BadValue, item)),
            _ => match range.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                // `5/15` runs from 5 to the end of the field.
                None => {
                    let a = value(range)?;
                    (a, if step.is_some() { a.max(open_max) } else { a })
                }
            },
        };
        if lo > hi {
            return Err(err(E::Reversed, item));
        }
        for v in (lo..=hi).step_by(usize::try_from(step.unwrap_or(1)).unwrap_or(1)) {
            bits |= 1 << if name == "day-of-week" { v % 7 } else { v };
        }
    }
    Ok(bits)
}

/// A field's values for messages: `0-59`, or with `words` a sentence ("minute values go …").
pub(super) fn range(field: &str, words: bool) -> String {
    let Some(Spec(_, min, max, _, names, _)) = SPECS.iter().find(|s| s.0 == field) else {
        return String::new();
    };
    let or_names = match (names.first(), names.last()) {
        (Some(a), Some(b)) => format!(", or {a}-{b}"),
        _ => String::new(),
    };
    let sunday = if names.len() == 7 { " (0 and 7 are Sunday)" } else { "" };
    match words {
        true => format!("{field} values go from {min} to {max}{sunday}{or_names}"),
        false => format!("{min}-{max}"),
    }
}
