//! What an input declares beyond its type: its limits (`validator`, `min`/`max`,
//! `after`/`before`, each only on the types Kestra gives it) and its `dependsOn`.

use super::props::{check_string, wrong_type};
use super::{Cx, expect_map};
use crate::diagnostic::Diagnostic;
use crate::inputs::{applicable, bound_error};
use crate::model::{DependsOn, Input, InputConstraints, InputType};
use crate::suggest::did_you_mean;
use crate::yaml::{Node, Value};

const LIMIT_KEYS: &[&str] = &["validator", "min", "max", "after", "before"];

/// Reads the limits of an input of type `ty`; a limit on a type that has none, or one that
/// does not read as the type, is an error.
pub(super) fn check_limits(cx: &mut Cx<'_>, item: &Node, id: &str, ty: InputType) -> InputConstraints {
    let mut limits = InputConstraints::default();
    let allowed = applicable(ty);
    for key in LIMIT_KEYS {
        let Some(node) = item.get(key) else { continue };
        if !allowed.contains(key) {
            let help = match allowed {
                [] => format!("a {} input takes no limits; remove `{key}`", ty.name()),
                some => format!("a {} input takes {}", ty.name(), some.join(" and ")),
            };
            cx.push(
                Diagnostic::error(
                    node.pos,
                    "not-applicable",
                    format!("`{key}` does not apply to input `{id}` of type {}", ty.name()),
                )
                .with_help(help),
            );
            continue;
        }
        if matches!(node.value, Value::Seq(_) | Value::Map(_) | Value::Null) {
            cx.push(wrong_type(
                node,
                key,
                "a single value",
                format!("write `{key}: …` with one value"),
            ));
            continue;
        }
        let value = node.to_json();
        if let Some(message) = bound_error(ty, key, &value) {
            cx.push(
                Diagnostic::error(node.pos, "invalid-limit", format!("input `{id}`: {message}")).with_help(
                    match *key {
                        "validator" => "write a regular expression, e.g. `^[a-z0-9_]+$`",
                        "after" | "before" => "write the bound in the input's own format, e.g. `2026-01-01`",
                        _ => "write the bound as a value of the input's type",
                    },
                ),
            );
            continue;
        }
        let text = node.scalar_text();
        match *key {
            "validator" => limits.validator = text,
            "min" => limits.min = Some(value),
            "max" => limits.max = Some(value),
            "after" => limits.after = text,
            _ => limits.before = text,
        }
    }
    limits
}

/// `dependsOn: {inputs: [...], condition: "{{ … }}"}`; the ids are checked against the
/// declared inputs by [`check_dependencies`] once all are read.
pub(super) fn check_depends_on(cx: &mut Cx<'_>, node: &Node) -> Option<DependsOn> {
    let entries = expect_map(cx, node, "`dependsOn`")?;
    let mut depends = DependsOn::default();
    for (k, v) in entries {
        match k.scalar_text().unwrap_or_default().as_str() {
            "inputs" => match &v.value {
                Value::Seq(items) => depends.inputs = items.iter().filter_map(Node::scalar_text).collect(),
                _ => cx.push(wrong_type(
                    v,
                    "dependsOn.inputs",
                    "a list of input ids",
                    "write `inputs: [other_input]`",
                )),
            },
            "condition" => depends.condition = check_string(cx, v, "dependsOn.condition"),
            other => cx.push(super::props::unknown_key(
                k,
                other,
                "`dependsOn`",
                &["inputs", "condition"],
            )),
        }
    }
    Some(depends)
}

/// Every `dependsOn.inputs` names a declared input other than itself, and no input waits for
/// itself through others.
pub(super) fn check_dependencies(cx: &mut Cx<'_>, inputs: &[Input], items: &[Node]) {
    let ids: Vec<&str> = inputs.iter().map(|i| i.id.as_str()).collect();
    let node_of = |id: &str| {
        items.iter().find(|n| {
            n.get("id")
                .or_else(|| n.get("name"))
                .and_then(Node::scalar_text)
                .as_deref()
                == Some(id)
        })
    };
    for input in inputs {
        let Some(depends) = &input.depends_on else { continue };
        let pos = node_of(&input.id).and_then(|n| n.get("dependsOn")).map(|n| n.pos);
        for dep in &depends.inputs {
            if ids.contains(&dep.as_str()) && dep != &input.id {
                continue;
            }
            let pos = pos.unwrap_or_default();
            let d = if dep == &input.id {
                Diagnostic::error(pos, "dependency-circle", format!("input `{dep}` depends on itself"))
                    .with_help("remove it from its own `dependsOn.inputs`")
            } else {
                let d = Diagnostic::error(
                    pos,
                    "unknown-input",
                    format!(
                        "input `{}` depends on `{dep}`, which the flow does not declare",
                        input.id
                    ),
                );
                match did_you_mean(dep, ids.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!("the flow's inputs are: {}", ids.join(", "))),
                }
            };
            cx.push(d);
        }
    }
    // A longer circle: follow the dependencies from each input.
    for start in inputs {
        let mut path = vec![start.id.as_str()];
        let mut frontier: Vec<&str> = deps(inputs, &start.id);
        let mut seen = std::collections::HashSet::new();
        while let Some(next) = frontier.pop() {
            if next == start.id && path.len() > 1 {
                let pos = node_of(&start.id).map(|n| n.pos).unwrap_or_default();
                cx.push(
                    Diagnostic::error(
                        pos,
                        "dependency-circle",
                        format!("input `{}` depends on itself through `dependsOn`", start.id),
                    )
                    .with_help("inputs resolve one after another; break the circle of `dependsOn.inputs`"),
                );
                break;
            }
            if next != start.id && seen.insert(next) {
                path.push(next);
                frontier.extend(deps(inputs, next));
            }
        }
    }
}

fn deps<'a>(inputs: &'a [Input], id: &str) -> Vec<&'a str> {
    inputs
        .iter()
        .find(|i| i.id == id)
        .and_then(|i| i.depends_on.as_ref())
        .map(|d| d.inputs.iter().map(String::as_str).collect())
        .unwrap_or_default()
}
