//! Rendering of task properties: every string goes through the template engine, with errors
//! that name the task and the property. Inside structured properties (a pod spec), a string
//! that is one `{{ expression }}` keeps the expression's type, as Kestra's typed properties.

use crate::TaskError;
use serde_json::Value;
use sluice_flow::template::{SecretSource, TemplateEngine, TemplateError, is_template};

/// Renders templates of one task with one set of variables.
pub struct Renderer<'a> {
    /// The shared template engine.
    pub engine: &'a TemplateEngine,
    /// Where `secret()` reads from.
    pub secrets: &'a dyn SecretSource,
}

impl Renderer<'_> {
    /// Renders one string.
    pub fn string(&self, task: &str, property: &str, source: &str, variables: &Value) -> Result<String, TaskError> {
        if !is_template(source) {
            return Ok(source.to_string());
        }
        self.engine
            .render(source, variables, self.secrets)
            .map_err(|e| render_error(task, property, e))
    }

    /// Renders one string keeping the type of a lone expression: `"{{ inputs.n }}"` gives
    /// the number, `"{{ fromJson(x) }}"` the list; any other template gives text.
    pub fn typed(&self, task: &str, property: &str, source: &str, variables: &Value) -> Result<Value, TaskError> {
        if !is_template(source) {
            return Ok(Value::String(source.to_string()));
        }
        self.engine
            .render_value(source, variables, self.secrets)
            .map_err(|e| render_error(task, property, e))
    }

    /// Renders every string inside a JSON value, each with [`Renderer::typed`].
    pub fn value(&self, task: &str, property: &str, value: &Value, variables: &Value) -> Result<Value, TaskError> {
        Ok(match value {
            Value::String(s) => self.typed(task, property, s, variables)?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.value(task, property, v, variables))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.value(task, property, v, variables)?)))
                    .collect::<Result<_, TaskError>>()?,
            ),
            other => other.clone(),
        })
    }
}

fn render_error(task: &str, property: &str, e: TemplateError) -> TaskError {
    TaskError::Render {
        task: task.to_string(),
        property: property.to_string(),
        message: match e.help {
            Some(help) => format!("{}; {help}", e.message),
            None => e.message,
        },
    }
}
