//! Pebble's tests, the right side of `is`: `defined`, `null`, `empty`, `even`, `odd`,
//! `iterable`, `map`, and Kestra's `json`.

use serde_json::Value;

use super::filters::Args;
use super::scope::{Fail, fail};
use super::value::{Num, is_empty, to_num, type_name};

/// The names of every test, for the validator.
pub(super) const NAMES: [&str; 8] = ["defined", "null", "none", "empty", "even", "odd", "iterable", "map"];

/// True when `name` is a test Sluice has.
pub(super) fn known(name: &str) -> bool {
    NAMES.contains(&name) || name == "json"
}

/// Applies test `name`; `value` is `None` only for an undefined value under `defined`.
pub(super) fn apply(name: &str, value: Option<&Value>, _args: &Args) -> Result<bool, Fail> {
    let Some(v) = value else {
        return Ok(false);
    };
    Ok(match name {
        "defined" => true,
        "null" | "none" => v.is_null(),
        "empty" => is_empty(v),
        "iterable" => v.is_array() || v.is_object(),
        "map" => v.is_object(),
        "json" => match v {
            Value::String(s) => serde_json::from_str::<Value>(s).is_ok(),
            _ => false,
        },
        "even" | "odd" => match to_num(v) {
            Some(Num::Long(n)) => (n % 2 == 0) == (name == "even"),
            _ if v.is_null() => return fail(format!("`is {name}` was given null")),
            _ => return fail(format!("`is {name}` needs a whole number, not {}", type_name(v))),
        },
        other => {
            let help = format!("Pebble's tests are: {}, json", NAMES.join(", "));
            return Err(Fail::Error(format!("unknown test `{other}`"), Some(help)));
        }
    })
}
