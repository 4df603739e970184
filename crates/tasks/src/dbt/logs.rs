//! dbt's JSON log lines, as Kestra's plugin reads them: `info.level` and `info.msg` (dbt 1.4 and
//! later, log_version 3), or the top-level `level` and `msg` of older versions.

use serde_json::Value;
use std::borrow::Cow;

/// A Kestra log level, as dbt's levels map to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// dbt `debug` (and `test`).
    Debug,
    /// dbt `info`, and any level Sluice does not know.
    Info,
    /// dbt `warn`.
    Warn,
    /// dbt `error`.
    Error,
}

impl Level {
    /// Kestra's name: `DEBUG`, `INFO`, `WARN` or `ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }

    /// The level of a dbt level name (any case).
    ///
    /// `debug` and `test` (dbt's level for its own test events) are DEBUG, `warn` and `warning`
    /// WARN, `error` ERROR; `info` and names dbt may add later are INFO. (Kestra's plugin logs
    /// unknown levels as errors; a level Sluice does not know is not a sign of failure.)
    pub fn from_dbt(level: &str) -> Level {
        match level.trim().to_ascii_lowercase().as_str() {
            "debug" | "test" | "trace" => Level::Debug,
            "warn" | "warning" => Level::Warn,
            "error" | "err" | "fatal" | "critical" => Level::Error,
            _ => Level::Info,
        }
    }
}

/// Reads one line of dbt's JSON log: its level and its message (ANSI colour codes removed,
/// trailing white space trimmed; the message may span lines and may be empty, as dbt's blank
/// separator lines are).
///
/// `None` for anything that is not a dbt JSON log line — plain text, Kestra's `::{…}::` output
/// lines, JSON without a level or message — which the caller keeps as it is.
pub fn parse_log_line(line: &str) -> Option<(Level, String)> {
    let trimmed = line.trim();
    if !trimmed.starts_with('{') {
        return None;
    }
    let value: Value = serde_json::from_str(trimmed).ok()?;
    let event = match value.get("info") {
        Some(info @ Value::Object(_)) => info,
        _ => &value,
    };
    let level = event.get("level").and_then(Value::as_str);
    let msg = event.get("msg").and_then(Value::as_str);
    if level.is_none() && msg.is_none() {
        return None;
    }
    let level = level.map_or(Level::Info, Level::from_dbt);
    let msg = msg.or_else(|| event.get("name").and_then(Value::as_str)).unwrap_or("");
    Some((level, strip_ansi(msg).trim_end().to_string()))
}

/// Removes ANSI escape sequences (dbt colours `WARN`, `PASS`, … even in JSON logs).
pub fn strip_ansi(text: &str) -> Cow<'_, str> {
    if !text.contains('\u{1b}') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            // CSI: ESC [ parameters intermediates final-byte (0x40..=0x7e).
            Some('[') => {
                chars.next();
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            // OSC: ESC ] … terminated by BEL or ESC \.
            Some(']') => {
                chars.next();
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' {
                        if chars.peek() == Some(&'\\') {
                            chars.next();
                        }
                        break;
                    }
                }
            }
            // Any other escape: ESC and the one character after it.
            Some(_) => {
                chars.next();
            }
            None => {}
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colours() {
        assert_eq!(strip_ansi("[\u{1b}[33mWARN 1\u{1b}[0m in 0.06s]"), "[WARN 1 in 0.06s]");
        assert_eq!(strip_ansi("plain"), "plain");
        assert_eq!(strip_ansi("end\u{1b}"), "end");
        assert_eq!(strip_ansi("a\u{1b}]0;title\u{7}b"), "ab");
        assert_eq!(strip_ansi("a\u{1b}[1;31"), "a");
    }

    #[test]
    fn levels() {
        assert_eq!(Level::from_dbt("WARN"), Level::Warn);
        assert_eq!(Level::from_dbt("test"), Level::Debug);
        assert_eq!(Level::from_dbt("something-new"), Level::Info);
        assert_eq!(Level::Error.as_str(), "ERROR");
    }

    #[test]
    fn legacy_top_level_fields() {
        let line = r#"{"code": "Z023", "level": "error", "msg": "boom", "log_version": 2, "type": "log_line"}"#;
        assert_eq!(parse_log_line(line), Some((Level::Error, "boom".into())));
    }

    #[test]
    fn not_dbt_lines() {
        assert_eq!(parse_log_line("12:00:00  Running with dbt=1.8.0"), None);
        assert_eq!(parse_log_line(r#"::{"outputs":{"a":1}}::"#), None);
        assert_eq!(parse_log_line(r#"{"some": "json"}"#), None);
        assert_eq!(parse_log_line(r#"{"info": "#), None);
        assert_eq!(parse_log_line("[1, 2]"), None);
        assert_eq!(parse_log_line(""), None);
    }

    #[test]
    fn missing_message_uses_event_name() {
        let line = r#"{"info": {"level": "info", "name": "Formatting"}}"#;
        assert_eq!(parse_log_line(line), Some((Level::Info, "Formatting".into())));
        let line = r#"{"info": {"msg": "no level"}}"#;
        assert_eq!(parse_log_line(line), Some((Level::Info, "no level".into())));
    }
}
