//! Values as Pebble sees them: JSON values with Java's rules for numbers, truth, equality and
//! printing (`OperatorUtils`, `TypeUtils.compatibleCast`, Kestra's `JsonWriter`).

use std::fmt::Write as _;

use serde_json::{Number, Value};

/// A number, as Pebble widens them: longs stay longs unless a double is involved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Num {
    Long(i64),
    Double(f64),
}

impl Num {
    pub(super) fn f64(self) -> f64 {
        match self {
            Num::Long(n) => n as f64,
            Num::Double(d) => d,
        }
    }

    pub(super) fn value(self) -> Value {
        match self {
            Num::Long(n) => Value::from(n),
            Num::Double(d) => Number::from_f64(d).map_or(Value::Null, Value::Number),
        }
    }
}

/// A JSON number as a [`Num`].
pub(super) fn num_of(n: &Number) -> Num {
    match n.as_i64() {
        Some(i) => Num::Long(i),
        None => Num::Double(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// `OperatorUtils.toNumber`: numbers as they are, strings parsed (a `.` or `e` makes a double).
pub(super) fn to_num(v: &Value) -> Option<Num> {
    match v {
        Value::Number(n) => Some(num_of(n)),
        Value::String(s) if s.contains(['.', 'e', 'E']) => s.trim().parse().ok().map(Num::Double),
        Value::String(s) => s.trim().parse().ok().map(Num::Long),
        _ => None,
    }
}

/// A type name for error messages, in Kestra's words.
pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a decimal number",
        Value::Number(_) => "a whole number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// `TypeUtils.compatibleCast(v, Boolean)`: booleans, non-zero numbers and non-empty strings are
/// true. `None` for null; `Err` for lists and maps, which Pebble refuses in conditions.
pub(super) fn truth(v: &Value) -> Result<Option<bool>, &'static str> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::Number(n) => Ok(Some(n.as_f64().is_some_and(|d| d != 0.0 && !d.is_nan()))),
        Value::String(s) => Ok(Some(!s.is_empty())),
        other => Err(type_name(other)),
    }
}

/// `OperatorUtils.equals`: numbers by value, anything else structurally.
pub(super) fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => num_of(x).f64() == num_of(y).f64(),
        _ => a == b,
    }
}

/// Pebble's `empty` test and `default` filter: null, blank strings (`""`, `"  "`: Pebble
/// trims them), and empty lists and maps.
pub(super) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// Java's `Double.toString`: `2.0`, `0.001`, `1.0E7`, `1.5E-4`.
pub(super) fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let abs = d.abs();
    if abs == 0.0 || (1e-3..1e7).contains(&abs) {
        let s = format!("{d}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    let s = format!("{d:e}"); // shortest digits: `1.5e-4`, `1e7`
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    format!("{mantissa}E{exp}")
}

/// How `{{ }}` prints a value: Kestra's `JsonWriter` writes maps and lists as JSON, Pebble
/// prints null as nothing and doubles as Java does.
pub(super) fn print(out: &mut String, v: &Value) {
    match v {
        Value::Null => {}
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match num_of(n) {
            Num::Long(i) => {
                let _ = write!(out, "{i}");
            }
            Num::Double(d) => out.push_str(&java_double(d)),
        },
        other => out.push_str(&json(other)),
    }
}

/// JSON text of a value (Jackson's form: doubles keep their `.0`).
pub(super) fn json(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Java's `String.valueOf`, as `~` and `+` on strings use it: lists print `[a, b]`, maps
/// `{k=v}`, null `null`.
pub(super) fn java_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Array(items) => {
            let items: Vec<_> = items.iter().map(java_string).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let items: Vec<_> = map.iter().map(|(k, v)| format!("{k}={}", java_string(v))).collect();
            format!("{{{}}}", items.join(", "))
        }
        other => {
            let mut s = String::new();
            print(&mut s, other);
            s
        }
    }
}

/// The text of a value where a string is wanted (filters such as `upper`): strings as they
/// are, null as empty, anything else as it prints.
pub(super) fn text(v: &Value) -> String {
    let mut s = String::new();
    print(&mut s, v);
    s
}

/// `default`'s rule, shared with the filter: the fallback when the value is empty.
pub(super) fn defaulted(v: &Value, fallback: Option<&Value>) -> Value {
    match is_empty(v) {
        true => fallback.cloned().unwrap_or(Value::Null),
        false => v.clone(),
    }
}
