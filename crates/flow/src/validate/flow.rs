//! The top level of a flow: ids, namespace, labels, inputs, variables, concurrency, outputs.

use super::ids::{ID_CHARS, NAMESPACE_CHARS, check_id};
use super::props::{check_bool, check_retry, check_string, check_text, unknown_key};
use super::task::check_task_list;
use super::trigger::check_triggers;
use super::{Cx, defaults, expect_map};
use crate::diagnostic::Diagnostic;
use crate::model::{Concurrency, ConcurrencyBehavior, Flow, Input};
use crate::yaml::{Node, Value};

const FLOW_KEYS: &[&str] = &[
    "id",
    "namespace",
    "description",
    "labels",
    "inputs",
    "variables",
    "tasks",
    "errors",
    "finally",
    "afterExecution",
    "triggers",
    "concurrency",
    "retry",
    "pluginDefaults",
    "taskDefaults",
    "outputs",
    "disabled",
    "revision",
    "deleted",
    // Blueprint catalog metadata (title, description, tags), as every public blueprint has.
    "extend",
];

const INPUT_KEYS: &[&str] = &[
    "id",
    "name",
    "type",
    "defaults",
    "required",
    "description",
    "displayName",
    "values",
    "allowCustomValue",
    "validator",
    "min",
    "max",
    "itemType",
    "dependsOn",
    "prefill",
    "expression",
    "isRadio",
    "autoSelectFirst",
    "extension",
    "allowedFileExtensions",
    "options",
    "after",
    "before",
];

/// Checks the whole flow; returns the typed flow when its structure could be read.
pub(super) fn check_flow(cx: &mut Cx<'_>, root: &Node) -> Option<Flow> {
    let entries = expect_map(cx, root, "a flow")?;
    for (k, _) in entries {
        let key = k.scalar_text().unwrap_or_default();
        if !FLOW_KEYS.contains(&key.as_str()) {
            cx.push(unknown_key(k, &key, "a flow", FLOW_KEYS));
        }
    }
    let id = check_id(cx, root, "id", "flow", ID_CHARS);
    let namespace = check_id(cx, root, "namespace", "flow", NAMESPACE_CHARS);
    let description = root.get("description").and_then(|n| check_text(cx, n, "description"));
    let labels = root.get("labels").map(|n| check_labels(cx, n)).unwrap_or_default();
    let inputs = root.get("inputs").map(|n| check_inputs(cx, n)).unwrap_or_default();
    let variables = match root.get("variables") {
        Some(n) => expect_map(cx, n, "`variables`")
            .map(|_| n.to_json().as_object().cloned().unwrap_or_default())
            .unwrap_or_default(),
        None => Default::default(),
    };
    let defaults = defaults::collect(cx, root);
    let tasks = match root.get("tasks") {
        Some(n) => check_task_list(cx, n, "tasks", &defaults),
        None => {
            cx.push(
                Diagnostic::error(root.pos, "missing-property", "the flow has no `tasks`")
                    .with_help("add a `tasks:` list with at least one task, e.g. `- id: hello` and `type: io.kestra.plugin.core.log.Log`"),
            );
            Vec::new()
        }
    };
    let errors = root
        .get("errors")
        .map(|n| check_task_list(cx, n, "errors", &defaults))
        .unwrap_or_default();
    let finally = root
        .get("finally")
        .map(|n| check_task_list(cx, n, "finally", &defaults))
        .unwrap_or_default();
    let after_execution = root
        .get("afterExecution")
        .map(|n| check_task_list(cx, n, "afterExecution", &defaults))
        .unwrap_or_default();
    let triggers = root
        .get("triggers")
        .map(|n| check_triggers(cx, n, &defaults))
        .unwrap_or_default();
    let concurrency = root.get("concurrency").and_then(|n| check_concurrency(cx, n));
    let retry = root.get("retry").and_then(|n| check_retry(cx, n));
    let outputs = root.get("outputs").map(|n| check_outputs(cx, n)).unwrap_or_default();
    let disabled = root
        .get("disabled")
        .and_then(|n| check_bool(cx, n, "disabled"))
        .unwrap_or(false);
    Some(Flow {
        id: id?,
        namespace: namespace?,
        description,
        labels,
        inputs,
        variables,
        tasks,
        errors,
        finally,
        after_execution,
        triggers,
        concurrency,
        retry,
        outputs,
        disabled,
    })
}

fn check_labels(cx: &mut Cx<'_>, node: &Node) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    match &node.value {
        Value::Map(entries) => {
            expect_map(cx, node, "`labels`");
            for (k, v) in entries {
                if let Some(k) = k.scalar_text()
                    && let Some(v) = check_string(cx, v, &k)
                {
                    labels.push((k, v));
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                let (Some(k), Some(v)) = (item.get("key"), item.get("value")) else {
                    cx.push(
                        Diagnostic::error(item.pos, "wrong-type", "a label in a list needs `key` and `value`")
                            .with_help(
                                "write `- key: team` and `value: data`, or use a mapping `labels: {team: data}`",
                            ),
                    );
                    continue;
                };
                if let (Some(k), Some(v)) = (check_string(cx, k, "label key"), check_string(cx, v, "label value")) {
                    labels.push((k, v));
                }
            }
        }
        _ => cx.push(
            Diagnostic::error(
                node.pos,
                "wrong-type",
                format!("`labels` must be a mapping or a list, found {}", node.kind_name()),
            )
            .with_help("write `labels:` then lines like `team: data`"),
        ),
    }
    labels
}

fn check_inputs(cx: &mut Cx<'_>, node: &Node) -> Vec<Input> {
    let Value::Seq(items) = &node.value else {
        cx.push(
            Diagnostic::error(
                node.pos,
                "wrong-type",
                format!("`inputs` must be a list, found {}", node.kind_name()),
            )
            .with_help("write each input as a list item: `- id: name` and `type: STRING`"),
        );
        return Vec::new();
    };
    let mut seen = std::collections::HashMap::new();
    let inputs: Vec<Input> = items
        .iter()
        .filter_map(|item| super::inputs::check_input(cx, item, &mut seen, INPUT_KEYS))
        .collect();
    super::input_limits::check_dependencies(cx, &inputs, items);
    inputs
}

fn check_concurrency(cx: &mut Cx<'_>, node: &Node) -> Option<Concurrency> {
    let entries = expect_map(cx, node, "`concurrency`")?;
    const KEYS: &[&str] = &["limit", "behavior"];
    for (k, _) in entries {
        let key = k.scalar_text().unwrap_or_default();
        if !KEYS.contains(&key.as_str()) {
            cx.push(unknown_key(k, &key, "`concurrency`", KEYS));
        }
    }
    let limit = match node.get("limit").map(|n| &n.value) {
        Some(Value::Int(i)) if *i >= 1 => u32::try_from(*i).ok(),
        Some(_) => {
            let n = node.get("limit")?;
            cx.push(
                Diagnostic::error(
                    n.pos,
                    "invalid-value",
                    "concurrency `limit` must be a whole number of at least 1",
                )
                .with_help("e.g. `limit: 1` lets one execution run at a time"),
            );
            None
        }
        None => {
            cx.push(
                Diagnostic::error(node.pos, "missing-property", "`concurrency` has no `limit`")
                    .with_help("add `limit: 1` (the most executions running at once)"),
            );
            None
        }
    };
    let behavior = match node.get("behavior") {
        None => ConcurrencyBehavior::Queue,
        Some(n) => match n.scalar_text().as_deref() {
            Some("QUEUE") => ConcurrencyBehavior::Queue,
            Some("CANCEL") => ConcurrencyBehavior::Cancel,
            Some("FAIL") => ConcurrencyBehavior::Fail,
            other => {
                cx.push(
                    Diagnostic::error(
                        n.pos,
                        "invalid-value",
                        format!(
                            "concurrency behavior `{}` is not one of QUEUE, CANCEL, FAIL",
                            other.unwrap_or("?")
                        ),
                    )
                    .with_help("QUEUE waits, CANCEL drops the new execution, FAIL fails it"),
                );
                return None;
            }
        },
    };
    Some(Concurrency {
        limit: limit?,
        behavior,
    })
}

fn check_outputs(cx: &mut Cx<'_>, node: &Node) -> Vec<(String, serde_json::Value)> {
    let Value::Seq(items) = &node.value else {
        cx.push(
            Diagnostic::error(
                node.pos,
                "wrong-type",
                format!("`outputs` must be a list, found {}", node.kind_name()),
            )
            .with_help("write `- id: result`, `type: STRING` and `value: \"{{ outputs.task.vars.x }}\"`"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(entries) = expect_map(cx, item, "a flow output") else {
            continue;
        };
        const KEYS: &[&str] = &["id", "type", "value", "description", "displayName", "required"];
        for (k, v) in entries {
            let key = k.scalar_text().unwrap_or_default();
            if !KEYS.contains(&key.as_str()) {
                cx.push(unknown_key(k, &key, "a flow output", KEYS));
            }
            if key == "value" {
                super::refs::walk_templates(cx, v, "flow output");
            }
        }
        match (item.get("id").and_then(|n| n.scalar_text()), item.get("value")) {
            (Some(id), Some(value)) => out.push((id, value.to_json())),
            _ => cx.push(
                Diagnostic::error(item.pos, "missing-property", "a flow output needs `id` and `value`")
                    .with_help("e.g. `- id: rows`, `type: INT`, `value: \"{{ outputs.load.vars.rows }}\"`"),
            ),
        }
    }
    out
}
