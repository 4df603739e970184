//! Declared inputs: ids, types, allowed values and defaults that fit their type.

use super::props::{check_bool, check_string, check_text, unknown_key, wrong_type};
use super::{Cx, expect_map};
use crate::diagnostic::{Diagnostic, Pos};
use crate::model::{Input, InputType};
use crate::suggest::did_you_mean;
use crate::template::is_template;
use crate::yaml::{Node, Value};
use std::collections::HashMap;

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
    let description = item.get("description").and_then(|n| check_text(cx, n, "description"));
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
