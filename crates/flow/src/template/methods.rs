//! The Java methods flows call on values (`{{ name.toUpperCase() }}`, `{{ list.size() }}`):
//! Pebble reaches them through reflection; Sluice has the common ones of `String`, `List` and
//! `Map`, and names the others in its error.

use serde_json::Value;

use super::scope::{Fail, fail};
use super::value::{Num, equals, java_string, text, to_num, type_name};

/// The methods Sluice has, for the validator and error messages.
pub(super) const NAMES: [&str; 22] = [
    "size",
    "length",
    "isEmpty",
    "toString",
    "toUpperCase",
    "toLowerCase",
    "trim",
    "contains",
    "startsWith",
    "endsWith",
    "substring",
    "indexOf",
    "replace",
    "split",
    "equals",
    "equalsIgnoreCase",
    "get",
    "keySet",
    "values",
    "containsKey",
    "getKey",
    "getValue",
];

fn arg_str(args: &[Value], i: usize) -> String {
    args.get(i).map(text).unwrap_or_default()
}

fn arg_idx(args: &[Value], i: usize, len: usize) -> Result<usize, Fail> {
    match args.get(i).and_then(to_num) {
        Some(Num::Long(n)) if n >= 0 && (n as usize) <= len => Ok(n as usize),
        _ => fail(format!("index out of range: the string has {len} characters")),
    }
}

/// Calls `recv.name(args)`.
pub(super) fn call(recv: &Value, name: &str, args: &[Value]) -> Result<Value, Fail> {
    let s = || text(recv);
    Ok(match (name, recv) {
        ("size" | "length", Value::String(t)) => Value::from(t.chars().count()),
        ("size" | "length", Value::Array(a)) => Value::from(a.len()),
        ("size" | "length", Value::Object(m)) => Value::from(m.len()),
        ("isEmpty", Value::String(t)) => Value::Bool(t.is_empty()),
        ("isEmpty", v) => Value::Bool(super::value::is_empty(v)),
        ("toString", v) => Value::String(java_string(v)),
        ("equals", v) => Value::Bool(args.first().is_some_and(|a| equals(v, a))),
        ("toUpperCase", Value::String(t)) => Value::String(t.to_uppercase()),
        ("toLowerCase", Value::String(t)) => Value::String(t.to_lowercase()),
        ("trim", Value::String(t)) => Value::String(t.trim().to_string()),
        ("equalsIgnoreCase", Value::String(t)) => Value::Bool(t.to_lowercase() == arg_str(args, 0).to_lowercase()),
        ("contains", Value::String(t)) => Value::Bool(t.contains(&arg_str(args, 0))),
        ("contains", Value::Array(a)) => Value::Bool(args.first().is_some_and(|x| a.iter().any(|i| equals(i, x)))),
        ("startsWith", Value::String(t)) => Value::Bool(t.starts_with(&arg_str(args, 0))),
        ("endsWith", Value::String(t)) => Value::Bool(t.ends_with(&arg_str(args, 0))),
        ("indexOf", Value::String(t)) => {
            let needle = arg_str(args, 0);
            Value::from(t.find(&needle).map_or(-1, |b| t[..b].chars().count() as i64))
        }
        ("indexOf", Value::Array(a)) => Value::from(
            args.first()
                .and_then(|x| a.iter().position(|i| equals(i, x)))
                .map_or(-1, |p| p as i64),
        ),
        ("substring", Value::String(t)) => {
            let chars: Vec<char> = t.chars().collect();
            let from = arg_idx(args, 0, chars.len())?;
            let to = if args.len() > 1 {
                arg_idx(args, 1, chars.len())?
            } else {
                chars.len()
            };
            if from > to {
                return fail(format!("substring({from}, {to}): the start is after the end"));
            }
            Value::String(chars[from..to].iter().collect())
        }
        ("replace", Value::String(t)) => Value::String(t.replace(&arg_str(args, 0), &arg_str(args, 1))),
        ("split", Value::String(t)) => {
            let sep = arg_str(args, 0);
            if sep.is_empty() {
                return fail("split(separator) needs a non-empty separator");
            }
            let mut parts: Vec<&str> = t.split(sep.as_str()).collect();
            while parts.len() > 1 && parts.last() == Some(&"") {
                parts.pop(); // Java's String.split drops trailing empty strings
            }
            Value::Array(parts.into_iter().map(|p| Value::String(p.into())).collect())
        }
        ("get", Value::Object(m)) => m.get(&arg_str(args, 0)).cloned().unwrap_or(Value::Null),
        ("get", Value::Array(a)) => match args.first().and_then(to_num) {
            Some(Num::Long(i)) if i >= 0 && (i as usize) < a.len() => a[i as usize].clone(),
            _ => return fail(format!("get(index): the list has {} items", a.len())),
        },
        ("keySet", Value::Object(m)) => Value::Array(m.keys().map(|k| Value::String(k.clone())).collect()),
        ("values", Value::Object(m)) => Value::Array(m.values().cloned().collect()),
        ("containsKey", Value::Object(m)) => Value::Bool(m.contains_key(&arg_str(args, 0))),
        ("getKey", Value::Object(m)) => m.get("key").cloned().unwrap_or(Value::Null),
        ("getValue", Value::Object(m)) => m.get("value").cloned().unwrap_or(Value::Null),
        (name, v) if NAMES.contains(&name) => {
            return fail(format!("`{name}()` cannot be called on {} `{}`", type_name(v), s()));
        }
        (name, _) => {
            return Err(Fail::Error(
                format!("unknown method `{name}()`"),
                Some(format!(
                    "Sluice has the methods {}; filters such as `| upper` do more",
                    NAMES.join(", ")
                )),
            ));
        }
    })
}
