//! Triggers and their conditions: type lookup, plugin defaults, properties, time zones.

use super::defaults::{self, PluginDefault};
use super::props::check_props;
use super::task::{check_unique_id, resolve_type};
use super::{Cx, expect_map_shape};
use crate::diagnostic::Diagnostic;
use crate::model::{Condition, Trigger};
use crate::schema::{self, Kind, TRIGGER_COMMON};
use crate::yaml::{Node, Value};

/// Checks the `triggers` list.
pub(super) fn check_triggers(cx: &mut Cx<'_>, node: &Node, defaults: &[PluginDefault]) -> Vec<Trigger> {
    let Value::Seq(items) = &node.value else {
        cx.push(
            Diagnostic::error(
                node.pos,
                "wrong-type",
                format!("`triggers` must be a list, found {}", node.kind_name()),
            )
            .with_help("write `- id: nightly`, `type: io.kestra.plugin.core.trigger.Schedule`, `cron: \"0 2 * * *\"`"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        if expect_map_shape(cx, item, "a trigger").is_none() {
            continue;
        }
        let id = check_unique_id(cx, item, "trigger");
        let Some((spec, written)) = resolve_type(cx, item, &cx.catalog.triggers, "trigger") else {
            continue;
        };
        let merged = defaults::apply(cx.catalog, defaults, spec, &written, item);
        let owner = id
            .as_ref()
            .map_or("this trigger".to_string(), |id| format!("trigger `{id}`"));
        check_props(cx, &merged, &owner, TRIGGER_COMMON, spec.props);
        if let Some(rule) = spec.rule {
            cx.diags.extend(rule(&merged));
        }
        if let (Some(tz), Some(id)) = (merged.get("timezone"), &id) {
            check_timezone(cx, tz, id);
        }
        let conditions = merged
            .get("conditions")
            .map(|n| check_conditions(cx, n, defaults))
            .unwrap_or_default();
        let properties = merged
            .as_map()
            .unwrap_or_default()
            .iter()
            .filter(|(k, _)| !TRIGGER_COMMON.iter().any(|p| Some(p.name) == k.as_str()))
            .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
            .collect();
        let disabled = merged.get("disabled").is_some_and(|n| n.value == Value::Bool(true));
        if let Some(id) = id {
            out.push(Trigger {
                id,
                type_name: spec.name.to_string(),
                disabled,
                properties,
                conditions,
            });
        }
    }
    out
}

/// Checks a list of conditions, or a mapping of names to conditions (Kestra's older form, and
/// `MultipleCondition`'s), each against the catalog's condition types.
fn check_conditions(cx: &mut Cx<'_>, node: &Node, defaults: &[PluginDefault]) -> Vec<Condition> {
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
        Value::Null => Vec::new(),
        _ => {
            cx.push(
                Diagnostic::error(
                    node.pos,
                    "wrong-type",
                    format!("`conditions` must be a list of conditions, found {}", node.kind_name()),
                )
                .with_help("write `- type: io.kestra.plugin.core.condition.ExecutionStatus` with `in: [FAILED]`"),
            );
            return Vec::new();
        }
    };
    items
        .into_iter()
        .filter_map(|item| check_condition(cx, item, defaults))
        .collect()
}

fn check_condition(cx: &mut Cx<'_>, node: &Node, defaults: &[PluginDefault]) -> Option<Condition> {
    expect_map_shape(cx, node, "a condition")?;
    let (spec, written) = resolve_type(cx, node, &cx.catalog.conditions, "condition")?;
    let merged = defaults::apply(cx.catalog, defaults, spec, &written, node);
    const CONDITION_COMMON: &[schema::Prop] = &[schema::req("type", Kind::String, "The condition type.")];
    check_props(
        cx,
        &merged,
        &format!("condition `{}`", spec.name.rsplit('.').next().unwrap_or(spec.name)),
        CONDITION_COMMON,
        spec.props,
    );
    let mut properties = serde_json::Map::new();
    let mut nested = Vec::new();
    for (k, v) in merged.as_map().unwrap_or_default() {
        let key = k.scalar_text().unwrap_or_default();
        match spec.prop(&key).map(|p| p.kind) {
            _ if key == "type" => {}
            Some(Kind::Conditions) => nested = check_conditions(cx, v, defaults),
            _ => {
                properties.insert(key, v.to_json());
            }
        }
    }
    Some(Condition {
        type_name: spec.name.to_string(),
        properties,
        conditions: nested,
    })
}

fn check_timezone(cx: &mut Cx<'_>, node: &Node, id: &str) {
    let Some(name) = node.as_str() else { return };
    if jiff::tz::TimeZone::get(name).is_err() {
        cx.push(
            Diagnostic::error(
                node.pos,
                "unknown-timezone",
                format!("trigger `{id}`: unknown time zone `{name}`"),
            )
            .with_help("use an IANA time zone name like `Europe/Paris`, `America/New_York` or `UTC`"),
        );
    }
}
