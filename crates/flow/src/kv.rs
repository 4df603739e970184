//! Kestra's KV store, the pure parts: the types a value can have, the keys it accepts, and how
//! a task's rendered text becomes a typed value (`core.kv.Set` with `kvType`, the API's PUT).
//!
//! Kestra: <https://kestra.io/docs/concepts/kv-store> and `io.kestra.core.models.kv.KVType`.

use serde_json::Value;

/// The type a stored value has, as Kestra names it (the UI and `GET …/kv/{key}` show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KvType {
    /// Text.
    String,
    /// A JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An instant, kept as RFC 3339 text.
    Datetime,
    /// A date (or an instant, as Kestra parses it), kept as text.
    Date,
    /// An ISO-8601 duration, kept as text (`PT5M`).
    Duration,
    /// Any JSON document.
    Json,
}

/// Every type, for error messages.
pub const KV_TYPES: &str = "STRING, NUMBER, BOOLEAN, DATETIME, DATE, DURATION or JSON";

impl KvType {
    /// Kestra's name (`STRING`…).
    pub fn name(self) -> &'static str {
        match self {
            KvType::String => "STRING",
            KvType::Number => "NUMBER",
            KvType::Boolean => "BOOLEAN",
            KvType::Datetime => "DATETIME",
            KvType::Date => "DATE",
            KvType::Duration => "DURATION",
            KvType::Json => "JSON",
        }
    }

    /// The type named `name` (any case).
    pub fn parse(name: &str) -> Option<KvType> {
        Some(match name.to_ascii_uppercase().as_str() {
            "STRING" => KvType::String,
            "NUMBER" => KvType::Number,
            "BOOLEAN" => KvType::Boolean,
            "DATETIME" => KvType::Datetime,
            "DATE" => KvType::Date,
            "DURATION" => KvType::Duration,
            "JSON" => KvType::Json,
            _ => return None,
        })
    }

    /// The type of a value given without one (Kestra's `KVType.from`).
    pub fn of(value: &Value) -> KvType {
        match value {
            Value::Null | Value::String(_) => KvType::String,
            Value::Number(_) => KvType::Number,
            Value::Bool(_) => KvType::Boolean,
            Value::Array(_) | Value::Object(_) => KvType::Json,
        }
    }
}

/// Longest key accepted: keys are file names in Kestra's storage, so they stay short.
pub const MAX_KEY: usize = 255;

/// Checks a key as Kestra does: a letter or digit, then letters, digits, `.`, `_` or `-`.
pub fn check_key(key: &str) -> Result<(), String> {
    let mut chars = key.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if key.len() > MAX_KEY {
        let start: String = key.chars().take(32).collect();
        return Err(format!("the KV key `{start}…` is longer than {MAX_KEY} characters"));
    }
    if !first_ok || !rest_ok {
        return Err(format!(
            "`{key}` is not a valid KV key: start with a letter or a digit, then use only letters, digits, `.`, `_` and `-`"
        ));
    }
    Ok(())
}

/// The value to store for `value` (rendered) with the type asked, as Kestra's Set does: text is
/// converted to the type (a number, a boolean, JSON, a checked date or duration); a value that is
/// not text keeps its own type. Without a type, the value's own one.
pub fn typed(value: Value, kv_type: Option<KvType>) -> Result<(Value, KvType), String> {
    let Some(wanted) = kv_type else {
        let kind = KvType::of(&value);
        return Ok((value, kind));
    };
    let Value::String(text) = &value else {
        return Ok((value, wanted));
    };
    let trimmed = text.trim();
    let converted = match wanted {
        KvType::String => value.clone(),
        KvType::Number => match serde_json::from_str::<Value>(trimmed) {
            Ok(n @ Value::Number(_)) => n,
            _ => return Err(format!("`{text}` is not a number, so it cannot be stored as NUMBER")),
        },
        // Java's Boolean.parseBoolean: `true` in any case, anything else false.
        KvType::Boolean => Value::Bool(trimmed.eq_ignore_ascii_case("true")),
        KvType::Datetime => match trimmed.parse::<jiff::Timestamp>() {
            Ok(t) => Value::String(t.to_string()),
            Err(e) => {
                return Err(format!(
                    "`{text}` is not an instant such as 2024-01-31T12:00:00Z, so it cannot be stored as DATETIME: {e}"
                ));
            }
        },
        KvType::Date => {
            if trimmed.parse::<jiff::Timestamp>().is_err() && trimmed.parse::<jiff::civil::Date>().is_err() {
                return Err(format!(
                    "`{text}` is not a date such as 2024-01-31, so it cannot be stored as DATE"
                ));
            }
            Value::String(trimmed.to_string())
        }
        KvType::Duration => match crate::duration::parse_duration(trimmed) {
            Ok(_) => Value::String(trimmed.to_string()),
            Err(e) => return Err(format!("`{text}` cannot be stored as DURATION: {e}")),
        },
        KvType::Json => serde_json::from_str(trimmed)
            .map_err(|e| format!("`{text}` is not JSON, so it cannot be stored as JSON: {e}"))?,
    };
    Ok((converted, wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_follow_kestras_pattern() {
        assert!(check_key("orders_file").is_ok());
        assert!(check_key("a.b-c_9").is_ok());
        for bad in ["", "_x", "a/b", "../etc", "a b", "é"] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
        assert!(check_key(&"k".repeat(300)).unwrap_err().contains("longer than"));
    }

    #[test]
    fn text_becomes_the_type_asked() {
        assert_eq!(
            typed(json!("42"), Some(KvType::Number)).unwrap(),
            (json!(42), KvType::Number)
        );
        assert_eq!(typed(json!("TRUE"), Some(KvType::Boolean)).unwrap().0, json!(true));
        assert_eq!(typed(json!("yes"), Some(KvType::Boolean)).unwrap().0, json!(false));
        assert_eq!(
            typed(json!("{\"a\": [1]}"), Some(KvType::Json)).unwrap().0,
            json!({"a": [1]})
        );
        assert_eq!(
            typed(json!("2024-01-31T12:00:00+01:00"), Some(KvType::Datetime))
                .unwrap()
                .0,
            json!("2024-01-31T11:00:00Z")
        );
        assert_eq!(typed(json!("PT5M"), Some(KvType::Duration)).unwrap().0, json!("PT5M"));
        assert!(typed(json!("soon"), Some(KvType::Duration)).is_err());
        assert!(
            typed(json!("forty"), Some(KvType::Number))
                .unwrap_err()
                .contains("not a number")
        );
        assert!(typed(json!("31/01/2024"), Some(KvType::Date)).is_err());
    }

    #[test]
    fn untyped_values_keep_their_own_type() {
        assert_eq!(typed(json!("42"), None).unwrap(), (json!("42"), KvType::String));
        assert_eq!(typed(json!([1, 2]), None).unwrap().1, KvType::Json);
        assert_eq!(typed(json!(3.5), None).unwrap().1, KvType::Number);
        assert_eq!(KvType::parse("json"), Some(KvType::Json));
        assert_eq!(KvType::parse("TEXT"), None);
    }
}
