//! Checks of single values against the kind a property expects, and of retry policies and inputs.

use super::{Cx, expect_map};
use crate::cron::Cron;
use crate::diagnostic::{Diagnostic, Pos};
use crate::duration::parse_duration;
use crate::model::{Input, InputType, Retry, RetryBehavior, RetryKind};
use crate::schema::{Kind, Prop, RETRY_PROPS};
use crate::suggest::did_you_mean;
use crate::template::is_template;
use crate::yaml::{Node, Value};
use std::collections::HashMap;
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

fn wrong_type(node: &Node, name: &str, expected: &str, help: impl Into<String>) -> Diagnostic {
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
            Some(prop) => check_kind(cx, v, node, prop),
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

/// Checks a value against its property's kind. Flowable tasks and runners are checked by the
/// task module; here they only need the right shape.
pub(super) fn check_kind(cx: &mut Cx<'_>, node: &Node, parent: &Node, prop: &Prop) {
    let name = prop.name;
    if let Value::String(s) = &node.value
        && is_template(s)
        && !matches!(
            prop.kind,
            Kind::Tasks | Kind::TaskRunner | Kind::Retry | Kind::Object(_) | Kind::Cron
        )
    {
        super::refs::check_template(cx, node, s, name);
        return;
    }
    match prop.kind {
        Kind::String => {
            check_string(cx, node, name);
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
        Kind::Object(props) => check_props(cx, node, &format!("`{name}`"), &[], props),
        Kind::Retry => {
            check_retry(cx, node);
        }
        // Checked by the task module, which knows about plugin defaults and ids.
        Kind::Tasks | Kind::TaskRunner => {}
    }
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

/// Checks a retry policy and returns it typed.
pub(super) fn check_retry(cx: &mut Cx<'_>, node: &Node) -> Option<Retry> {
    check_props(cx, node, "`retry`", &[], RETRY_PROPS);
    node.as_map()?;
    let dur = |cx: &mut Cx<'_>, key: &str| node.get(key).and_then(|n| check_duration_quiet(cx, n, key));
    let kind = match node.get("type")?.scalar_text()?.as_str() {
        "constant" => RetryKind::Constant,
        "exponential" => RetryKind::Exponential,
        "random" => RetryKind::Random,
        _ => return None,
    };
    let (interval, max_interval, min_interval) = (dur(cx, "interval"), dur(cx, "maxInterval"), dur(cx, "minInterval"));
    let needs: &[&str] = match kind {
        RetryKind::Constant => &["interval"],
        RetryKind::Exponential => &["interval", "maxInterval"],
        RetryKind::Random => &["minInterval", "maxInterval"],
    };
    for key in needs {
        if node.get(key).is_none() {
            cx.push(
                Diagnostic::error(node.pos, "missing-property", {
                    let kind = node.get("type")?.scalar_text()?;
                    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    };
                    format!("{article} `{kind}` retry needs `{key}`")
                })
                .with_help(format!("add `{key}: PT30S` (or the delay you want)")),
            );
        }
    }
    if let (Some(lo), Some(hi)) = (min_interval.or(interval), max_interval)
        && lo > hi
    {
        cx.push(
            Diagnostic::error(
                node.get("maxInterval")?.pos,
                "invalid-value",
                "`maxInterval` is shorter than the first delay",
            )
            .with_help("make `maxInterval` at least as long as `interval` / `minInterval`"),
        );
    }
    let attempts = |key: &str| match node.get(key).map(|n| (&n.value, n.pos)) {
        Some((Value::Int(i), pos)) => Some((u32::try_from(*i).ok().filter(|n| *n >= 1), pos)),
        _ => None,
    };
    let max_attempts = match (attempts("maxAttempts"), attempts("maxAttempt")) {
        (Some(a), Some((_, pos))) => {
            cx.push(
                Diagnostic::warning(
                    pos,
                    "duplicate-property",
                    "both `maxAttempts` and `maxAttempt` are set; `maxAttempts` wins",
                )
                .with_help("remove `maxAttempt`, the older spelling"),
            );
            Some(a)
        }
        (a, b) => a.or(b),
    };
    if let Some((None, pos)) = max_attempts {
        cx.push(
            Diagnostic::error(pos, "invalid-value", "`maxAttempts` must be at least 1")
                .with_help("it counts every attempt, the first included: `maxAttempts: 3` retries twice"),
        );
    }
    let max_duration = dur(cx, "maxDuration");
    if max_attempts.is_none() && node.get("maxDuration").is_none() {
        cx.push(
            Diagnostic::warning(
                node.pos,
                "unbounded-retry",
                "this retry has neither `maxAttempts` nor `maxDuration`, so it retries without end",
            )
            .with_help("add `maxAttempts: 3` or `maxDuration: PT1H`"),
        );
    }
    let behavior = match node.get("behavior").and_then(|n| n.scalar_text()).as_deref() {
        Some("CREATE_NEW_EXECUTION") => RetryBehavior::CreateNewExecution,
        _ => RetryBehavior::RetryFailedTask,
    };
    Some(Retry {
        kind,
        interval,
        max_interval,
        min_interval,
        delay_factor: node.get("delayFactor").and_then(|n| match n.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }),
        max_attempts: max_attempts.and_then(|(n, _)| n),
        max_duration,
        warning_on_retry: node.get("warningOnRetry").is_some_and(|n| n.value == Value::Bool(true)),
        behavior,
    })
}

/// A duration already reported by `check_props` when wrong: parse without a second message.
fn check_duration_quiet(_cx: &mut Cx<'_>, node: &Node, _name: &str) -> Option<Duration> {
    node.as_str().and_then(|s| parse_duration(s).ok())
}

/// Checks one declared input.
pub(super) fn check_input(
    cx: &mut Cx<'_>,
    item: &Node,
    seen: &mut HashMap<String, Pos>,
    keys: &[&str],
) -> Option<Input> {
    let entries = expect_map(cx, item, "an input")?;
    for (k, _) in entries {
        let key = k.scalar_text().unwrap_or_default();
        if !keys.contains(&key.as_str()) {
            cx.push(unknown_key(k, &key, "an input", keys));
        }
    }
    let id_node = match (item.get("id"), item.get("name")) {
        (Some(n), _) => n,
        (None, Some(n)) => {
            cx.push(
                Diagnostic::warning(n.pos, "deprecated", "`name` of an input is Kestra's older spelling")
                    .with_help("write `id:` instead of `name:`"),
            );
            n
        }
        (None, None) => {
            cx.push(
                Diagnostic::error(item.pos, "missing-property", "an input has no `id`").with_help("add `id: my_input`"),
            );
            return None;
        }
    };
    let id = check_string(cx, id_node, "id")?;
    if let Some(first) = seen.insert(id.clone(), id_node.pos) {
        cx.push(
            Diagnostic::error(id_node.pos, "duplicate-id", format!("input id `{id}` is used twice"))
                .with_help(format!("rename one of them; the other is at line {}", first.line)),
        );
    }
    let type_node = item.get("type");
    let type_name = type_node.and_then(|n| n.scalar_text()).unwrap_or_default();
    let Some(input_type) = InputType::from_name(&type_name) else {
        let pos = type_node.map_or(item.pos, |n| n.pos);
        let d = if type_node.is_none() {
            Diagnostic::error(pos, "missing-property", format!("input `{id}` has no `type`"))
        } else {
            Diagnostic::error(pos, "unknown-type", format!("unknown input type `{type_name}`"))
        };
        cx.push(match did_you_mean(&type_name, InputType::NAMES.iter().copied()) {
            Some(s) if type_node.is_some() => d.with_help(format!("did you mean `{s}`?")),
            _ => d.with_help(format!("use one of {}", InputType::NAMES.join(", "))),
        });
        return None;
    };
    let values: Vec<String> = match item.get("values") {
        Some(Node {
            value: Value::Seq(items),
            ..
        }) => items.iter().filter_map(|n| n.scalar_text()).collect(),
        Some(n) => {
            cx.push(wrong_type(
                n,
                "values",
                "a list",
                "write each allowed value on its own line, starting with `- `",
            ));
            Vec::new()
        }
        None => Vec::new(),
    };
    if matches!(input_type, InputType::Select | InputType::Multiselect) && item.get("values").is_none() {
        cx.push(
            Diagnostic::error(
                item.pos,
                "missing-property",
                format!("{type_name} input `{id}` has no `values`"),
            )
            .with_help("list the allowed values under `values:`"),
        );
    }
    let defaults = item.get("defaults");
    if let Some(d) = defaults {
        let needs_values = matches!(input_type, InputType::Select | InputType::Multiselect);
        if !needs_values || item.get("values").is_some() {
            check_default(cx, d, &id, input_type, &values);
        }
    }
    let required = item
        .get("required")
        .and_then(|n| check_bool(cx, n, "required"))
        .unwrap_or(true);
    let description = item.get("description").and_then(|n| check_string(cx, n, "description"));
    Some(Input {
        id,
        input_type,
        defaults: defaults.map(Node::to_json),
        required,
        description,
        values,
    })
}

fn check_default(cx: &mut Cx<'_>, node: &Node, id: &str, ty: InputType, values: &[String]) {
    if node.as_str().is_some_and(is_template) {
        return;
    }
    if let Err(e) = crate::inputs::coerce(ty, &node.to_json(), values) {
        cx.push(
            Diagnostic::error(
                node.pos,
                "invalid-default",
                format!("default of input `{id}`: {}", e.message),
            )
            .with_help(e.help),
        );
    }
}
