//! How values read on a page: times (UTC), durations, states, and URL pieces.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use sluice_engine::State;

/// A point in time as people read it: `2026-05-01 10:00:01 UTC`.
pub(crate) fn timestamp(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// An optional point in time, `—` when there is none.
pub(crate) fn maybe_timestamp(t: Option<Timestamp>) -> String {
    t.map(timestamp).unwrap_or_else(|| "—".to_string())
}

/// The time of day with milliseconds, for log lines: `10:00:01.123`.
pub(crate) fn time_of_day(t: Timestamp) -> String {
    t.strftime("%H:%M:%S%.3f").to_string()
}

/// A timestamp in machine form (RFC 3339), for `<time datetime>`.
pub(crate) fn iso(t: Timestamp) -> String {
    t.to_string()
}

/// The value of a `datetime-local` control for a timestamp, read as UTC: `2026-05-01T10:00:01`.
pub(crate) fn datetime_local(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// A time given in a filter: RFC 3339 (`2026-05-01T10:00:00Z`), or a `datetime-local` value or a
/// date, both read as UTC.
pub(crate) fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t);
    }
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return TimeZone::UTC.to_timestamp(dt).ok();
    }
    let date = text.parse::<jiff::civil::Date>().ok()?;
    TimeZone::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .ok()
}

/// A duration as people read it: `850 ms`, `12.3 s`, `4m 05s`, `2h 03m`.
pub(crate) fn duration(d: SignedDuration) -> String {
    let ms = d.as_millis().max(0);
    if ms < 1000 {
        return format!("{ms} ms");
    }
    let secs = ms / 1000;
    if secs < 60 {
        return format!("{:.1} s", ms as f64 / 1000.0);
    }
    if secs < 3600 {
        return format!("{}m {:02}s", secs / 60, secs % 60);
    }
    if secs < 86_400 {
        return format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60);
    }
    format!("{}d {:02}h", secs / 86_400, (secs % 86_400) / 3600)
}

/// The duration from `start` to `end`, or to now when it has not ended.
pub(crate) fn elapsed(start: Option<Timestamp>, end: Option<Timestamp>) -> String {
    match start {
        Some(start) => duration(end.unwrap_or_else(Timestamp::now).duration_since(start)),
        None => "—".to_string(),
    }
}

/// The CSS class suffix of a state: `success`, `failed`…
pub(crate) fn state_class(state: State) -> String {
    state.as_str().to_ascii_lowercase()
}

/// Percent-encodes a path segment or query value (everything but unreserved characters).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A query string (`?a=1&b=2`) of the pairs with a non-empty value; empty when there are none.
pub(crate) fn query(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The page of a flow.
pub(crate) fn flow_href(namespace: &str, id: &str) -> String {
    format!("/ui/flows/{}/{}", encode(namespace), encode(id))
}

/// The page of an execution.
pub(crate) fn execution_href(id: &str) -> String {
    format!("/ui/executions/{}", encode(id))
}

/// The last part of a dotted type name: `io.kestra.plugin.core.log.Log` → `Log`.
pub(crate) fn short_type(type_name: &str) -> &str {
    type_name.rsplit('.').next().unwrap_or(type_name)
}

/// An optional query parameter: `None` when missing or blank.
pub(crate) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(SignedDuration::from_millis(850)), "850 ms");
        assert_eq!(duration(SignedDuration::from_millis(12_345)), "12.3 s");
        assert_eq!(duration(SignedDuration::from_secs(245)), "4m 05s");
        assert_eq!(duration(SignedDuration::from_secs(7380)), "2h 03m");
    }

    #[test]
    fn filter_times_are_read_as_utc() {
        let want: Timestamp = "2026-05-01T10:00:00Z".parse().unwrap();
        assert_eq!(parse_time("2026-05-01T10:00"), Some(want));
        assert_eq!(parse_time("2026-05-01T10:00:00Z"), Some(want));
        assert_eq!(parse_time("2026-05-01T12:00:00+02:00"), Some(want));
        assert!(parse_time("2026-05-01").is_some());
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn queries_skip_empty_values_and_encode() {
        assert_eq!(query(&[("a", "x y&z".into()), ("b", String::new())]), "?a=x%20y%26z");
        assert_eq!(query(&[("a", String::new())]), "");
    }
}
