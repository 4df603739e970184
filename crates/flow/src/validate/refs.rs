//! Templates inside a flow: syntax checked where they stand, and what they read (`inputs.x`,
//! `outputs.task`, `vars.k`) checked against what the flow declares once the whole flow is read.

use super::Cx;
use crate::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
use crate::template::{Reference, is_template};
use crate::yaml::{Node, Value};
use std::collections::HashSet;

/// Variables a template may read at run time besides inputs, outputs and vars.
const KNOWN_ROOTS: &[&str] = &[
    "inputs",
    "outputs",
    "vars",
    "flow",
    "execution",
    "taskrun",
    "task",
    "workingDir",
    "labels",
    "trigger",
    "parent",
    "parents",
    "envs",
    "globals",
    "kestra",
    "item",
    "loop",
    "outputDir",
];

/// A template reference with where it was written.
pub(crate) struct SeenRef {
    reference: Reference,
    pos: Pos,
    owner: String,
}

/// Checks one string that may be a template; `name` is the property it sits in.
pub(super) fn check_template(cx: &mut Cx<'_>, node: &Node, text: &str, name: &str) {
    if !is_template(text) {
        return;
    }
    match cx.templates.check(text) {
        Ok(info) => {
            for f in &info.unavailable {
                // An error now rather than a failure at run time (issue 13); kv(), read() and the
                // file functions come with internal storage and the KV store.
                let d = Diagnostic::error(
                    node.pos,
                    "unavailable-function",
                    format!("`{name}` calls Kestra's function `{f}()`, which Sluice does not run yet"),
                );
                cx.push(d.with_help(
                    "pass the value through an input or a task output (`{{ outputs.task.value }}`) instead",
                ));
            }
            for reference in info.references {
                cx.refs.push(SeenRef {
                    reference,
                    pos: node.pos,
                    owner: name.to_string(),
                });
            }
        }
        Err(e) => {
            let line_in_template = e.line.unwrap_or(1).max(1) as u32;
            // A node's position is its first line of text, block scalars included.
            let line = node.pos.line + line_in_template - 1;
            let column = if line == node.pos.line || node.block {
                node.pos.column
            } else {
                1
            };
            let d = Diagnostic::error(
                Pos::new(line, column),
                "template-syntax",
                format!("template in `{name}`: {}", e.message),
            );
            cx.push(d.with_help(e.help.unwrap_or_else(|| {
                "expressions are written `{{ inputs.name }}`; blocks `{% if … %}…{% endif %}`".into()
            })));
        }
    }
}

/// Checks every template inside a value of any shape.
pub(super) fn walk_templates(cx: &mut Cx<'_>, node: &Node, name: &str) {
    match &node.value {
        Value::String(s) => check_template(cx, node, s, name),
        Value::Seq(items) => items.iter().for_each(|n| walk_templates(cx, n, name)),
        Value::Map(entries) => entries.iter().for_each(|(_, v)| walk_templates(cx, v, name)),
        _ => {}
    }
}

fn names_under(root: &Node, key: &str, id_key: &str) -> HashSet<String> {
    match root.get(key).map(|n| &n.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(|i| i.get(id_key).or_else(|| i.get("name")).and_then(Node::scalar_text))
            .collect(),
        Some(Value::Map(entries)) => entries.iter().filter_map(|(k, _)| k.scalar_text()).collect(),
        _ => HashSet::new(),
    }
}

/// Resolves every reference collected during the pass.
pub(super) fn check_references(cx: &mut Cx<'_>, root: &Node) {
    let inputs = names_under(root, "inputs", "id");
    let mut vars = names_under(root, "variables", "");
    vars.extend(cx.set_vars.iter().cloned());
    let refs = std::mem::take(&mut cx.refs);
    for r in refs {
        let d = match &r.reference {
            Reference::Input(name) if !inputs.contains(name) => {
                let d = Diagnostic::error(
                    r.pos,
                    "unknown-input",
                    format!("`{}` reads input `{name}`, which the flow does not declare", r.owner),
                );
                Some(match did_you_mean(name, inputs.iter().map(String::as_str)) {
                    Some(s) => d.with_help(format!("did you mean `inputs.{s}`?")),
                    None => d.with_help(format!("declare it under `inputs:` with `- id: {name}` and a `type`")),
                })
            }
            Reference::Output(task) if !cx.ids.contains_key(task) => {
                let d = Diagnostic::error(
                    r.pos,
                    "unknown-task",
                    format!("`{}` reads outputs of task `{task}`, which does not exist", r.owner),
                );
                Some(match did_you_mean(task, cx.ids.keys().map(String::as_str)) {
                    Some(s) => d.with_help(format!("did you mean `outputs.{s}`?")),
                    None => d.with_help("use the id of a task of this flow"),
                })
            }
            Reference::Var(name) if !vars.contains(name) => {
                let d = Diagnostic::error(
                    r.pos,
                    "unknown-variable",
                    format!("`{}` reads `vars.{name}`, which the flow does not define", r.owner),
                );
                Some(match did_you_mean(name, vars.iter().map(String::as_str)) {
                    Some(s) => d.with_help(format!("did you mean `vars.{s}`?")),
                    None => d.with_help(format!("define it under `variables:` as `{name}: …`")),
                })
            }
            Reference::Other(root_name) if !KNOWN_ROOTS.contains(&root_name.as_str()) => {
                let d = Diagnostic::error(
                    r.pos,
                    "unknown-variable",
                    format!("`{}` reads `{root_name}`, which no execution defines", r.owner),
                );
                Some(match did_you_mean(root_name, KNOWN_ROOTS.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!("templates can read: {}", KNOWN_ROOTS.join(", "))),
                })
            }
            _ => None,
        };
        if let Some(d) = d {
            cx.push(d);
        }
    }
}
