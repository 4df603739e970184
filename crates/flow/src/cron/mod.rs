//! Cron schedules for Kestra's `io.kestra.plugin.core.trigger.Schedule` trigger.
//!
//! A flow's `cron` is standard 5-field UNIX cron (minute hour day-of-month month
//! day-of-week), 6 fields with seconds first when the trigger sets `withSeconds: true`, or a
//! nickname like `@daily`. Parsing checks every field up front so a bad schedule is reported
//! when the flow is loaded, with a hint, rather than silently never firing.
//!
//! This file holds the public types, the whole-expression grammar and the error messages;
//! `field` parses a single field into the set of values it matches, and `next` finds the
//! next fire time.

mod field;
mod next;
#[cfg(test)]
mod tests;

use CronError as E;
use field::{SPECS, parse_field, range};

const FIVE: &str = "a cron expression has 5 fields: minute hour day-of-month month \
    day-of-week, like `*/15 * * * *` (every 15 minutes)";
const NICKNAMES: &str = "`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`";

/// A parsed cron schedule, ready to compute fire times with [`Cron::next_after`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    /// Bit `n` set when value `n` matches: second, minute, hour, day-of-month, month, and
    /// day-of-week with Sunday as 0.
    bits: [u64; 6],
    /// Both day fields are restricted, so a day matching either one counts (Vixie cron).
    day_or: bool,
}

/// Why a cron expression was rejected; [`CronError::help`] says how to fix it.
///
/// Fields are, in order: the whole expression, then where present the field's name
/// (e.g. `minute`) and the offending text in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    /// Nothing was written, so there is no schedule.
    #[error("cron expression is empty")]
    Empty,
    /// Too few or too many fields; then how many were found and whether seconds were on.
    #[error("cron `{}` has {} fields, expected {}", show(.0), .1, if *.2 { 6 } else { 5 })]
    FieldCount(String, usize, bool),
    /// An `@` nickname that is not one of the standard ones (e.g. `@reboot`, `@every 5m`).
    #[error("cron `{}` uses an unknown nickname", show(.0))]
    UnknownNickname(String),
    /// A number outside the field's range, e.g. minute `75`.
    #[error("{} field `{}` is out of range {} in cron `{}`",
        .1, show(.2), range(.1, false), show(.0))]
    OutOfRange(String, &'static str, String),
    /// Text that is neither a number nor a name the field knows (or `?` outside the day fields).
    #[error("{} field has `{}`, which is not a valid value, in cron `{}`", .1, show(.2), show(.0))]
    BadValue(String, &'static str, String),
    /// Quartz's `L`, `W` or `#`, which standard cron does not have.
    #[error("{} field `{}` uses Quartz's `L`, `W` or `#`, which are not supported, in cron `{}`",
        .1, show(.2), show(.0))]
    Unsupported(String, &'static str, String),
    /// A step after `/` that is not a whole number from 1 to the field's size.
    #[error("{} field `{}` has an invalid step in cron `{}`", .1, show(.2), show(.0))]
    BadStep(String, &'static str, String),
    /// A range whose start is after its end, e.g. `50-10`.
    #[error("{} field `{}` is a range that runs backwards in cron `{}`", .1, show(.2), show(.0))]
    Reversed(String, &'static str, String),
}

impl CronError {
    /// How to fix the expression, in one line, for the diagnostic shown under the error.
    pub fn help(&self) -> String {
        match self {
            E::Empty => FIVE.to_owned(),
            E::FieldCount(_, 6, false) => {
                format!("{FIVE}; for 6 fields (seconds first) set `withSeconds: true`")
            }
            E::FieldCount(_, n, true) => format!(
                "found {n}; with `withSeconds: true` there are 6 fields, seconds first, like \
                `0 */15 * * * *`; without it, 5"
            ),
            E::FieldCount(_, n, false) => format!("found {n}; {FIVE}"),
            E::UnknownNickname(x) if x.to_ascii_lowercase().contains("@every") => format!(
                "for a fixed interval use a step, like `*/5 * * * *` (every 5 minutes); \
                the nicknames are {NICKNAMES}"
            ),
            E::UnknownNickname(_) => {
                format!("use one of {NICKNAMES}, or fields like `*/15 * * * *`")
            }
            E::BadValue(_, _, v) if v == "?" => {
                "use `*` here; `?` only works in day-of-month and day-of-week".to_owned()
            }
            E::OutOfRange(_, f, _) | E::BadValue(_, f, _) => format!(
                "{}; write a value, a list `1,5`, a range `1-5` or a step `*/15`",
                range(f, true)
            ),
            E::Unsupported(..) => "`L`, `W` and `#` are Quartz extensions that are not \
                supported; list the values instead, like `1,15` or `MON-FRI`"
                .to_owned(),
            E::BadStep(_, f, _) => format!(
                "a step is a whole number from 1 to the field's size, like `*/15` or `10-50/5`; {}",
                range(f, true)
            ),
            E::Reversed(_, "day-of-week", _) => "ranges go from low to high, like `MON-FRI`; \
                Sunday can also be written `7`, like `FRI-7`"
                .to_owned(),
            E::Reversed(..) => "ranges go from low to high, like `1-5`; to wrap around, \
                list two ranges, like `22-23,0-2`"
                .to_owned(),
        }
    }
}

impl Cron {
    /// Parses a Kestra `Schedule` cron: 5 fields, 6 (seconds first) when `with_seconds` is
    /// set, or a nickname such as `@daily`.
    pub fn parse(expr: &str, with_seconds: bool) -> Result<Cron, CronError> {
        let text = expr.trim();
        if text.is_empty() {
            return Err(E::Empty);
        }
        if let Some(nick) = text.strip_prefix('@') {
            let fields = match nick.to_ascii_lowercase().as_str() {
                "yearly" | "annually" => "0 0 1 1 *",
                "monthly" => "0 0 1 * *",
                "weekly" => "0 0 * * 0",
                "daily" | "midnight" => "0 0 * * *",
                "hourly" => "0 * * * *",
                _ => return Err(E::UnknownNickname(expr.to_owned())),
            };
            return Cron::parse(fields, false);
        }
        let fields: Vec<&str> = text.split_whitespace().collect();
        let want = if with_seconds { 6 } else { 5 };
        if fields.len() != want {
            return Err(E::FieldCount(expr.to_owned(), fields.len(), with_seconds));
        }
        let mut bits = [1, 0, 0, 0, 0, 0];
        for ((slot, spec), field) in bits.iter_mut().zip(&SPECS).skip(6 - want).zip(&fields) {
            *slot = parse_field(field, spec, expr)?;
        }
        let star = |i: usize| fields.get(i).is_some_and(|f| *f == "*" || *f == "?");
        Ok(Cron {
            bits,
            day_or: !star(want - 3) && !star(want - 1),
        })
    }
}

/// Text for an error message: control characters escaped, long text cut short.
fn show(s: &str) -> String {
    let head: String = s.chars().take(60).collect();
    let more = if s.chars().nth(60).is_some() { "…" } else { "" };
    format!("{}{more}", head.escape_debug())
}
