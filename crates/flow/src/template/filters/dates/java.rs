//! Java's `DateTimeFormatter` as Kestra's date filters use it: pattern letters, the named
//! ISO formatters and the English localized styles, written over jiff's zoned date-time.
//! Parsing a custom `existingFormat` goes through jiff's strptime.

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;

use crate::template::scope::{Fail, fail};

/// Kestra's own names for `yyyy…` patterns (`AbstractDate.FORMATTERS`).
const PATTERNS: [(&str, &str); 4] = [
    ("iso", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"),
    ("iso_sec", "yyyy-MM-dd'T'HH:mm:ssXXX"),
    ("sql", "yyyy-MM-dd HH:mm:ss.SSSSSS"),
    ("sql_seq", "yyyy-MM-dd HH:mm:ss"),
];

/// `FormatStyle`s in Java 21's English (CLDR 42, with its narrow no-break space).
const STYLES: [(&str, &str); 4] = [
    ("full", "EEEE, MMMM d, y 'at' h:mm:ss\u{202f}a zzzz"),
    ("long", "MMMM d, y 'at' h:mm:ss\u{202f}a z"),
    ("medium", "MMM d, y, h:mm:ss\u{202f}a"),
    ("short", "M/d/yy, h:mm\u{202f}a"),
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// True for names that are read as ISO-8601 rather than as a pattern.
pub(super) fn is_iso_name(name: &str) -> bool {
    name.starts_with("iso") || name == "rfc_1123_date_time"
}

/// Formats `z` with a named format, a localized style or a Java pattern.
pub(super) fn format_named(name: &str, z: &ZonedDateTime) -> Result<String, Fail> {
    if let Some((_, p)) = PATTERNS.iter().chain(&STYLES).find(|(n, _)| *n == name) {
        return format(p, z);
    }
    let date = || format(if z.year() > 9999 { "+yyyy-MM-dd" } else { "yyyy-MM-dd" }, z);
    let time = || {
        let mut t = format("HH:mm:ss", z)?;
        if z.subsec_nanosecond() != 0 {
            t.push('.');
            t.push_str(format!("{:09}", z.subsec_nanosecond()).trim_end_matches('0'));
        }
        Ok::<_, Fail>(t)
    };
    let offset = || offset_text(z.offset().seconds(), 3, true);
    let region = || z.time_zone().iana_name().map_or(String::new(), |n| format!("[{n}]"));
    Ok(match name {
        "iso_date_time" | "iso_zoned_date_time" => format!("{}T{}{}{}", date()?, time()?, offset(), region()),
        "iso_offset_date_time" => format!("{}T{}{}", date()?, time()?, offset()),
        "iso_date" => format!("{}{}", date()?, offset()),
        "iso_time" | "iso_offset_time" => format!("{}{}", time()?, offset()),
        "iso_local_date" => date()?,
        "iso_local_time" => time()?,
        "iso_local_date_time" => format!("{}T{}", date()?, time()?),
        "iso_ordinal_date" => format!("{}{}", format("yyyy-DDD", z)?, offset()),
        "iso_week_date" => {
            let w = z.iso_week_date();
            let day = w.weekday().to_monday_one_offset();
            format!("{:04}-W{:02}-{day}{}", w.year(), w.week(), offset())
        }
        "iso_instant" => {
            let utc = z.with_time_zone(TimeZone::UTC);
            let nanos = utc.subsec_nanosecond();
            let frac = match nanos {
                0 => String::new(),
                n if n % 1_000_000 == 0 => format!(".{:03}", n / 1_000_000),
                n if n % 1000 == 0 => format!(".{:06}", n / 1000),
                n => format!(".{n:09}"),
            };
            format!("{}{frac}Z", format("yyyy-MM-dd'T'HH:mm:ss", &utc)?)
        }
        "rfc_1123_date_time" => {
            let off = z.offset().seconds();
            let zone = if off == 0 {
                "GMT".into()
            } else {
                offset_text(off, 2, false)
            };
            format!("{} {zone}", format("EEE, d MMM yyyy HH:mm:ss", z)?)
        }
        pattern => format(pattern, z)?,
    })
}

/// A pattern split into literal text and runs of one letter.
fn pieces(pattern: &str) -> Result<Vec<(char, usize, String)>, Fail> {
    let chars: Vec<char> = pattern.chars().collect();
    let (mut out, mut i) = (Vec::new(), 0);
    let lit = |out: &mut Vec<(char, usize, String)>, s: String| out.push(('\0', 0, s));
    while let Some(&c) = chars.get(i) {
        if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match (chars.get(i), chars.get(i + 1)) {
                    (Some('\''), Some('\'')) => (s.push('\''), i += 2).1,
                    (Some('\''), _) => break i += 1,
                    (Some(&c), _) => (s.push(c), i += 1).1,
                    (None, _) if s.is_empty() && i == chars.len() => break,
                    (None, _) => return fail(format!("unclosed quote in the date pattern `{pattern}`")),
                }
            }
            lit(&mut out, if s.is_empty() { "'".into() } else { s });
            continue;
        }
        let n = chars[i..].iter().take_while(|&&x| x == c).count();
        if c.is_ascii_alphabetic() {
            out.push((c, n, String::new()));
        } else if !matches!(c, '[' | ']') {
            lit(&mut out, c.to_string().repeat(n));
        }
        i += n;
    }
    Ok(out)
}

/// Formats `z` with a Java `DateTimeFormatter` pattern.
pub(super) fn format(pattern: &str, z: &ZonedDateTime) -> Result<String, Fail> {
    let mut out = String::new();
    for (c, n, text) in pieces(pattern)? {
        if c == '\0' {
            out.push_str(&text);
            continue;
        }
        let num = |v: i64, max: usize| match n <= max {
            true => Ok(format!("{v:0n$}")),
            false => fail(format!(
                "too many pattern letters `{}` in `{pattern}`",
                c.to_string().repeat(n)
            )),
        };
        let text = |full: &str| match n {
            1..=3 => full.chars().take(3).collect(),
            4 => full.to_string(),
            _ => full.chars().take(1).collect(),
        };
        let hour12 = (i64::from(z.hour()) + 11) % 12 + 1;
        let piece = match c {
            'G' => text(if n == 4 { "Anno Domini" } else { "AD" }),
            'y' | 'u' | 'Y' => {
                let year = i64::from(if c == 'Y' { z.iso_week_date().year() } else { z.year() });
                match n {
                    2 => format!("{:02}", year.rem_euclid(100)),
                    _ => format!("{year:0n$}"),
                }
            }
            'M' | 'L' if n >= 3 => text(MONTHS[usize::try_from(z.month() - 1).unwrap_or(0)]),
            'M' | 'L' => num(z.month().into(), 2)?,
            'Q' | 'q' => {
                let q = (z.month() - 1) / 3 + 1;
                match n {
                    1 | 2 => format!("{q:0n$}"),
                    3 => format!("Q{q}"),
                    4 => format!(
                        "{}{} quarter",
                        q,
                        ["st", "nd", "rd", "th"][usize::try_from(q - 1).unwrap_or(0)]
                    ),
                    _ => q.to_string(),
                }
            }
            'd' => num(z.day().into(), 2)?,
            'D' => num(z.day_of_year().into(), 3)?,
            'w' => num(z.iso_week_date().week().into(), 2)?,
            'E' => text(DAYS[usize::try_from(z.weekday().to_monday_zero_offset()).unwrap_or(0)]),
            'e' | 'c' => num(z.weekday().to_monday_one_offset().into(), 2)?,
            'a' => (if z.hour() < 12 { "AM" } else { "PM" }).to_string(),
            'H' => num(z.hour().into(), 2)?,
            'k' => num(if z.hour() == 0 { 24 } else { z.hour().into() }, 2)?,
            'K' => num(i64::from(z.hour()) % 12, 2)?,
            'h' => num(hour12, 2)?,
            'm' => num(z.minute().into(), 2)?,
            's' => num(z.second().into(), 2)?,
            'S' if n <= 9 => format!("{:09}", z.subsec_nanosecond())[..n].to_string(),
            'n' => format!("{:0n$}", z.subsec_nanosecond()),
            'A' => format!("{:0n$}", milli_of_day(z)),
            'N' => format!(
                "{:0n$}",
                milli_of_day(z) * 1_000_000 + i64::from(z.subsec_nanosecond() % 1_000_000)
            ),
            'V' if n == 2 => z
                .time_zone()
                .iana_name()
                .map_or_else(|| offset_text(z.offset().seconds(), 3, true), str::to_string),
            'z' => zone_name(z, n == 4),
            'O' => gmt(z.offset().seconds(), n == 4),
            'X' | 'x' if n <= 5 => offset_text(z.offset().seconds(), n, c == 'X'),
            'Z' if n <= 3 => offset_text(z.offset().seconds(), 2, false),
            'Z' if n == 4 => gmt(z.offset().seconds(), true),
            'Z' if n == 5 => offset_text(z.offset().seconds(), 5, true),
            _ => {
                return Err(Fail::Error(
                    format!(
                        "unknown date pattern letters `{}` in `{pattern}`",
                        c.to_string().repeat(n)
                    ),
                    Some("use Java DateTimeFormatter letters, e.g. `yyyy-MM-dd HH:mm:ss`; quote text as 'T'".into()),
                ));
            }
        };
        out.push_str(&piece);
    }
    Ok(out)
}

fn milli_of_day(z: &ZonedDateTime) -> i64 {
    let secs = i64::from(z.hour()) * 3600 + i64::from(z.minute()) * 60 + i64::from(z.second());
    secs * 1000 + i64::from(z.subsec_nanosecond() / 1_000_000)
}

fn zone_name(z: &ZonedDateTime, full: bool) -> String {
    let abbr = z.time_zone().to_offset_info(z.timestamp()).abbreviation().to_string();
    match (full, abbr.as_str()) {
        (true, "UTC") => "Coordinated Universal Time".into(),
        (true, _) => z.time_zone().iana_name().map_or(abbr.clone(), str::to_string),
        _ => abbr,
    }
}

/// `O`/`OOOO`: `GMT+1` / `GMT+01:00`, `GMT` at zero.
fn gmt(secs: i32, long: bool) -> String {
    if secs == 0 {
        return "GMT".into();
    }
    let (sign, a) = (if secs < 0 { '-' } else { '+' }, secs.abs());
    let (h, m) = (a / 3600, a / 60 % 60);
    match (long, m) {
        (true, _) => format!("GMT{sign}{h:02}:{m:02}"),
        (false, 0) => format!("GMT{sign}{h}"),
        (false, _) => format!("GMT{sign}{h}:{m:02}"),
    }
}

/// Java's offset patterns by letter count: `+HH[mm]`, `+HHMM`, `+HH:MM`, `+HHMM[ss]`,
/// `+HH:MM[:ss]`; with `zulu`, zero is `Z`.
fn offset_text(secs: i32, n: usize, zulu: bool) -> String {
    if secs == 0 && zulu {
        return "Z".into();
    }
    let (sign, a) = (if secs < 0 { '-' } else { '+' }, secs.abs());
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    let sec = |sep: &str| if s == 0 { String::new() } else { format!("{sep}{s:02}") };
    match n {
        1 if m == 0 => format!("{sign}{h:02}"),
        1 | 2 => format!("{sign}{h:02}{m:02}"),
        3 => format!("{sign}{h:02}:{m:02}"),
        4 => format!("{sign}{h:02}{m:02}{}", sec("")),
        _ => format!("{sign}{h:02}:{m:02}{}", sec(":")),
    }
}

/// Reads `text` written in the Java pattern `pattern`, in `zone` when it names none.
pub(super) fn parse(pattern: &str, text: &str, zone: &TimeZone) -> Option<ZonedDateTime> {
    let pattern = PATTERNS.iter().find(|(n, _)| *n == pattern).map_or(pattern, |p| p.1);
    let mut spec = String::new();
    for (c, n, lit) in pieces(pattern).ok()? {
        spec.push_str(&match (c, n) {
            ('\0', _) => lit.replace('%', "%%"),
            ('y' | 'u', 2) => "%y".into(),
            ('y' | 'u', _) => "%Y".into(),
            ('M' | 'L', 1 | 2) => "%m".into(),
            ('M' | 'L', 3) => "%b".into(),
            ('M' | 'L', _) => "%B".into(),
            ('d', _) => "%d".into(),
            ('D', _) => "%j".into(),
            ('E', 4) => "%A".into(),
            ('E', _) => "%a".into(),
            ('a', _) => "%p".into(),
            ('H' | 'k', _) => "%H".into(),
            ('h' | 'K', _) => "%I".into(),
            ('m', _) => "%M".into(),
            ('s', _) => "%S".into(),
            ('S', _) => "%f".into(),
            ('X' | 'x' | 'Z', 3 | 5) => "%:z".into(),
            ('X' | 'x' | 'Z', _) => "%z".into(),
            ('V', _) => "%Q".into(),
            _ => return None,
        });
    }
    let tm = jiff::fmt::strtime::parse(&spec, text).ok()?;
    if tm.offset().is_some() || tm.iana_time_zone().is_some() {
        return tm.to_zoned_datetime().ok();
    }
    match tm.to_datetime() {
        Ok(dt) => dt.to_zoned_datetime(zone.clone()).ok(),
        Err(_) => tm.to_date().ok()?.to_zoned_datetime(zone.clone()).ok(),
    }
}
