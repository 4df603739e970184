//! Data-format filters: `toJson`/`json` (JSON text), `yaml` (YAML text as Kestra's Jackson
//! writer prints it), `toIon` and `jq` (a list of every result, as Kestra's `JqFilter`,
//! run by jaq, the Rust implementation of jq).

use serde_json::Value;

use super::{Args, Entry};
use crate::template::scope::{Fail, Scope, fail};
use crate::template::value::{java_string, json};

pub(super) const FILTERS: &[Entry] = &[
    ("toJson", &[], |_, v, _| Ok(Value::String(json(v)))),
    ("json", &[], |_, v, _| Ok(Value::String(json(v)))),
    ("yaml", &[], |_, v, _| Ok(Value::String(yaml(v)))),
    ("toIon", &[], |_, v, _| Ok(Value::String(ion(v)))),
    ("jq", &["expression"], jq),
];

fn jq(_: &Scope<'_>, input: &Value, args: &Args) -> Result<Value, Fail> {
    if input.is_null() {
        return Ok(Value::Null);
    }
    let expr = args
        .str(0, "expression")
        .ok_or_else(|| Fail::Error("the `jq` filter expects an argument `expression`".into(), None))?;
    let data = match input {
        Value::String(s) => serde_json::from_str(s).map_err(|e| {
            Fail::Error(
                format!("`jq` reads strings as JSON, and this one is not: {e}"),
                Some("give `jq` a map or a list, or a string holding JSON".into()),
            )
        })?,
        other => other.clone(),
    };
    super::jq::run(&expr, &data)
        .map(Value::Array)
        .map_err(|e| Fail::Error(format!("jq expression `{expr}` failed: {e}"), None))
}

/// YAML as Kestra's `yaml` filter writes it (Jackson: block style, minimal quotes,
/// indented lists, no `---`).
pub(crate) fn yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => yaml_block(&mut out, v, 0),
        Value::Array(a) if !a.is_empty() => yaml_block(&mut out, v, 0),
        scalar => {
            out.push_str(&yaml_scalar(scalar));
            out.push('\n');
        }
    }
    out
}

fn yaml_block(out: &mut String, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    let nested = |out: &mut String, child: &Value, indent: usize| match child {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            yaml_block(out, child, indent);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            yaml_block(out, child, indent);
        }
        scalar => {
            out.push(' ');
            out.push_str(&yaml_scalar(scalar));
            out.push('\n');
        }
    };
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                out.push_str(&format!("{pad}{}:", yaml_scalar(&Value::String(k.clone()))));
                nested(out, child, indent + 2);
            }
        }
        Value::Array(items) => {
            for child in items {
                out.push_str(&format!("{pad} -")); // Jackson: INDENT_ARRAYS, indicator indent 1
                nested(out, child, indent + 4);
            }
        }
        scalar => out.push_str(&yaml_scalar(scalar)),
    }
}

fn yaml_scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        Value::String(s) => {
            let special = s.is_empty()
                || s.starts_with(|c: char| " -?:,[]{}#&*!|>'\"%@`".contains(c))
                || s.ends_with(' ')
                || s.contains(": ")
                || s.contains(" #")
                || s.contains(['\n', '\t', '\r'])
                || matches!(
                    s.to_ascii_lowercase().as_str(),
                    "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off"
                )
                || s.parse::<f64>().is_ok();
            match special {
                true => serde_json::to_string(s).unwrap_or_default(),
                false => s.clone(),
            }
        }
        other => java_string(other),
    }
}

/// Amazon Ion text, as `toIon` writes it: JSON-like, with symbols for map keys.
fn ion(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Array(items) => format!("[{}]", items.iter().map(ion).collect::<Vec<_>>().join(",")),
        Value::Object(m) => {
            let fields: Vec<String> = m
                .iter()
                .map(|(k, v)| {
                    let plain = k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
                    let key = if plain {
                        k.clone()
                    } else {
                        format!("'{}'", k.replace('\'', "\\'"))
                    };
                    format!("{key}:{}", ion(v))
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Number(n) if n.is_f64() => format!("{}e0", n),
        other => java_string(other),
    }
}

/// Reads a JSON string into a value, for `fromJson()` and `json()`.
pub(crate) fn from_json(text: &Value) -> Result<Value, Fail> {
    match text {
        Value::Null => Ok(Value::Null),
        Value::String(s) => serde_json::from_str(s)
            .map_err(|e| Fail::Error(format!("`fromJson` was given text that is not JSON: {e}"), None)),
        other => Ok(other.clone()),
    }
}

/// Reads a YAML string into a value, for `yaml()`.
pub(crate) fn from_yaml(text: &Value) -> Result<Value, Fail> {
    match text {
        Value::String(s) => match crate::yaml::parse(s) {
            Ok(node) => Ok(node.to_json()),
            Err(d) => fail(format!("invalid yaml: {}", d.message)),
        },
        _ => fail("the `yaml` function expects an argument `yaml` with type string"),
    }
}
