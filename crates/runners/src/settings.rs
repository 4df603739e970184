//! Reading task runner settings from a task's YAML (as JSON values): strings, flags, sizes,
//! durations and CPU counts, with messages that say which key is wrong and what it expects.
//! Each runner turns the message into its own error kind.

use std::time::Duration;

use serde_json::{Map, Value};

pub(crate) fn string(key: &str, value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("`{key}` must be a string, found {other}")),
    }
}

pub(crate) fn boolean(key: &str, value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!("`{key}` must be true or false, found {other}")),
    }
}

pub(crate) fn strings(key: &str, value: &Value) -> Result<Vec<String>, String> {
    match value {
        Value::Array(items) => items.iter().map(|v| string(key, v)).collect(),
        Value::String(s) => Ok(vec![s.clone()]),
        other => Err(format!("`{key}` must be a list of strings, found {other}")),
    }
}

pub(crate) fn object<'a>(key: &str, value: &'a Value) -> Result<&'a Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("`{key}` must be a mapping, found {value}"))
}

/// `1.5` or `"1.5"` cores, in thousandths.
pub(crate) fn cpus(value: &Value) -> Result<u64, String> {
    let parsed = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match parsed {
        Some(c) if c > 0.0 && c.is_finite() && c < 1e6 => Ok((c * 1000.0).round() as u64),
        _ => Err(format!(
            "`cpu.cpus` must be a positive number of cores such as 0.5 or 2, found {value}"
        )),
    }
}

/// A size: a number of bytes, or a number with a unit (`512MB`, `1g`, `256Mi`, `64k`). Units are
/// binary, as Docker reads them (`1g` = 1024 MiB).
pub(crate) fn bytes(key: &str, value: &Value) -> Result<u64, String> {
    let error = || format!("`{key}` must be a size such as 512MB, 1g or a number of bytes, found {value}");
    let text = match value {
        Value::Number(n) => return n.as_u64().ok_or_else(error),
        Value::String(s) => s.trim().to_ascii_lowercase(),
        _ => return Err(error()),
    };
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| error())?;
    let scale: u64 = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "ki" | "kib" => 1 << 10,
        "m" | "mb" | "mi" | "mib" => 1 << 20,
        "g" | "gb" | "gi" | "gib" => 1 << 30,
        "t" | "tb" | "ti" | "tib" => 1 << 40,
        _ => return Err(error()),
    };
    let total = number * scale as f64;
    if !total.is_finite() || total < 0.0 || total > u64::MAX as f64 {
        return Err(error());
    }
    Ok(total.round() as u64)
}

/// `PT10S` (ISO 8601), `10s`, or a number of seconds.
pub(crate) fn duration(key: &str, value: &Value) -> Result<Duration, String> {
    let error = || format!("`{key}` must be a duration such as PT10S, found {value}");
    match value {
        Value::Number(n) => n
            .as_f64()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(error),
        Value::String(s) => {
            let signed: jiff::SignedDuration = s.trim().parse().map_err(|_| error())?;
            Duration::try_from(signed).map_err(|_| error())
        }
        _ => Err(error()),
    }
}

/// `268435456` -> "256 MiB".
pub(crate) fn human_bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, name) in UNITS {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {name}", n / size);
        }
    }
    if n >= 1 << 20 {
        return format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64);
    }
    format!("{n} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_and_their_names() {
        assert_eq!(bytes("m", &json!("1g")).unwrap(), 1 << 30);
        assert_eq!(bytes("m", &json!("64k")).unwrap(), 64 << 10);
        assert_eq!(bytes("m", &json!(1000)).unwrap(), 1000);
        assert!(bytes("m", &json!("12 parsecs")).is_err());
        assert_eq!(human_bytes(256 << 20), "256 MiB");
        assert_eq!(human_bytes(8 << 20), "8 MiB");
        assert_eq!(human_bytes(2 << 30), "2 GiB");
    }
}
