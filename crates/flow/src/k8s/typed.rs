//! A rendered pod spec or metadata turned into the types Kubernetes wants, as Kestra's
//! Jackson mapping does: `activeDeadlineSeconds: "30"` (text a template rendered) is the
//! number 30, a number where text is wanted is its text, and a value that cannot be read
//! is an error naming its path.

use super::de::{NodeDe, State};
use super::{PodPart, finish};
use crate::diagnostic::{Diagnostic, Pos, Severity};
use crate::yaml::{Node, Value};
use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

/// Reads rendered JSON as the Kubernetes type of `part` and gives it back with every field
/// in its proper type; unknown fields are dropped with the rest of Kubernetes' rules. The
/// errors say which field is wrong (`spec.activeDeadlineSeconds must be a whole number…`).
pub fn coerce(part: PodPart, value: &serde_json::Value) -> Result<serde_json::Value, Vec<String>> {
    let mut line = 0;
    let node = from_json(value, &mut line);
    let mut st = State::new(part.root(), "pod", part != PodPart::Spec);
    st.rendered = true;
    let out = match part {
        PodPart::Spec | PodPart::SpecOverlay => {
            let spec = PodSpec::deserialize(NodeDe::new(&node, &mut st));
            let json = spec.as_ref().ok().and_then(|s| serde_json::to_value(s).ok());
            finish(&mut st, spec, &node);
            json
        }
        PodPart::Metadata => {
            let meta = ObjectMeta::deserialize(NodeDe::new(&node, &mut st));
            let json = meta.as_ref().ok().and_then(|m| serde_json::to_value(m).ok());
            finish(&mut st, meta, &node);
            json
        }
        PodPart::ContainerDefaults => {
            let container = Container::deserialize(NodeDe::new(&node, &mut st));
            let json = container.as_ref().ok().and_then(|c| serde_json::to_value(c).ok());
            finish(&mut st, container, &node);
            json
        }
    };
    let errors: Vec<String> = st
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(describe)
        .collect();
    match out {
        Some(json) if errors.is_empty() => Ok(json),
        _ if errors.is_empty() => Err(vec![format!("`{}` could not be read", part.root())]),
        _ => Err(errors),
    }
}

fn describe(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{} ({help})", d.message),
        None => d.message.clone(),
    }
}

/// A JSON value as a YAML node; each node gets its own line so positions stay distinct.
fn from_json(v: &serde_json::Value, line: &mut u32) -> Node {
    *line += 1;
    let pos = Pos::new(*line, 1);
    let value = match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or_default()),
        },
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::Seq(items.iter().map(|i| from_json(i, line)).collect()),
        serde_json::Value::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| {
                    (
                        from_json(&serde_json::Value::String(k.clone()), line),
                        from_json(v, line),
                    )
                })
                .collect(),
        ),
    };
    Node {
        value,
        pos,
        block: false,
    }
}
