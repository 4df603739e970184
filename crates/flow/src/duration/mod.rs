//! Kestra durations: the ISO-8601 strings Java's `Duration.parse` accepts (`PT5M`, `P1DT2H`).
//!
//! Flows write timeouts, retry intervals and the like this way. The grammar is Java's (days,
//! then after `T` hours, minutes and seconds with up to 9 fraction digits, any letter case),
//! so what Sluice accepts Kestra accepts too, and errors name the exact text to write instead
//! for the usual slips (`5m`, `300`, `P5M`, `P1Y`).
//!
//! Parsing, formatting and the error messages live here; the tests are in `tests`.

#[cfg(test)]
mod tests;

use DurationError as E;
use std::fmt::Write as _;
use std::time::Duration;

const DAY: u64 = 86_400;
const NANOS: u128 = 1_000_000_000;
const LIKE: &str = "write durations in ISO-8601, like `PT5M` (5 minutes), `PT30S` or `P1DT2H`";

/// Why a duration string was rejected; [`DurationError::help`] says what to write instead.
///
/// The first field of every variant is the input as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing was written, so there is no duration to use.
    #[error("duration is empty")]
    Empty,
    /// A `-` sign: waits and timeouts cannot go backwards.
    #[error("duration `{}` is negative", show(.0))]
    Negative(String),
    /// The text does not start with `P`, e.g. `5m` or `300`; then the ISO form probably meant.
    #[error("duration `{}` is not ISO-8601 (it must start with `P`)", show(.0))]
    NotIso(String, Option<String>),
    /// Spaces around an otherwise valid duration.
    #[error("duration `{}` has spaces around it", show(.0))]
    Whitespace(String),
    /// `P` or `T` with no number and unit after it.
    #[error("duration `{}` is missing a number and unit", show(.0))]
    Missing(String),
    /// A number (the second field) with no unit letter after it, e.g. `PT5`.
    #[error("duration `{}` has the number `{}` with no unit after it", show(.0), .1)]
    NoUnit(String, String),
    /// A unit letter with no number before it, e.g. `PTM`.
    #[error("duration `{}` has the unit `{}` with no number before it", show(.0), .1)]
    NoNumber(String, char),
    /// A letter that is no duration unit, e.g. `PT5X`.
    #[error("duration `{}` uses `{}`, which is not a duration unit", show(.0), .1)]
    UnknownUnit(String, char),
    /// Years (`Y`) or weeks (`W`), which Java durations do not accept; then their number.
    #[error("duration `{}` uses {}, which are not accepted", show(.0), name(*.1))]
    Calendar(String, char, Option<u64>),
    /// `H`, `M` or `S` (with its number) before `T`, where `M` means months; then the input
    /// with `T` inserted.
    #[error("duration `{}` has `{}` before `T`{}", show(.0), .1,
        if *.1 == 'M' { ", which means months, and months are not accepted" } else { "" })]
    MissingT(String, char, String, Option<String>),
    /// A unit repeated, out of order, or on the wrong side of `T`.
    #[error("duration `{}` has `{}` in the wrong place", show(.0), .1)]
    Misplaced(String, char),
    /// A fraction on days, hours or minutes (unit, number); then the same without a fraction.
    #[error("duration `{}` has a fraction on {}; only seconds may have one", show(.0), name(*.1))]
    Fraction(String, char, String, Option<String>),
    /// More than 9 digits after the decimal point (finer than nanoseconds).
    #[error("duration `{}` has more than 9 digits after the decimal point", show(.0))]
    TooPrecise(String),
    /// A character that has no place in a duration.
    #[error("duration `{}` has the unexpected character `{}`", show(.0), .1.escape_debug())]
    UnexpectedChar(String, char),
    /// The value does not fit in a `std::time::Duration`.
    #[error("duration `{}` is too large", show(.0))]
    TooLarge(String),
}

impl DurationError {
    /// How to fix the input, in one line, for the diagnostic shown under the error.
    pub fn help(&self) -> String {
        match self {
            E::Empty | E::UnexpectedChar(..) | E::NotIso(_, None) => LIKE.to_owned(),
            E::Negative(_) => format!("durations cannot be negative: remove the `-`; {LIKE}"),
            E::NotIso(_, Some(s)) => format!("write `{s}` instead; {LIKE}"),
            E::Whitespace(input) => format!("remove the spaces: write `{}`", input.trim()),
            E::Missing(i) if i.to_ascii_uppercase().ends_with('T') => {
                "a number and unit are missing after `T`: write e.g. `PT5M` or `PT30S`".to_owned()
            }
            E::Missing(_) => "a number and unit are missing: write days like `P1D`, \
                or `T` then hours, minutes or seconds like `PT5M`"
                .to_owned(),
            E::NoUnit(_, n) => format!(
                "add a unit after `{n}`: `D` for days, or after `T` `H`, `M` or `S`, \
                like `PT{n}S`"
            ),
            E::NoNumber(_, u) => format!("put a number before `{u}`, like `PT5{u}`"),
            E::UnknownUnit(..) | E::Misplaced(..) => "use `D` for days, then `T` and `H` hours, \
                `M` minutes, `S` seconds, each once and in that order, like `P1DT2H30M`"
                .to_owned(),
            E::Calendar(_, u, Some(n)) => match n.checked_mul(if *u == 'Y' { 365 } else { 7 }) {
                Some(d) => format!("write days instead: `{n}{u}` is `P{d}D`"),
                None => "write a smaller number of days".to_owned(),
            },
            E::Calendar(_, 'Y', None) => "write days instead, like `P365D` for a year".to_owned(),
            E::Calendar(..) => "write days instead, like `P7D` for a week".to_owned(),
            E::MissingT(_, 'M', n, fix) => {
                let fix = fix.clone().unwrap_or_else(|| format!("PT{n}M"));
                let s = if n == "1" { "" } else { "s" };
                format!("for {n} minute{s} write `{fix}`; for months write days, like `P30D`")
            }
            E::MissingT(_, _, _, Some(s)) => {
                format!("hours, minutes and seconds go after `T`: write `{s}`")
            }
            E::MissingT(..) => "hours, minutes and seconds go after `T`, like `PT5H`".to_owned(),
            E::Fraction(_, u, n, Some(s)) => {
                format!("only seconds can have a fraction: `{n}{u}` is `{s}`")
            }
            E::Fraction(..) => "only seconds can have a fraction, like `PT1.5S`".to_owned(),
            E::TooPrecise(_) => "seconds take at most 9 decimals, like `PT0.5S`".to_owned(),
            E::TooLarge(_) => "use a smaller duration".to_owned(),
        }
    }
}

/// Parses a Kestra (java.time) ISO-8601 duration such as `PT5M`, `PT0.2S` or `P1DT2H`.
pub fn parse_duration(s: &str) -> Result<Duration, DurationError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(E::Empty);
    }
    if t.len() != s.len() {
        parse_duration(t)?;
        return Err(E::Whitespace(s.to_owned()));
    }
    let inp = || s.to_owned();
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'+'));
    match b.get(i) {
        Some(b'-') => return Err(E::Negative(inp())),
        Some(b'P' | b'p') => i += 1,
        _ => return Err(E::NotIso(inp(), hint(s))),
    }
    let (mut in_time, mut after_t, mut any, mut rank) = (false, false, false, 0u8);
    let (mut secs, mut nanos) = (0u64, 0u32);
    let digits = |mut j: usize| {
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        j
    };
    while let Some(&c) = b.get(i) {
        if c.eq_ignore_ascii_case(&b'T') {
            if in_time {
                return Err(E::Misplaced(inp(), 'T'));
            }
            (in_time, i) = (true, i + 1);
            continue;
        }
        let start = i;
        match c {
            b'+' => i += 1,
            b'-' => return Err(E::Negative(inp())),
            _ => {}
        }
        let int_start = i;
        i = digits(i);
        let int = s.get(int_start..i).unwrap_or("");
        let mut frac = None;
        if !int.is_empty() && matches!(b.get(i), Some(b'.' | b',')) {
            let fs = i + 1;
            i = digits(fs);
            frac = s.get(fs..i);
        }
        let number = s.get(start..i).unwrap_or("").to_owned();
        let unit = match b.get(i) {
            None if int.is_empty() => return Err(E::Missing(inp())),
            None => return Err(E::NoUnit(inp(), number)),
            Some(u) if u.is_ascii_alphabetic() => char::from(u.to_ascii_uppercase()),
            Some(_) => {
                let ch = s.get(i..).and_then(|r| r.chars().next()).unwrap_or('?');
                return Err(E::UnexpectedChar(inp(), ch));
            }
        };
        if int.is_empty() {
            return Err(E::NoNumber(inp(), unit));
        }
        let r = match (unit, in_time) {
            ('D', false) => 1,
            ('H', true) => 2,
            ('M', true) => 3,
            ('S', true) => 4,
            ('H' | 'M' | 'S', false) => {
                let fixed = s.get(..start).map(|h| format!("{h}T{}", s.get(start..).unwrap_or("")));
                let fixed = fixed.filter(|f| parse_duration(f).is_ok());
                return Err(E::MissingT(inp(), unit, number, fixed));
            }
            ('D', true) => return Err(E::Misplaced(inp(), unit)),
            ('T', _) => return Err(E::NoUnit(inp(), number)),
            ('Y' | 'W', _) => {
                let n = int.parse::<u64>().ok().filter(|_| frac.is_none());
                return Err(E::Calendar(inp(), unit, n));
            }
            _ => return Err(E::UnknownUnit(inp(), unit)),
        };
        if r <= rank {
            return Err(E::Misplaced(inp(), unit));
        }
        let unit_secs = [DAY, 3600, 60, 1][usize::from(r - 1)];
        if let (Some(f), false) = (frac, unit == 'S') {
            let total = scaled_nanos(int, f, u128::from(unit_secs) * NANOS);
            let fixed = total.and_then(nanos_to_duration).map(format_duration);
            return Err(E::Fraction(inp(), unit, number, fixed));
        }
        let n: u64 = int.parse().map_err(|_| E::TooLarge(inp()))?;
        let add = n.checked_mul(unit_secs).ok_or_else(|| E::TooLarge(inp()))?;
        secs = secs.checked_add(add).ok_or_else(|| E::TooLarge(inp()))?;
        if let Some(f) = frac {
            if f.len() > 9 {
                return Err(E::TooPrecise(inp()));
            }
            nanos = scaled_nanos("0", f, NANOS)
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(0);
        }
        (rank, any, after_t, i) = (r, true, in_time, i + 1);
    }
    if !any || (in_time && !after_t) {
        return Err(E::Missing(inp()));
    }
    Ok(Duration::new(secs, nanos))
}

/// Writes `d` the canonical Kestra way (`PT5M`, `PT0.2S`, `P1DT2H`, `PT0S`);
/// [`parse_duration`] reads it back unchanged.
pub fn format_duration(d: Duration) -> String {
    let (secs, nanos) = (d.as_secs(), d.subsec_nanos());
    let (days, rem) = (secs / DAY, secs % DAY);
    let mut out = String::from("P");
    if days > 0 {
        let _ = write!(out, "{days}D");
        if rem == 0 && nanos == 0 {
            return out;
        }
    }
    out.push('T');
    for (n, unit) in [(rem / 3600, 'H'), (rem % 3600 / 60, 'M')] {
        if n > 0 {
            let _ = write!(out, "{n}{unit}");
        }
    }
    if rem % 60 > 0 || nanos > 0 || rem < 60 {
        let frac = format!(".{nanos:09}");
        let frac = if nanos > 0 { frac.trim_end_matches('0') } else { "" };
        let _ = write!(out, "{}{frac}S", rem % 60);
    }
    out
}

/// `int.frac` times `unit` (in nanoseconds), if exact and in range.
fn scaled_nanos(int: &str, frac: &str, unit: u128) -> Option<u128> {
    let whole = int.parse::<u128>().ok()?.checked_mul(unit)?;
    if frac.is_empty() {
        return Some(whole);
    }
    let den = 10u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
    let part = frac.parse::<u128>().ok()?.checked_mul(unit)?;
    if part % den != 0 {
        return None;
    }
    whole.checked_add(part / den)
}

fn nanos_to_duration(n: u128) -> Option<Duration> {
    let secs = u64::try_from(n / NANOS).ok()?;
    Some(Duration::new(secs, u32::try_from(n % NANOS).ok()?))
}

/// The ISO form of humantime-style text (`5m`, `1h30m`, `300`, `2 days`), or of ISO
/// missing its `P`.
fn hint(s: &str) -> Option<String> {
    let with_p = format!("P{}", s.to_ascii_uppercase());
    if parse_duration(&with_p).is_ok() {
        return Some(with_p);
    }
    let lower = s.to_ascii_lowercase();
    let mut rest = lower.trim();
    let (mut direct, mut total, mut rank, mut ok) = (String::new(), 0u128, 0u8, true);
    let mut time = false;
    while !rest.is_empty() {
        let n_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(n_end);
        let tail = tail.trim_start();
        let u_end = tail.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(tail.len());
        let (word, tail) = tail.split_at(u_end);
        rest = tail.trim_start_matches([' ', ',']);
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if int.is_empty() || frac.contains('.') {
            return None;
        }
        let (r, letter, millis): (u8, char, u128) = match word {
            "" | "s" | "sec" | "secs" | "second" | "seconds" => (4, 'S', 1_000),
            "ms" | "msec" | "millis" | "milliseconds" => (5, 'S', 1),
            "m" | "min" | "mins" | "minute" | "minutes" => (3, 'M', 60_000),
            "h" | "hr" | "hrs" | "hour" | "hours" => (2, 'H', 3_600_000),
            "d" | "day" | "days" => (1, 'D', 86_400_000),
            "w" | "week" | "weeks" => (0, 'W', 604_800_000),
            _ => return None,
        };
        let part = scaled_nanos(int, frac, millis * 1_000_000)?;
        total = total.checked_add(part)?;
        ok &= r > rank && r < 5 && (frac.is_empty() || r == 4);
        if r >= 2 && !time {
            direct.push('T');
            time = true;
        }
        let _ = write!(direct, "{num}{letter}");
        rank = r;
    }
    if ok && !direct.is_empty() && parse_duration(&format!("P{direct}")).is_ok() {
        return Some(format!("P{direct}"));
    }
    nanos_to_duration(total)
        .map(format_duration)
        .filter(|_| !direct.is_empty())
}

fn name(unit: char) -> &'static str {
    match unit {
        'Y' => "years",
        'W' => "weeks",
        'D' => "days",
        'H' => "hours",
        _ => "minutes",
    }
}

/// The input for an error message: control characters escaped, long text cut short.
fn show(s: &str) -> String {
    let head: String = s.chars().take(40).collect();
    let more = if s.chars().nth(40).is_some() { "…" } else { "" };
    format!("{}{more}", head.escape_debug())
}
