//! Tests for duration parsing, canonical formatting and the error messages, with property
//! tests that formatting round-trips and parsing never panics.

use super::*;
use proptest::prelude::*;

fn d(secs: u64, nanos: u32) -> Duration {
    Duration::new(secs, nanos)
}

#[test]
fn parses_valid_and_formats_canonically() {
    // input, `=` if canonical (else `~`), seconds, nanoseconds
    let table = "PT5M = 300 0; PT0.2S = 0 200000000; PT1.5S = 1 500000000; P1D = 86400 0;
        P1DT2H = 93600 0; PT1H30M = 5400 0; PT10M = 600 0; PT0S = 0 0; PT1H1S = 3601 0;
        PT0.000000001S = 0 1; P2DT3H4M5.006S = 183845 6000000; P1DT0.5S = 86400 500000000;
        pt5m ~ 300 0; +PT1,5S ~ 1 500000000; PT1.S ~ 1 0; PT36H ~ 129600 0; P0D ~ 0 0";
    for case in table.split(';') {
        let p: Vec<&str> = case.split_whitespace().collect();
        let want = d(p[2].parse().unwrap(), p[3].parse().unwrap());
        assert_eq!(parse_duration(p[0]), Ok(want), "{}", p[0]);
        assert_eq!(format_duration(want) == p[0], p[1] == "=", "{}", p[0]);
    }
    assert_eq!(parse_duration(&format_duration(Duration::MAX)), Ok(Duration::MAX));
}

#[test]
fn rejects_invalid_with_help() {
    // input | part of the message | part of the help
    let table = r"
        | is empty | ISO-8601
        5m | `5m` is not ISO-8601 | `PT5M`
        10s | not ISO-8601 | `PT10S`
        1h | not ISO-8601 | `PT1H`
        2d | not ISO-8601 | `P2D`
        300 | not ISO-8601 | `PT300S`
        1h30m | not ISO-8601 | `PT1H30M`
        500ms | not ISO-8601 | `PT0.5S`
        t5m | not ISO-8601 | `PT5M`
        P5M | means months | for 5 minutes write `PT5M`
        P1D30M | before `T` | `P1DT30M`
        P5H | `H` before `T` | write `PT5H`
        P1Y | uses years | `1Y` is `P365D`
        P2W | uses weeks | `2W` is `P14D`
        PT | missing a number and unit | missing after `T`
        P | missing a number and unit | like `P1D`
        P1DT | missing | after `T`
        PT5X | `X`, which is not a duration unit | `H` hours
        PT1.5H | fraction on hours | `1.5H` is `PT1H30M`
        P0.5D | fraction on days | `PT12H`
        PT5 | number `5` with no unit | `PT5S`
        PTM | `M` with no number | number before `M`
        -PT5M | is negative | remove the `-`
        PT-5M | is negative | remove the `-`
        PT5M1H | `H` in the wrong place | in that order
        PT1D | `D` in the wrong place | `D` for days
        PT1HT | `T` in the wrong place | in that order
        PT0.1234567891S | more than 9 digits | at most 9
        PT99999999999999999999S | too large | smaller
        P999999999999999D | too large | smaller
        PT5M! | unexpected character `!` | ISO-8601
        soon | not ISO-8601 | ISO-8601";
    let mut cases: Vec<(String, &str, &str)> = table
        .lines()
        .filter_map(|l| {
            let mut p = l.split(" | ").map(str::trim);
            Some((p.next()?.to_owned(), p.next()?, p.next()?))
        })
        .collect();
    cases.push((" PT5M".into(), "spaces around", "write `PT5M`"));
    cases.push(("PT\u{7}".into(), "`PT\\u{7}`", "ISO-8601"));
    for (s, msg, help) in &cases {
        let e = parse_duration(s).expect_err(s);
        assert!(e.to_string().contains(msg), "{s}: {e}");
        assert!(e.help().contains(help), "{s}: {}", e.help());
        assert!(!e.to_string().contains('\n'), "{s}");
    }
}

proptest! {
    #[test]
    fn round_trips(
        secs in 0u64..1_000_000_000,
        ms in 0u32..1000,
        big: u64,
        ns in 0u32..1_000_000_000,
    ) {
        for dur in [d(secs, ms * 1_000_000), d(big, ns)] {
            prop_assert_eq!(parse_duration(&format_duration(dur)), Ok(dur));
        }
    }

    #[test]
    fn never_panics(
        s in "\\PC*",
        t in "[+-]?[pP]?[tT]?[0-9.,+-]{0,6}[A-Za-z]?[0-9.]{0,4}[HMSDhms ]{0,2}",
    ) {
        for s in [s, t] {
            if let Err(e) = parse_duration(&s) {
                let _ = (e.to_string(), e.help());
            }
        }
    }
}
