//! Input values: turning what a user gives (`--input n=5`, a form field, a YAML default) into a
//! typed value of the input's type, or a message saying what is wrong with it.

mod limits;
mod resolve;

pub use limits::{applicable, bound_error};
pub use resolve::{InputProblem, resolve};

use crate::duration::parse_duration;
use crate::model::{Input, InputType};
use serde_json::Value;

/// Why a value does not fit an input's type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// What is wrong with the value.
    pub message: String,
    /// What a good value looks like.
    pub help: String,
}

fn err(message: String, help: &str) -> InputError {
    InputError {
        message,
        help: help.to_string(),
    }
}

/// Converts `value` to the typed value of `input`: its type, its choices (unless
/// `allowCustomValue`), the type of its items (`itemType`) and its limits.
pub fn typed(input: &Input, value: &Value) -> Result<Value, InputError> {
    let choices: &[String] = if input.allow_custom_value { &[] } else { &input.values };
    let ty = match (input.input_type, choices.is_empty()) {
        // A SELECT that takes any value is a STRING, a MULTISELECT an ARRAY.
        (InputType::Select, true) if input.allow_custom_value => InputType::String,
        (InputType::Multiselect, true) if input.allow_custom_value => InputType::Array,
        (ty, _) => ty,
    };
    let mut out = coerce(ty, value, choices)?;
    if let (Some(item_type), Value::Array(items)) = (input.item_type, &mut out) {
        for (i, item) in items.iter_mut().enumerate() {
            *item = coerce(item_type, item, &[]).map_err(|e| InputError {
                message: format!("item {} is not of type {}: {}", i + 1, item_type.name(), e.message),
                help: e.help,
            })?;
        }
    }
    limits::check(input.input_type, &input.constraints, &out)?;
    Ok(out)
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Converts `value` to the JSON a template reads for an input of type `ty`.
///
/// Strings are parsed (`"5"` is a fine INT), so command-line and form values work as they are.
/// `values` are the allowed choices of SELECT and MULTISELECT inputs.
pub fn coerce(ty: InputType, value: &Value, values: &[String]) -> Result<Value, InputError> {
    let text = text_of(value);
    match ty {
        InputType::String | InputType::Secret | InputType::File => Ok(Value::String(text)),
        InputType::Email if text.contains('@') => Ok(Value::String(text)),
        InputType::Email => Err(err(
            format!("`{text}` is not an email address"),
            "write an address like `ops@example.com`",
        )),
        InputType::Uri if text.contains(':') => Ok(Value::String(text)),
        InputType::Uri => Err(err(
            format!("`{text}` is not a URI"),
            "write a URI with a scheme, like `https://example.com/data.csv`",
        )),
        InputType::Int => match value {
            Value::Number(n) if n.is_i64() => Ok(value.clone()),
            _ => text.trim().parse::<i64>().map(Value::from).map_err(|_| {
                err(
                    format!("`{text}` is not a whole number"),
                    "write a whole number like `42`",
                )
            }),
        },
        InputType::Float => match value {
            Value::Number(_) => Ok(value.clone()),
            _ => text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| err(format!("`{text}` is not a number"), "write a number like `3.14`")),
        },
        InputType::Boolean => match (value, text.as_str()) {
            (Value::Bool(_), _) => Ok(value.clone()),
            (_, "true") => Ok(Value::Bool(true)),
            (_, "false") => Ok(Value::Bool(false)),
            _ => Err(err(format!("`{text}` is not a boolean"), "write `true` or `false`")),
        },
        InputType::Json | InputType::Yaml => match value {
            Value::String(s) if ty == InputType::Json => serde_json::from_str(s).map_err(|e| {
                err(
                    format!("`{s}` is not valid JSON: {e}"),
                    "write JSON like `{\"key\": \"value\"}`",
                )
            }),
            _ => Ok(value.clone()),
        },
        InputType::Select => {
            if values.contains(&text) {
                Ok(Value::String(text))
            } else {
                Err(err(
                    format!("`{text}` is not one of the allowed values"),
                    &format!("choose one of: {}", values.join(", ")),
                ))
            }
        }
        InputType::Multiselect | InputType::Array => {
            let items = match value {
                Value::Array(items) => items.clone(),
                Value::String(s) => match serde_json::from_str::<Value>(s) {
                    Ok(Value::Array(items)) => items,
                    _ => s.split(',').map(|p| Value::String(p.trim().to_string())).collect(),
                },
                other => vec![other.clone()],
            };
            if ty == InputType::Multiselect {
                for item in &items {
                    coerce(InputType::Select, item, values)?;
                }
            }
            Ok(Value::Array(items))
        }
        InputType::Datetime => text
            .parse::<jiff::Timestamp>()
            .map(|t| Value::String(t.to_string()))
            .map_err(|_| {
                err(
                    format!("`{text}` is not a date and time"),
                    "write an ISO-8601 timestamp like `2026-11-28T09:30:00Z`",
                )
            }),
        InputType::Date => text
            .parse::<jiff::civil::Date>()
            .map(|d| Value::String(d.to_string()))
            .map_err(|_| err(format!("`{text}` is not a date"), "write a date like `2026-11-28`")),
        InputType::Time => text
            .parse::<jiff::civil::Time>()
            .map(|t| Value::String(t.to_string()))
            .map_err(|_| err(format!("`{text}` is not a time of day"), "write a time like `09:30:00`")),
        InputType::Duration => match parse_duration(&text) {
            Ok(_) => Ok(Value::String(text)),
            Err(e) => Err(InputError {
                message: format!("`{text}`: {e}"),
                help: e.help(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_become_typed_values() {
        assert_eq!(coerce(InputType::Int, &json!("42"), &[]), Ok(json!(42)));
        assert_eq!(coerce(InputType::Float, &json!("1.5"), &[]), Ok(json!(1.5)));
        assert_eq!(coerce(InputType::Boolean, &json!("true"), &[]), Ok(json!(true)));
        assert_eq!(coerce(InputType::Json, &json!("{\"a\":1}"), &[]), Ok(json!({"a": 1})));
        assert_eq!(
            coerce(InputType::Datetime, &json!("2026-11-28T09:30:00Z"), &[]),
            Ok(json!("2026-11-28T09:30:00Z"))
        );
        assert_eq!(coerce(InputType::Duration, &json!("PT5M"), &[]), Ok(json!("PT5M")));
        let choices = vec!["a".to_string(), "b".to_string()];
        assert_eq!(coerce(InputType::Select, &json!("b"), &choices), Ok(json!("b")));
        assert_eq!(
            coerce(InputType::Multiselect, &json!("a,b"), &choices),
            Ok(json!(["a", "b"]))
        );
    }

    #[test]
    fn wrong_values_say_what_is_expected() {
        assert_eq!(
            coerce(InputType::Int, &json!("abc"), &[]).unwrap_err().message,
            "`abc` is not a whole number"
        );
        assert!(
            coerce(InputType::Select, &json!("c"), &["a".into()])
                .unwrap_err()
                .help
                .contains("a")
        );
        assert!(coerce(InputType::Date, &json!("28/11/2026"), &[]).is_err());
        assert!(coerce(InputType::Duration, &json!("5 minutes"), &[]).is_err());
    }
}
