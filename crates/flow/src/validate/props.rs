//! Checks of single values against the kind a property expects.

use super::{Cx, expect_map, expect_map_shape};
use crate::cron::Cron;
use crate::diagnostic::Diagnostic;
use crate::duration::parse_duration;
use crate::model::Retry;
use crate::schema::{Kind, Note, Prop, RETRY_PROPS};
use crate::suggest::did_you_mean;
use crate::template::is_template;
use crate::yaml::{Node, Value};
use std::time::Duration;

/// "unknown property" with a did-you-mean among `known`.
pub(super) fn unknown_key(key_node: &Node, key: &str, owner: &str, known: &[&str]) -> Diagnostic {
    let d = Diagnostic::error(
        key_node.pos,
        "unknown-property",
        format!("unknown property `{key}` in {owner}"),
    );
    match did_you_mean(key, known.iter().copied()) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(format!("known properties: {}", known.join(", "))),
    }
}

pub(super) fn wrong_type(node: &Node, name: &str, expected: &str, help: impl Into<String>) -> Diagnostic {
    Diagnostic::error(
        node.pos,
        "wrong-type",
        format!("`{name}` must be {expected}, found {}", node.kind_name()),
    )
    .with_help(help)
}

/// A scalar read as text; collections and null are errors.
pub(super) fn check_string(cx: &mut Cx<'_>, node: &Node, name: &str) -> Option<String> {
    match &node.value {
        Value::Seq(_) | Value::Map(_) | Value::Null => {
            cx.push(wrong_type(
                node,
                name,
                "a string",
                format!("write a single value after `{name}:`, quoted if it contains `: ` or starts with `{{`"),
            ));
            None
        }
        _ => {
            let text = node.scalar_text();
            if let Some(t) = &text {
                super::refs::check_template(cx, node, t, name);
            }
            text
        }
    }
}

/// A scalar read as plain text that is never rendered (descriptions: Kestra shows them as
/// written, so `${#var}` or `{{` in them is not an error).
pub(super) fn check_text(cx: &mut Cx<'_>, node: &Node, name: &str) -> Option<String> {
    match &node.value {
        Value::Seq(_) | Value::Map(_) | Value::Null => {
            cx.push(wrong_type(
                node,
                name,
                "text",
                format!("write the text after `{name}:`, or as a `|` block"),
            ));
            None
        }
        _ => node.scalar_text(),
    }
}

/// `true` / `false` (or a template deciding at run time, read as false here).
pub(super) fn check_bool(cx: &mut Cx<'_>, node: &Node, name: &str) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" || s == "false" => Some(s == "true"),
        Value::String(s) if is_template(s) => {
            super::refs::check_template(cx, node, s, name);
            Some(false)
        }
        _ => {
            cx.push(wrong_type(
                node,
                name,
                "true or false",
                format!("write `{name}: true` or `{name}: false`"),
            ));
            None
        }
    }
}

/// An ISO-8601 duration.
pub(super) fn check_duration(cx: &mut Cx<'_>, node: &Node, name: &str) -> Option<Duration> {
    let text = match &node.value {
        Value::String(s) => s.clone(),
        Value::Int(i) => {
            cx.push(wrong_type(
                node,
                name,
                "an ISO-8601 duration",
                format!("for {i} seconds write `{name}: PT{i}S`"),
            ));
            return None;
        }
        _ => {
            cx.push(wrong_type(
                node,
                name,
                "an ISO-8601 duration",
                "write e.g. `PT5M` (5 minutes), `PT30S` or `P1DT2H`",
            ));
            return None;
        }
    };
    if is_template(&text) {
        super::refs::check_template(cx, node, &text, name);
        return None;
    }
    match parse_duration(&text) {
        Ok(d) => Some(d),
        Err(e) => {
            cx.push(Diagnostic::error(node.pos, "invalid-duration", format!("`{name}`: {e}")).with_help(e.help()));
            None
        }
    }
}

/// Checks every property of a mapping against `props` (and `common`), reporting unknown and
/// missing ones. `owner` names the mapping in messages.
pub(super) fn check_props(cx: &mut Cx<'_>, node: &Node, owner: &str, common: &[Prop], props: &[Prop]) {
    let Some(entries) = expect_map(cx, node, owner) else {
        return;
    };
    let names: Vec<&str> = common.iter().chain(props).map(|p| p.name).collect();
    // Names that a misspelled key probably meant: their "missing" error would only repeat it.
    let mut meant = Vec::new();
    for (k, v) in entries {
        let key = k.scalar_text().unwrap_or_default();
        match common.iter().chain(props).find(|p| p.name == key) {
            Some(prop) => {
                check_kind(cx, v, node, prop);
                if let Some(d) = note_warning(k, &key, owner, prop.note) {
                    cx.push(d);
                }
            }
            None => {
                meant.extend(did_you_mean(&key, names.iter().copied()));
                cx.push(unknown_key(k, &key, owner, &names));
            }
        }
    }
    for prop in common.iter().chain(props).filter(|p| p.required) {
        if node.get(prop.name).is_none() && !meant.contains(&prop.name) {
            cx.push(
                Diagnostic::error(node.pos, "missing-property", format!("{owner} has no `{}`", prop.name)).with_help(
                    match prop.kind {
                        Kind::Enum(values) => {
                            format!("add `{}`: {} One of: {}", prop.name, prop.doc, values.join(", "))
                        }
                        _ => format!("add `{}`: {}", prop.name, prop.doc),
                    },
                ),
            );
        }
    }
}

/// The warning a property with a [`Note`] earns when a flow sets it.
fn note_warning(key_node: &Node, key: &str, owner: &str, note: Note) -> Option<Diagnostic> {
    match note {
        Note::None => None,
        Note::Deprecated(instead) => Some(
            Diagnostic::warning(
                key_node.pos,
                "deprecated-property",
                format!("`{key}` in {owner} is deprecated in Kestra"),
            )
            .with_help(instead),
        ),
        Note::NoEffect(instead) => Some(
            Diagnostic::warning(
                key_node.pos,
                "property-not-applied",
                format!("Sluice accepts `{key}` in {owner} but does not apply it"),
            )
            .with_help(instead),
        ),
    }
}

/// Checks a value against its property's kind. Flowable tasks and runners are checked by the
/// task module; here they only need the right shape.
pub(super) fn check_kind(cx: &mut Cx<'_>, node: &Node, parent: &Node, prop: &Prop) {
    let name = prop.name;
    if let Value::String(s) = &node.value
        && is_template(s)
        && !matches!(
            prop.kind,
            Kind::Tasks
                | Kind::TaskMap
                | Kind::DagTasks
                | Kind::TaskRunner
                | Kind::Conditions
                | Kind::Retry
                | Kind::Object(_)
                | Kind::Cron
                | Kind::Text
        )
    {
        super::refs::check_template(cx, node, s, name);
        return;
    }
    match prop.kind {
        Kind::String => {
            check_string(cx, node, name);
        }
        Kind::Text => {
            check_text(cx, node, name);
        }
        Kind::Bool => {
            check_bool(cx, node, name);
        }
        Kind::Int => {
            if !matches!(node.value, Value::Int(_)) {
                cx.push(wrong_type(
                    node,
                    name,
                    "a whole number",
                    format!("write e.g. `{name}: 3`"),
                ));
            }
        }
        Kind::Number => {
            if !matches!(node.value, Value::Int(_) | Value::Float(_)) {
                cx.push(wrong_type(node, name, "a number", format!("write e.g. `{name}: 1.5`")));
            }
        }
        Kind::Duration => {
            check_duration(cx, node, name);
        }
        Kind::Cron => check_cron(cx, node, parent),
        Kind::Enum(values) => check_enum(cx, node, name, values),
        Kind::StringList => match &node.value {
            Value::Seq(items) => {
                for item in items {
                    check_string(cx, item, name);
                }
            }
            _ => cx.push(wrong_type(
                node,
                name,
                "a list of strings",
                format!("write each item on its own line under `{name}:`, starting with `- `"),
            )),
        },
        Kind::StringOrList => match &node.value {
            Value::Seq(items) => {
                for item in items {
                    check_string(cx, item, name);
                }
            }
            _ => {
                check_string(cx, node, name);
            }
        },
        Kind::StringMap => {
            if let Some(entries) = expect_map(cx, node, &format!("`{name}`")) {
                for (k, v) in entries {
                    let key = k.scalar_text().unwrap_or_default();
                    check_string(cx, v, &format!("{name}.{key}"));
                }
            }
        }
        Kind::Files => check_files(cx, node, name),
        Kind::Map => {
            if expect_map(cx, node, &format!("`{name}`")).is_some() {
                super::refs::walk_templates(cx, node, name);
            }
        }
        Kind::Any => super::refs::walk_templates(cx, node, name),
        Kind::Pod(part) => {
            if expect_map_shape(cx, node, &format!("`{name}`")).is_some() {
                cx.diags.extend(crate::k8s::check(part, node));
                super::refs::walk_templates(cx, node, name);
            }
        }
        Kind::Object(props) => check_props(cx, node, &format!("`{name}`"), &[], props),
        Kind::Retry => {
            check_retry(cx, node);
        }
        // Checked by the task module, which knows about plugin defaults and ids.
        Kind::Tasks | Kind::TaskMap | Kind::DagTasks | Kind::TaskRunner | Kind::Conditions => {}
    }
}

/// Checks a retry policy: its properties, then the policy as a whole; returns it typed.
pub(super) fn check_retry(cx: &mut Cx<'_>, node: &Node) -> Option<Retry> {
    check_props(cx, node, "`retry`", &[], RETRY_PROPS);
    super::retry::retry_policy(cx, node)
}

fn check_enum(cx: &mut Cx<'_>, node: &Node, name: &str, values: &[&str]) {
    let text = node.scalar_text().unwrap_or_default();
    if values.contains(&text.as_str()) {
        return;
    }
    let d = Diagnostic::error(
        node.pos,
        "invalid-value",
        format!("`{name}` is `{text}`, which is not one of {}", values.join(", ")),
    );
    cx.push(match did_you_mean(&text, values.iter().copied()) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(format!("write one of {}", values.join(", "))),
    });
}

fn check_cron(cx: &mut Cx<'_>, node: &Node, parent: &Node) {
    let Some(expr) = node.as_str() else {
        cx.push(wrong_type(
            node,
            "cron",
            "a cron expression",
            "quote it: `cron: \"0 2 * * *\"`",
        ));
        return;
    };
    let with_seconds = parent.get("withSeconds").is_some_and(|n| n.value == Value::Bool(true));
    if let Err(e) = Cron::parse(expr, with_seconds) {
        cx.push(Diagnostic::error(node.pos, "invalid-cron", format!("`cron`: {e}")).with_help(e.help()));
    }
}

/// File names of `inputFiles` must stay inside the working directory.
fn check_files(cx: &mut Cx<'_>, node: &Node, name: &str) {
    let Some(entries) = expect_map(cx, node, &format!("`{name}`")) else {
        return;
    };
    for (k, v) in entries {
        let file = k.scalar_text().unwrap_or_default();
        if let Err(why) = safe_relative_path(&file) {
            cx.push(
                Diagnostic::error(k.pos, "unsafe-file-name", format!("input file name `{file}` {why}"))
                    .with_help("use a relative path inside the working directory, like `scripts/run.sh`"),
            );
        }
        check_string(cx, v, &format!("{name}.{file}"));
    }
}

/// Whether a file name stays inside the folder it is written to: relative, no `..`, no NUL.
pub fn safe_relative_path(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.contains('\0') {
        return Err("contains a NUL character");
    }
    if name.starts_with('/') || name.starts_with('\\') || name.get(1..2) == Some(":") {
        return Err("is an absolute path");
    }
    if name.split(['/', '\\']).any(|part| part == "..") {
        return Err("climbs out of the working directory with `..`");
    }
    Ok(())
}
