//! Tasks and task runners: type lookup, plugin defaults, properties, unique ids.

use super::defaults::{self, PluginDefault};
use super::ids::{ID_CHARS, valid_id};
use super::props::{check_bool, check_duration, check_props, check_retry, check_string};
use super::{Cx, expect_map_shape};
use crate::diagnostic::Diagnostic;
use crate::model::{Branch, Task};
use crate::schema::{self, Kind, TASK_COMMON, TypeSpec};
use crate::suggest::did_you_mean;
use crate::template::is_template;
use crate::yaml::{Node, Value};

/// Checks a list of tasks (`tasks`, `errors`, `finally`, or a flowable's children).
pub(super) fn check_task_list(cx: &mut Cx<'_>, node: &Node, section: &str, defaults: &[PluginDefault]) -> Vec<Task> {
    match &node.value {
        Value::Seq(items) if items.is_empty() && section == "tasks" => {
            cx.push(
                Diagnostic::error(node.pos, "empty-tasks", "`tasks` is empty")
                    .with_help("add at least one task, e.g. `- id: hello` with `type: io.kestra.plugin.core.log.Log`"),
            );
            Vec::new()
        }
        Value::Seq(items) => items.iter().filter_map(|item| check_task(cx, item, defaults)).collect(),
        Value::Null if section != "tasks" => Vec::new(),
        _ => {
            cx.push(
                Diagnostic::error(
                    node.pos,
                    "wrong-type",
                    format!("`{section}` must be a list of tasks, found {}", node.kind_name()),
                )
                .with_help("start each task with `- id: …` on its own line, indented under the list's name"),
            );
            Vec::new()
        }
    }
}

/// Checks the id of a task or trigger: present, well-formed, unique in the whole flow.
pub(super) fn check_unique_id(cx: &mut Cx<'_>, node: &Node, owner: &str) -> Option<String> {
    let Some(id_node) = node.get("id") else {
        // `check_props` reports the missing id.
        return None;
    };
    let id = check_string(cx, id_node, "id")?;
    if let Err(why) = valid_id(&id, ID_CHARS) {
        cx.push(
            Diagnostic::error(id_node.pos, "invalid-id", format!("{owner} id `{id}` {why}"))
                .with_help(format!("use only {ID_CHARS}, starting with a letter or digit")),
        );
        return None;
    }
    if let Some(first) = cx.ids.get(&id) {
        cx.push(
            Diagnostic::error(
                id_node.pos,
                "duplicate-id",
                format!("id `{id}` is already used at line {}", first.line),
            )
            .with_help("ids of tasks and triggers must be unique in the whole flow, nested tasks included; rename one"),
        );
        return None;
    }
    cx.ids.insert(id.clone(), id_node.pos);
    Some(id)
}

/// Looks a type up in `table`, explaining a miss (a type of another kind, a typo, a plugin we lack).
pub(super) fn resolve_type(
    cx: &mut Cx<'_>,
    node: &Node,
    table: &[&'static TypeSpec],
    kind: &str,
) -> Option<(&'static TypeSpec, String)> {
    let Some(type_node) = node.get("type") else {
        cx.push(
            Diagnostic::error(
                node.pos,
                "missing-property",
                match node.get("id").and_then(Node::scalar_text) {
                    Some(id) => format!("{kind} `{id}` has no `type`"),
                    None => format!("this {kind} has no `type`"),
                },
            )
            .with_help(format!(
                "add `type:` with one of: {}",
                table.iter().map(|t| t.short_name()).collect::<Vec<_>>().join(", ")
            )),
        );
        return None;
    };
    let written = check_string(cx, type_node, "type")?;
    if let Some(spec) = schema::find_type(table, &written) {
        return Some((spec, written));
    }
    let catalog = cx.catalog;
    let elsewhere = [
        ("task", &catalog.tasks, "`tasks`"),
        ("trigger", &catalog.triggers, "`triggers`"),
        ("task runner", &catalog.runners, "a task's `taskRunner`"),
        ("condition", &catalog.conditions, "a trigger's `conditions`"),
    ]
    .into_iter()
    .find(|(_, t, _)| schema::find_type(t, &written).is_some());
    let d = Diagnostic::error(
        type_node.pos,
        "unknown-type",
        format!("unknown {kind} type `{written}`"),
    );
    cx.push(match (elsewhere, did_you_mean(&written, schema::type_names(table))) {
        (Some((other, _, place)), _) => d.with_help(format!("`{written}` is a {other} type; it belongs under {place}")),
        (None, Some(s)) => d.with_help(format!("did you mean `{s}`?")),
        (None, None) => d.with_help(format!(
            "Sluice runs these {kind} types: {}",
            table.iter().map(|t| t.short_name()).collect::<Vec<_>>().join(", ")
        )),
    });
    None
}

fn check_task(cx: &mut Cx<'_>, node: &Node, defaults: &[PluginDefault]) -> Option<Task> {
    expect_map_shape(cx, node, "a task")?;
    let id = check_unique_id(cx, node, "task");
    let owner = match &id {
        Some(id) => format!("task `{id}`"),
        None => "this task".to_string(),
    };
    let Some((spec, written)) = resolve_type(cx, node, &cx.catalog.tasks, "task") else {
        // Still look inside (`tasks`, `then`, `cases`…), so the ids of children count for
        // `outputs.<id>` and their own errors are reported too.
        for (key, list) in nested_task_lists(node) {
            check_task_list(cx, list, &key, defaults);
        }
        return None;
    };
    let merged = defaults::apply(cx.catalog, defaults, spec, &written, node);
    check_props(cx, &merged, &owner, TASK_COMMON, spec.props);
    if let Some(rule) = spec.rule {
        cx.diags.extend(rule(&merged));
    }
    let mut children = Vec::new();
    let mut branches = Vec::new();
    let mut properties = serde_json::Map::new();
    for (k, v) in merged.as_map().unwrap_or_default() {
        let key = k.scalar_text().unwrap_or_default();
        if TASK_COMMON.iter().any(|p| p.name == key) {
            continue;
        }
        match spec.prop(&key).map(|p| p.kind) {
            Some(Kind::Tasks) if key == "tasks" => children = check_task_list(cx, v, &key, defaults),
            Some(Kind::Tasks) => branches.push(Branch {
                tasks: check_task_list(cx, v, &key, defaults),
                key,
            }),
            Some(Kind::TaskMap) => branches.extend(check_task_map(cx, v, &key, defaults)),
            Some(Kind::DagTasks) => children = super::dag::check_dag(cx, v, defaults, check_task),
            Some(Kind::TaskRunner) => {
                let runner = check_runner(cx, v, defaults);
                properties.insert(key, runner.map_or(serde_json::Value::Null, |r| r.to_json()));
            }
            _ => {
                properties.insert(key, v.to_json());
            }
        }
    }
    if spec.flowable == Some(crate::model::Flowable::SetVariables)
        && let Some(serde_json::Value::Object(set)) = properties.get("variables")
    {
        cx.set_vars.extend(set.keys().cloned());
    }
    if spec.flowable == Some(crate::model::Flowable::WorkingDirectory) {
        refuse_flowable_children(cx, &children, &owner);
    }
    let get = |key: &str| merged.get(key);
    let flag = |cx: &mut Cx<'_>, key: &str| get(key).and_then(|n| check_bool(cx, n, key)).unwrap_or(false);
    Some(Task {
        id: id?,
        type_name: spec.name.to_string(),
        description: get("description").and_then(|n| n.scalar_text()),
        retry: get("retry").and_then(|n| check_retry(cx, n)),
        timeout: get("timeout").and_then(|n| check_duration(cx, n, "timeout")),
        timeout_template: get("timeout")
            .and_then(Node::as_str)
            .filter(|t| is_template(t))
            .map(String::from),
        disabled: flag(cx, "disabled"),
        allow_failure: flag(cx, "allowFailure"),
        allow_warning: flag(cx, "allowWarning"),
        run_if: get("runIf").and_then(|n| n.scalar_text()),
        log_level: get("logLevel").and_then(|n| n.scalar_text()),
        flowable: spec.flowable,
        tasks: children,
        branches,
        depends_on: Vec::new(),
        properties,
        pos: node.pos,
    })
}

/// A WorkingDirectory shares one folder on one worker, so it holds only tasks a worker runs,
/// as in Kestra: a flowable child (If, ForEach…) is refused where it is written.
fn refuse_flowable_children(cx: &mut Cx<'_>, children: &[Task], owner: &str) {
    for child in children.iter().filter(|c| c.flowable.is_some_and(|f| f.holds_tasks())) {
        cx.push(
            Diagnostic::error(
                child.pos,
                "flowable-in-working-directory",
                format!(
                    "{owner} is a WorkingDirectory, which holds only tasks a worker runs, but `{}` ({}) holds tasks of its own",
                    child.id, child.type_name
                ),
            )
            .with_help("move the flowable task out of the WorkingDirectory, or put a WorkingDirectory inside each of its branches"),
        );
    }
}

/// Checks a mapping of names to task lists (Switch's `cases`): one branch `<key>.<name>` each.
fn check_task_map(cx: &mut Cx<'_>, node: &Node, key: &str, defaults: &[PluginDefault]) -> Vec<Branch> {
    let Some(entries) = super::expect_map(cx, node, &format!("`{key}`")) else {
        return Vec::new();
    };
    entries
        .iter()
        .map(|(k, list)| {
            let name = format!("{key}.{}", k.scalar_text().unwrap_or_default());
            Branch {
                tasks: check_task_list(cx, list, &name, defaults),
                key: name,
            }
        })
        .collect()
}

/// The properties Kestra's flowable tasks keep their children in.
const CHILD_LISTS: &[&str] = &[
    "tasks",
    "then",
    "else",
    "errors",
    "finally",
    "afterExecution",
    "cases",
    "defaults",
];

/// The lists of tasks under a task of an unknown type: a child property (see
/// [`CHILD_LISTS`]) holding a list of maps with `id` and `type`, or a map of such lists
/// (as `Switch`'s `cases`).
fn nested_task_lists(node: &Node) -> Vec<(String, &Node)> {
    let is_list = |n: &Node| match &n.value {
        Value::Seq(items) => {
            !items.is_empty() && items.iter().all(|i| i.get("id").is_some() && i.get("type").is_some())
        }
        _ => false,
    };
    let mut out = Vec::new();
    for (k, v) in node.as_map().unwrap_or_default() {
        let key = k.scalar_text().unwrap_or_default();
        if !CHILD_LISTS.contains(&key.as_str()) {
            continue;
        }
        if is_list(v) {
            out.push((key, v));
        } else if let Some(entries) = v.as_map() {
            out.extend(
                entries
                    .iter()
                    .filter(|(_, l)| is_list(l))
                    .map(|(c, l)| (format!("{key}.{}", c.scalar_text().unwrap_or_default()), l)),
            );
        }
    }
    out
}

/// Checks a task runner and returns it with plugin defaults applied.
fn check_runner(cx: &mut Cx<'_>, node: &Node, defaults: &[PluginDefault]) -> Option<Node> {
    expect_map_shape(cx, node, "`taskRunner`")?;
    let (spec, written) = resolve_type(cx, node, &cx.catalog.runners, "task runner")?;
    let merged = defaults::apply(cx.catalog, defaults, spec, &written, node);
    const RUNNER_COMMON: &[schema::Prop] = &[schema::req("type", Kind::String, "The task runner type.")];
    check_props(
        cx,
        &merged,
        &format!("task runner `{}`", written),
        RUNNER_COMMON,
        spec.props,
    );
    let mut merged = merged;
    if let Value::Map(entries) = &mut merged.value {
        for (k, v) in entries.iter_mut() {
            if k.as_str() == Some("type") {
                v.value = Value::String(spec.name.to_string());
            }
        }
    }
    Some(merged)
}
