//! `pluginDefaults` (and the older `taskDefaults`): values applied to every task, trigger or
//! task runner of a type, under the task's own values unless `forced`.
//!
//! They are merged into the YAML tree before the task is checked, as Kestra does, so a property
//! that comes from a default satisfies "required" and is type-checked like any other.

use super::props::{check_bool, unknown_key};
use super::{Cx, expect_map};
use crate::diagnostic::Diagnostic;
use crate::schema::{self, Catalog, TypeSpec};
use crate::yaml::{Node, Value};

/// One entry of `pluginDefaults`.
pub(super) struct PluginDefault {
    /// A type name, an alias, or a prefix such as `io.kestra.plugin.scripts`.
    type_name: String,
    /// The values to apply.
    values: Node,
    /// Whether the values win over the task's own.
    forced: bool,
}

/// Reads and checks `pluginDefaults` and `taskDefaults`.
pub(super) fn collect(cx: &mut Cx<'_>, root: &Node) -> Vec<PluginDefault> {
    let mut out = Vec::new();
    for key in ["pluginDefaults", "taskDefaults"] {
        let Some(list) = root.get(key) else { continue };
        let Value::Seq(items) = &list.value else {
            cx.push(
                Diagnostic::error(
                    list.pos,
                    "wrong-type",
                    format!("`{key}` must be a list, found {}", list.kind_name()),
                )
                .with_help("write `- type: io.kestra.plugin.scripts.shell.Commands` with `values:` under it"),
            );
            continue;
        };
        for item in items {
            if let Some(d) = check_one(cx, item) {
                out.push(d);
            }
        }
    }
    out
}

fn check_one(cx: &mut Cx<'_>, item: &Node) -> Option<PluginDefault> {
    const KEYS: &[&str] = &["type", "values", "forced"];
    let entries = expect_map(cx, item, "a plugin default")?;
    for (k, _) in entries {
        let key = k.scalar_text().unwrap_or_default();
        if !KEYS.contains(&key.as_str()) {
            cx.push(unknown_key(k, &key, "a plugin default", KEYS));
        }
    }
    let (Some(type_node), Some(values)) = (item.get("type"), item.get("values")) else {
        cx.push(
            Diagnostic::error(
                item.pos,
                "missing-property",
                "a plugin default needs `type` and `values`",
            )
            .with_help("e.g. `- type: io.kestra.plugin.scripts` and `values: {containerImage: python:3.12}`"),
        );
        return None;
    };
    let type_name = type_node.scalar_text().unwrap_or_default();
    expect_map(cx, values, "`values`")?;
    let forced = item
        .get("forced")
        .and_then(|n| check_bool(cx, n, "forced"))
        .unwrap_or(false);
    if let Some(spec) = cx.catalog.any(&type_name) {
        for (k, _) in values.as_map().unwrap_or_default() {
            let key = k.scalar_text().unwrap_or_default();
            if !is_known_prop(cx.catalog, spec, &key) {
                let names: Vec<&str> = spec
                    .props
                    .iter()
                    .chain(common_props(cx.catalog, spec))
                    .map(|p| p.name)
                    .collect();
                let mut d = unknown_key(k, &key, &format!("defaults for `{}`", spec.name), &names);
                d.severity = crate::diagnostic::Severity::Warning;
                cx.push(d);
            }
        }
    } else if !cx.catalog.all_names().any(|n| prefix_matches(&type_name, n)) {
        cx.push(
            Diagnostic::warning(type_node.pos, "unused-default", format!("plugin default for `{type_name}` matches no type Sluice knows"))
                .with_help("use a full type name like `io.kestra.plugin.scripts.shell.Commands`, or a prefix like `io.kestra.plugin.scripts`"),
        );
    }
    Some(PluginDefault {
        type_name,
        values: values.clone(),
        forced,
    })
}

fn common_props(catalog: &Catalog, spec: &TypeSpec) -> &'static [schema::Prop] {
    if catalog.is_task(spec) {
        schema::TASK_COMMON
    } else if catalog.is_trigger(spec) {
        schema::TRIGGER_COMMON
    } else {
        &[]
    }
}

fn is_known_prop(catalog: &Catalog, spec: &TypeSpec, key: &str) -> bool {
    key != "id"
        && key != "type"
        && (spec.prop(key).is_some() || common_props(catalog, spec).iter().any(|p| p.name == key))
}

fn prefix_matches(prefix: &str, full: &str) -> bool {
    full.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || prefix.ends_with('.'))
}

/// The node with every matching default merged in. `written` is the type as the flow wrote it.
pub(super) fn apply(
    catalog: &Catalog,
    defaults: &[PluginDefault],
    spec: &'static TypeSpec,
    written: &str,
    node: &Node,
) -> Node {
    let mut merged = node.clone();
    for d in defaults {
        let matches = d.type_name == written
            || catalog.any(&d.type_name).is_some_and(|t| std::ptr::eq(t, spec))
            || prefix_matches(&d.type_name, spec.name);
        if !matches {
            continue;
        }
        let Value::Map(values) = &d.values.value else { continue };
        for (k, v) in values {
            let key = k.scalar_text().unwrap_or_default();
            if is_known_prop(catalog, spec, &key) {
                merge_entry(&mut merged, k, v, d.forced);
            }
        }
    }
    merged
}

fn merge_entry(target: &mut Node, key: &Node, value: &Node, forced: bool) {
    let Value::Map(entries) = &mut target.value else { return };
    let name = key.scalar_text();
    match entries.iter_mut().rev().find(|(k, _)| k.scalar_text() == name) {
        None => entries.push((key.clone(), value.clone())),
        Some((_, existing)) => match (&mut existing.value, &value.value) {
            (Value::Map(_), Value::Map(inner)) => {
                for (k, v) in inner {
                    merge_entry(existing, k, v, forced);
                }
            }
            _ if forced => *existing = value.clone(),
            _ => {}
        },
    }
}
