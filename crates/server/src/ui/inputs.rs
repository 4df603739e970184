//! The run form of a flow: one typed control per declared input, with its default filled in.

use super::format;
use serde::Serialize;
use serde_json::Value;
use sluice_flow::model::{Input, InputType};
use sluice_flow::template::is_template;

/// One control of the run form.
#[derive(Debug, Serialize)]
pub(crate) struct Field {
    /// Input id: the form field's name.
    pub id: String,
    /// What the label shows: the input's `displayName`, or its id.
    pub label: String,
    /// A templated default, shown as a hint: the server renders it when the field is empty.
    pub placeholder: Option<String>,
    /// The element's id (`input-<id>`), for its label.
    pub element_id: String,
    /// Kestra's type name, shown next to the label.
    pub type_name: &'static str,
    /// Which control: `input`, `checkbox`, `select`, `textarea`.
    pub control: &'static str,
    /// The `type` of an `<input>`: number, datetime-local, file, text, date, time, email, url, password.
    pub input_type: &'static str,
    /// `step` of number and time controls.
    pub step: Option<&'static str>,
    /// The default, as the control's value.
    pub value: String,
    /// Whether a checkbox starts checked.
    pub checked: bool,
    /// Whether several options may be chosen (MULTISELECT).
    pub multiple: bool,
    /// Options of a select, with whether each starts selected.
    pub options: Vec<(String, bool)>,
    /// Whether a value must be given.
    pub required: bool,
    /// Whether the control's value is a UTC time the script completes with `Z`.
    pub utc: bool,
    /// What the input is for.
    pub description: Option<String>,
}

/// The text of a default value as a control shows it.
fn text(value: &Value, pretty: bool) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other if pretty => serde_json::to_string_pretty(other).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// The values a default selects in a SELECT or MULTISELECT.
fn selected(default: Option<&Value>) -> Vec<String> {
    match default {
        Some(Value::Array(items)) => items.iter().map(|v| text(v, false)).collect(),
        Some(Value::String(s)) if s.trim_start().starts_with('[') => serde_json::from_str::<Vec<Value>>(s)
            .map(|items| items.iter().map(|v| text(v, false)).collect())
            .unwrap_or_default(),
        Some(v) => vec![text(v, false)],
        None => Vec::new(),
    }
}

/// The form controls of a flow's inputs, in declaration order.
pub(crate) fn fields(inputs: &[Input]) -> Vec<Field> {
    inputs.iter().map(field).collect()
}

fn field(input: &Input) -> Field {
    // A templated default is rendered by the server when the field is left empty, so the form
    // shows it as a hint and sends nothing.
    let templated = input
        .defaults
        .as_ref()
        .and_then(Value::as_str)
        .filter(|s| is_template(s));
    let default = input.defaults.as_ref().filter(|_| templated.is_none());
    let mut f = Field {
        id: input.id.clone(),
        label: input.display_name.clone().unwrap_or_else(|| input.id.clone()),
        placeholder: templated.map(|t| format!("default: {t}")),
        element_id: format!("input-{}", input.id),
        type_name: input.input_type.name(),
        control: "input",
        input_type: "text",
        step: None,
        value: default.map(|v| text(v, false)).unwrap_or_default(),
        checked: false,
        multiple: false,
        options: Vec::new(),
        // An input under `dependsOn` may not apply at all: the server decides, not the browser.
        required: input.required && input.defaults.is_none() && input.depends_on.is_none(),
        utc: false,
        description: input.description.clone(),
    };
    match input.input_type {
        InputType::Int => {
            f.input_type = "number";
            f.step = Some("1");
        }
        InputType::Float => {
            f.input_type = "number";
            f.step = Some("any");
        }
        InputType::Boolean => {
            f.control = "checkbox";
            f.checked = matches!(default, Some(Value::Bool(true))) || f.value == "true";
            // An unchecked box is a value too ("false"), so it is never "missing".
            f.required = false;
        }
        // Choices from an `expression` are known once the other inputs are: type the value.
        InputType::Select | InputType::Multiselect if input.expression.is_some() => {}
        InputType::Select | InputType::Multiselect => {
            let chosen = selected(default);
            f.control = "select";
            f.multiple = input.input_type == InputType::Multiselect;
            f.options = input.values.iter().map(|v| (v.clone(), chosen.contains(v))).collect();
        }
        InputType::Datetime => {
            f.input_type = "datetime-local";
            f.step = Some("1");
            f.utc = true;
            f.value = default
                .and_then(|v| format::parse_time(&text(v, false)))
                .map(format::datetime_local)
                .unwrap_or_default();
        }
        InputType::Date => f.input_type = "date",
        InputType::Time => {
            f.input_type = "time";
            f.step = Some("1");
        }
        InputType::File => {
            f.input_type = "file";
            f.value = String::new();
        }
        InputType::Json | InputType::Yaml => {
            f.control = "textarea";
            f.value = default.map(|v| text(v, true)).unwrap_or_default();
        }
        InputType::Email => f.input_type = "email",
        InputType::Uri => f.input_type = "url",
        InputType::Secret => f.input_type = "password",
        InputType::String | InputType::Duration | InputType::Array => {}
    }
    f
}
