//! Cron schedules for Kestra's `io.kestra.plugin.core.trigger.Schedule` trigger.
//!
//! A flow's `cron` is standard 5-field UNIX cron (minute hour day-of-month month
//! day-of-week), 6 fields with seconds first when the trigger sets `withSeconds: true`, or a
//! nickname like `@daily`. Parsing checks every field up front so a bad schedule is reported
//! when the flow is loaded, with a hint, rather than silently never firing.

use jiff::ZonedDateTime;
use jiff::civil::DateTime;

use CronError as E;

/// How far ahead [`Cron::next_after`] looks: enough to reach every leap day (2096 → 2104).
const YEARS_AHEAD: i32 = 8;
const FIVE: &str = "a cron expression has 5 fields: minute hour day-of-month month \
    day-of-week, like `*/15 * * * *` (every 15 minutes)";
const NICKNAMES: &str = "`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`";
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// One cron field's rules: name, accepted values, where `*` ends, names and their first value.
struct Spec(&'static str, u32, u32, u32, &'static [&'static str], u32);

const SPECS: [Spec; 6] = [
    Spec("second", 0, 59, 59, &[], 0),
    Spec("minute", 0, 59, 59, &[], 0),
    Spec("hour", 0, 23, 23, &[], 0),
    Spec("day-of-month", 1, 31, 31, &[], 0),
    Spec("month", 1, 12, 12, &MONTHS, 1),
    Spec("day-of-week", 0, 7, 6, &DAYS, 0),
];

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

    /// The first fire time strictly after `after`, in `after`'s time zone; `None` if there is
    /// none within about 8 years (e.g. `0 0 30 2 *`).
    ///
    /// Candidates are civil times in order, placed in the zone with jiff's `compatible`
    /// rule: a time skipped by a DST jump fires just after the jump, and a repeated time
    /// fires once, at its first occurrence (so nothing fires in the hour's second pass).
    pub fn next_after(&self, after: &ZonedDateTime) -> Option<ZonedDateTime> {
        let mut start = after.datetime();
        let limit = i32::from(start.year()).saturating_add(YEARS_AHEAD);
        loop {
            let [y, mo, d, h, mi, s] = fields(start);
            let civil = self.next_civil([y, mo, d, h, mi, s + 1], limit)?;
            let zoned = after.time_zone().to_zoned_datetime(civil).ok()?;
            if zoned.timestamp() > after.timestamp() {
                return Some(zoned);
            }
            start = civil;
        }
    }

    /// Whether a civil time is one this schedule fires at (sub-seconds ignored).
    pub fn matches(&self, dt: DateTime) -> bool {
        let [y, mo, d, h, mi, s] = fields(dt);
        let [bs, bmi, bh, _, bmo, _] = self.bits;
        has(bs, s) && has(bmi, mi) && has(bh, h) && has(bmo, mo) && self.day_matches(y, mo, d)
    }

    fn day_matches(&self, y: i32, mo: i32, d: i32) -> bool {
        let dom = has(self.bits[3], d);
        let dow = has(self.bits[5], weekday(y, mo, d));
        if self.day_or { dom || dow } else { dom && dow }
    }

    /// The first matching civil time at or after `t` (year, month, day, hour, minute, second;
    /// any may be one past its range), skipping whole months, days, hours and minutes that
    /// cannot match.
    fn next_civil(&self, mut t: [i32; 6], limit: i32) -> Option<DateTime> {
        let [bs, bmi, bh, _, bmo, _] = self.bits;
        loop {
            let [y, mo, d, h, mi, s] = t;
            if y > limit {
                return None;
            }
            t = match (next_bit(bmo, mo), next_bit(bh, h), next_bit(bmi, mi)) {
                (None, ..) => [y + 1, 1, 1, 0, 0, 0],
                (Some(x), ..) if x != mo => [y, x, 1, 0, 0, 0],
                _ if d > days_in_month(y, mo) => [y, mo + 1, 1, 0, 0, 0],
                _ if !self.day_matches(y, mo, d) => [y, mo, d + 1, 0, 0, 0],
                (_, None, _) => [y, mo, d + 1, 0, 0, 0],
                (_, Some(x), _) if x != h => [y, mo, d, x, 0, 0],
                (.., None) => [y, mo, d, h + 1, 0, 0],
                (.., Some(x)) if x != mi => [y, mo, d, h, x, 0],
                _ => match next_bit(bs, s) {
                    None => [y, mo, d, h, mi + 1, 0],
                    Some(x) => {
                        let b = |v: i32| i8::try_from(v).ok();
                        let year = i16::try_from(y).ok()?;
                        return DateTime::new(year, b(mo)?, b(d)?, b(h)?, b(mi)?, b(x)?, 0).ok();
                    }
                },
            };
        }
    }
}

/// A civil time's year, month, day, hour, minute and second.
fn fields(dt: DateTime) -> [i32; 6] {
    let [mo, d, h, mi, s] = [dt.month(), dt.day(), dt.hour(), dt.minute(), dt.second()];
    let [mo, d, h, mi, s] = [mo, d, h, mi, s].map(i32::from);
    [i32::from(dt.year()), mo, d, h, mi, s]
}

/// Parses one field into a bitset, naming the field and offending text on error.
fn parse_field(text: &str, spec: &Spec, expr: &str) -> Result<u64, CronError> {
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

/// The first set bit at position `from` or above.
fn next_bit(bits: u64, from: i32) -> Option<i32> {
    let from = u32::try_from(from).ok().filter(|f| *f < 64)?;
    let rest = bits & (u64::MAX << from);
    (rest != 0).then(|| i32::try_from(rest.trailing_zeros()).unwrap_or(63))
}

fn has(bits: u64, v: i32) -> bool {
    next_bit(bits, v) == Some(v)
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day of the week with Sunday as 0 (proleptic Gregorian).
fn weekday(y: i32, m: i32, d: i32) -> i32 {
    const OFFSET: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    let off = OFFSET.get(usize::try_from(m - 1).unwrap_or(0)).unwrap_or(&0);
    (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + off + d).rem_euclid(7)
}

/// A field's values for messages: `0-59`, or with `words` a sentence ("minute values go …").
fn range(field: &str, words: bool) -> String {
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

/// Text for an error message: control characters escaped, long text cut short.
fn show(s: &str) -> String {
    let head: String = s.chars().take(60).collect();
    let more = if s.chars().nth(60).is_some() { "…" } else { "" };
    format!("{}{more}", head.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::{Timestamp, tz::TimeZone};
    use proptest::prelude::*;

    fn utc(s: &str) -> ZonedDateTime {
        let dt: DateTime = s.parse().unwrap();
        TimeZone::UTC.to_zoned_datetime(dt).unwrap()
    }

    fn cron(expr: &str) -> Cron {
        Cron::parse(expr, false).unwrap()
    }

    #[test]
    fn parses_valid() {
        let same = "@daily = 0 0 * * *; @MIDNIGHT = 0 0 * * *; @yearly = 0 0 1 1 *;
            @annually = 0 0 1 JAN *; @monthly = 0 0 1 * *; @weekly = 0 0 * * SUN;
            @hourly = 0 * * * *; 0 0 * * 7 = 0 0 * * 0; 0 0 ? * * = 0 0 * * *;
            * * * jan-Mar * = * * * 1-3 *; */15 * * * * = 0,15,30,45 * * * *;
            5/20 * * * * = 5,25,45 * * * *; 10-50/20 * * * * = 10,30,50 * * * *;
            0 0 * * FRI-7 = 0 0 * * 0,5,6; 0 0 * * */2 = 0 0 * * 0,2,4,6";
        for (a, b) in same.split(';').filter_map(|p| p.split_once('=')) {
            assert_eq!(cron(a), cron(b), "{a}");
        }
        assert_eq!(cron("  0   0 * * *\t"), cron("@daily"));
        assert_eq!(Cron::parse("@daily", true), Ok(cron("@daily")));
        assert_eq!(Cron::parse("0 0 0 * * *", true), Ok(cron("@daily")));
        assert!(Cron::parse("59 59 23 31 DEC SAT", true).is_ok());
    }

    #[test]
    fn rejects_invalid_with_help() {
        // expression | with seconds | part of the message | part of the help
        let table = r"
            75 * * * * | n | minute field `75` is out of range 0-59 in cron `75 * * * *` | 0 to 59
            * 24 * * * | n | hour field `24` is out of range 0-23 | 0 to 23
            * * 0 * * | n | day-of-month field `0` is out of range 1-31 | 1 to 31
            * * * 13 * | n | month field `13` is out of range 1-12 | JAN-DEC
            * * * * 8 | n | day-of-week field `8` is out of range 0-7 | 0 and 7 are Sunday
            60 * * * * * | y | second field `60` | 0 to 59
            * * * * | n | has 4 fields, expected 5 | found 4; a cron expression has 5 fields
            0 * * * * * | n | has 6 fields, expected 5 | `withSeconds: true`
            * * * * * | y | has 5 fields, expected 6 | 6 fields, seconds first
            0 0 0 * * * 2026 | y | has 7 fields | seconds first
            @every 5m | n | unknown nickname | `*/5 * * * *`
            @reboot | n | unknown nickname | `@yearly`, `@annually`, `@monthly`, `@weekly`
            0 0 L * * | n | day-of-month field `L` uses Quartz | not supported
            0 0 15W * * | n | `15W` uses Quartz | not supported
            0 0 * * 5L | n | day-of-week field `5L` | Quartz
            0 0 * * MON#2 | n | day-of-week field `MON#2` | Quartz
            */0 * * * * | n | minute field `*/0` has an invalid step | `*/15`
            */x * * * * | n | invalid step | from 1 to the field's size
            50-10 * * * * | n | `50-10` is a range that runs backwards | `22-23,0-2`
            0 0 * * SAT-SUN | n | runs backwards | `FRI-7`
            ? * * * * | n | minute field has `?` | use `*` here
            1,,2 * * * * | n | minute field has `1,,2`, which is not a valid value | a list `1,5`
            * * * * MONDAY | n | `MONDAY`, which is not | SUN-SAT
            * * * FOO * | n | month field has `FOO` | JAN-DEC
            -5 * * * * | n | has `-5` | 0 to 59
            99999999999 * * * * | n | `99999999999` is out of range | 0 to 59";
        let mut cases: Vec<(String, bool, &str, &str)> = table
            .lines()
            .filter_map(|l| {
                let mut p = l.split(" | ").map(str::trim);
                Some((p.next()?.into(), p.next()? == "y", p.next()?, p.next()?))
            })
            .collect();
        cases.push(("  ".into(), false, "cron expression is empty", "5 fields"));
        cases.push(("* * *\n* *\u{7}".into(), false, "`*\\u{7}`", "0 to 7"));
        for (expr, secs, msg, help) in &cases {
            let e = Cron::parse(expr, *secs).expect_err(expr);
            assert!(e.to_string().contains(msg), "{expr}: {e}");
            assert!(e.help().contains(help), "{expr}: {}", e.help());
            assert!(!e.to_string().contains('\n'), "{expr}: {e}");
        }
    }

    #[test]
    fn next_after_in_utc() {
        let cases = [
            ("*/15 * * * *", "2026-01-01T00:07:00", "2026-01-01T00:15:00"),
            ("*/15 * * * *", "2026-01-01T00:45:00", "2026-01-01T01:00:00"),
            ("*/15 * * * *", "2026-12-31T23:59:59.5", "2027-01-01T00:00:00"),
            ("30 2 * * *", "2026-01-01T02:30:00", "2026-01-02T02:30:00"),
            ("0 9 * * MON-FRI", "2026-01-02T09:00:00", "2026-01-05T09:00:00"),
            ("0 12 * * 7", "2026-01-01T00:00:00", "2026-01-04T12:00:00"),
            ("0 0 13 * FRI", "2026-01-01T00:00:00", "2026-01-02T00:00:00"),
            ("0 0 13 * FRI", "2026-01-10T00:00:00", "2026-01-13T00:00:00"),
            ("0 0 1 * *", "2026-01-15T08:00:00", "2026-02-01T00:00:00"),
            ("@hourly", "2026-01-01T10:59:59", "2026-01-01T11:00:00"),
            ("@yearly", "2026-06-01T00:00:00", "2027-01-01T00:00:00"),
            ("5/15 * * * *", "2026-01-01T00:50:00", "2026-01-01T01:05:00"),
            ("0 0 29 2 *", "2026-01-01T00:00:00", "2028-02-29T00:00:00"),
            ("0 0 29 2 *", "2096-03-01T00:00:00", "2104-02-29T00:00:00"),
            ("0 0 31 * *", "2026-04-01T00:00:00", "2026-05-31T00:00:00"),
        ];
        for (expr, after, want) in cases {
            let got = cron(expr).next_after(&utc(after)).map(|z| z.datetime().to_string());
            assert_eq!(got.as_deref(), Some(want), "{expr} after {after}");
        }
        let secs = Cron::parse("*/10 * * * * *", true).unwrap();
        let got = secs.next_after(&utc("2026-01-01T10:00:05")).unwrap();
        assert_eq!(got.datetime().to_string(), "2026-01-01T10:00:10");
        let end = Timestamp::MAX.to_zoned_datetime(TimeZone::UTC);
        assert_eq!(cron("* * * * *").next_after(&end), None);
        let start = std::time::Instant::now();
        assert_eq!(cron("0 0 30 2 *").next_after(&utc("2026-01-01T00:00:00")), None);
        assert!(start.elapsed().as_millis() < 100, "{:?}", start.elapsed());
    }

    #[test]
    fn next_after_across_dst_in_paris() {
        if TimeZone::get("Europe/Paris").is_err() {
            return; // no system time zone database here
        }
        let cases = [
            // 02:30 does not exist on 2026-03-29: it fires just after the jump.
            ("30 2 * * *", "2026-03-28T12:00+01:00", "2026-03-29T03:30:00+02:00"),
            // 02:30 happens twice on 2026-10-25: it fires once, at the first one.
            ("30 2 * * *", "2026-10-24T12:00+02:00", "2026-10-25T02:30:00+02:00"),
            ("30 2 * * *", "2026-10-25T02:30+02:00", "2026-10-26T02:30:00+01:00"),
            ("0 * * * *", "2026-10-25T02:00+02:00", "2026-10-25T03:00:00+01:00"),
            ("0 9 * * *", "2026-03-28T10:00+01:00", "2026-03-29T09:00:00+02:00"),
        ];
        for (expr, after, want) in cases {
            let after: ZonedDateTime = format!("{after}[Europe/Paris]").parse().unwrap();
            let got = cron(expr).next_after(&after).unwrap().to_string();
            assert_eq!(got, format!("{want}[Europe/Paris]"), "{expr} after {after}");
        }
    }

    #[test]
    fn weekday_agrees_with_jiff() {
        let mut date = jiff::civil::Date::MIN;
        while let Ok(next) = date.checked_add(jiff::Span::new().days(997)) {
            let [y, mo, d, ..] = fields(date.to_datetime(jiff::civil::Time::midnight()));
            let want = date.weekday().to_sunday_zero_offset();
            assert_eq!(weekday(y, mo, d), i32::from(want), "{date}");
            date = next;
        }
    }

    fn field(lo: u32, hi: u32) -> impl Strategy<Value = String> {
        prop_oneof![
            Just("*".to_owned()),
            (lo..=hi).prop_map(|v| v.to_string()),
            (lo..=hi, lo..=hi).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
            (1..=hi - lo + 1).prop_map(|s| format!("*/{s}")),
            (lo..=hi, 1..=hi - lo + 1).prop_map(|(a, s)| format!("{a}/{s}")),
            prop::collection::vec(lo..=hi, 1..4)
                .prop_map(|v| { v.iter().map(u32::to_string).collect::<Vec<_>>().join(",") }),
        ]
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*", t in "[0-9*/,?LW#A-Za-z@ -]{0,30}", secs: bool) {
            for s in [s, t] {
                if let Err(e) = Cron::parse(&s, secs) {
                    let _ = (e.to_string(), e.help());
                }
            }
        }

        #[test]
        fn next_after_matches(
            f in (field(0, 59), field(0, 59), field(0, 23), field(1, 31), field(1, 12)),
            dow in field(0, 7),
            secs: bool,
            at in 946_684_800i64..2_208_988_800,
            nanos in 0i32..1_000_000_000,
        ) {
            let (s, mi, h, dom, mo) = f;
            let expr = format!("{mi} {h} {dom} {mo} {dow}");
            let expr = if secs { format!("{s} {expr}") } else { expr };
            let after = Timestamp::new(at, nanos).unwrap().to_zoned_datetime(TimeZone::UTC);
            check_next(&Cron::parse(&expr, secs).unwrap(), &after, !secs);
        }
    }

    /// The next fire time is later and matches; with `brute`, no minute before it matched.
    fn check_next(c: &Cron, after: &ZonedDateTime, brute: bool) {
        let Some(next) = c.next_after(after) else { return };
        assert!(next > *after && c.matches(next.datetime()), "{c:?}: {next}");
        let minute = |z: &ZonedDateTime| z.timestamp().as_second().div_euclid(60);
        let (from, to) = (minute(after) + 1, minute(&next));
        if brute && to - from < 3 * 1440 {
            for m in from..to {
                let t = Timestamp::from_second(m * 60).unwrap();
                let t = t.to_zoned_datetime(TimeZone::UTC);
                assert!(!c.matches(t.datetime()), "{c:?} skipped {t}");
            }
        }
    }
}
