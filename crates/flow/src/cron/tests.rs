//! Tests for cron parsing, error messages and next fire times, with property tests that
//! check `next_after` against brute force.

use super::next::{fields, weekday};
use super::*;
use jiff::ZonedDateTime;
use jiff::civil::DateTime;
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
