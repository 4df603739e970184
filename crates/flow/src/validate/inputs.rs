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
    let values_node = match (item.get("values"), item.get("options")) {
        (Some(v), _) => Some(v),
        (None, Some(o)) => {
            cx.push(
                Diagnostic::warning(
                    o.pos,
                    "deprecated",
                    "`options` of a MULTISELECT is Kestra's older name of `values`",
                )
                .with_help("write `values:` instead of `options:`"),
            );
            Some(o)
        }
        (None, None) => None,
    };
    let values: Vec<String> = match values_node {
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
    let expression = item.get("expression").and_then(|n| check_string(cx, n, "expression"));
    let is_choice = matches!(input_type, InputType::Select | InputType::Multiselect);
    if is_choice && values_node.is_none() && expression.is_none() {
        cx.push(
            Diagnostic::error(
                item.pos,
                "missing-property",
                format!("{type_name} input `{id}` has neither `values` nor `expression`"),
            )
            .with_help("list the allowed values under `values:`, or compute them with `expression: \"{{ … }}\"`"),
        );
    }
    let allow_custom_value = item
        .get("allowCustomValue")
        .and_then(|n| check_bool(cx, n, "allowCustomValue"))
        .unwrap_or(false);
    let item_type = item.get("itemType").and_then(|n| check_item_type(cx, n, input_type));
    let constraints = super::input_limits::check_limits(cx, item, &id, input_type);
    let depends_on = item
        .get("dependsOn")
        .and_then(|n| super::input_limits::check_depends_on(cx, n));
    let required = item
        .get("required")
        .and_then(|n| check_bool(cx, n, "required"))
        .unwrap_or(true);
    let description = item.get("description").and_then(|n| check_text(cx, n, "description"));
    let display_name = item.get("displayName").and_then(|n| check_text(cx, n, "displayName"));
    let input = Input {
        id,
        input_type,
        defaults: item.get("defaults").map(Node::to_json),
        required,
        description,
        values,
        display_name,
        expression,
        allow_custom_value,
        item_type,
        depends_on,
        constraints,
    };
    if let Some(d) = item.get("defaults") {
        // Choices from an expression are known only at run time.
        let choices_known = !is_choice || values_node.is_some();
        if input.expression.is_none() && choices_known {
            check_default(cx, d, &input);
        } else if let Some(t) = d.as_str() {
            super::refs::check_template(cx, d, t, "defaults");
        }
    }
    Some(input)
}

/// `itemType` of an ARRAY (or MULTISELECT): a type name, not itself a collection or a file.
fn check_item_type(cx: &mut Cx<'_>, node: &Node, ty: InputType) -> Option<InputType> {
    let name = check_string(cx, node, "itemType")?;
    if !matches!(ty, InputType::Array | InputType::Multiselect) {
        cx.push(
            Diagnostic::error(
                node.pos,
                "not-applicable",
                format!("`itemType` does not apply to a {} input", ty.name()),
            )
            .with_help("`itemType` types the items of an ARRAY input; remove it here"),
        );
        return None;
    }
    match InputType::from_name(&name) {
        Some(t) if !matches!(t, InputType::Array | InputType::Multiselect | InputType::File) => Some(t),
        _ => {
            cx.push(
                Diagnostic::error(
                    node.pos,
                    "unknown-type",
                    format!("`itemType: {name}` is not a type an item can have"),
                )
                .with_help("use STRING, INT, FLOAT, BOOLEAN, DATETIME, DATE, TIME, DURATION, JSON, URI, EMAIL…"),
            );
            None
        }
    }
}

fn check_default(cx: &mut Cx<'_>, node: &Node, input: &Input) {
    if let Some(t) = node.as_str().filter(|t| is_template(t)) {
        super::refs::check_template(cx, node, t, "defaults");
        return;
    }
    if let Err(e) = crate::inputs::typed(input, &node.to_json()) {
        let message = format!("default of input `{}`: {}", input.id, e.message);
        // Kestra saves a SELECT whose default is not a choice (its defaults are plain text)
        // and refuses only the execution that uses it: a warning, not a rejection.
        let d = match input.input_type {
            InputType::Select | InputType::Multiselect => Diagnostic::warning(node.pos, "invalid-default", message)
                .with_help(format!("{}; an execution that takes this default is refused", e.help)),
            _ => Diagnostic::error(node.pos, "invalid-default", message).with_help(e.help),
        };
        cx.push(d);
    }
}
