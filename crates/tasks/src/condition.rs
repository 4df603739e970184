//! Trigger conditions: what each condition type tests, and the context it tests against.
//!
//! A condition type is one module in `catalog/core/condition/`, holding its [`TypeSpec`] and its
//! test. The scheduler tests a Schedule's conditions with the fire date as `trigger.date`; the
//! executor tests a Flow trigger's against the execution that just changed state; the server
//! tests a Webhook's against the request. All are pure: the caller hands in everything.

use serde_json::{Map, Value};
use sluice_flow::model::Condition;
use sluice_flow::schema::TypeSpec;
use sluice_flow::template::{SecretSource, TemplateEngine};

/// Tests one condition.
pub type TestFn = fn(&Condition, &ConditionContext<'_>) -> Result<bool, String>;

/// A condition type: what the validator checks, and how it is tested.
#[derive(Debug)]
pub struct ConditionType {
    /// Names, aliases, properties.
    pub spec: TypeSpec,
    /// The test.
    pub test: TestFn,
}

/// The execution a Flow trigger reacts to, as conditions see it.
#[derive(Debug, Clone, Default)]
pub struct Upstream {
    /// Execution id.
    pub id: String,
    /// Namespace of its flow.
    pub namespace: String,
    /// Its flow's id.
    pub flow_id: String,
    /// Its flow's revision.
    pub flow_revision: u32,
    /// Its state, as Kestra names it (`SUCCESS`, `FAILED`…).
    pub state: String,
    /// Its labels, in order.
    pub labels: Vec<(String, String)>,
    /// Its flow-level outputs.
    pub outputs: Map<String, Value>,
    /// The states of the task runs that were attempted more than once.
    pub retried_states: Vec<String>,
}

/// What a condition is tested against.
pub struct ConditionContext<'a> {
    /// Template variables (`trigger`, `flow`, `execution`…).
    pub variables: &'a Value,
    /// The execution a Flow trigger reacts to; `None` for schedules and webhooks.
    pub execution: Option<&'a Upstream>,
    /// What `secret()` reads.
    pub secrets: &'a dyn SecretSource,
    /// When the test happens (time windows of preconditions).
    pub now: jiff::Timestamp,
}

impl ConditionContext<'_> {
    /// The execution, or an error naming the condition that needs one.
    pub fn execution(&self, condition: &Condition) -> Result<&Upstream, String> {
        self.execution.ok_or_else(|| {
            format!(
                "condition `{}` tests an execution, so it only works on a Flow trigger",
                short(&condition.type_name)
            )
        })
    }

    /// Renders a template against the variables.
    pub fn render(&self, source: &str) -> Result<String, String> {
        TemplateEngine::new()
            .render(source, self.variables, self.secrets)
            .map_err(|e| e.to_string())
    }

    /// Renders a property that is a template, `default` when the flow does not set it.
    pub fn render_prop(&self, condition: &Condition, name: &str, default: &str) -> Result<String, String> {
        match condition.properties.get(name) {
            Some(Value::String(s)) => self.render(s),
            Some(Value::Null) | None => self.render(default),
            Some(other) => Ok(other.to_string()),
        }
    }
}

/// A list of strings property (`in`, `notIn`, `states`), `None` when unset.
pub fn string_list(properties: &Map<String, Value>, name: &str) -> Option<Vec<String>> {
    match properties.get(name)? {
        Value::Array(items) => Some(
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect(),
        ),
        Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

/// A string property of a condition.
pub fn string(condition: &Condition, name: &str) -> Option<String> {
    text(&condition.properties, name)
}

/// A string property of any JSON mapping.
pub fn text(properties: &Map<String, Value>, name: &str) -> Option<String> {
    match properties.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Kestra's truthiness of a rendered condition: anything but blank or `false`.
pub fn rendered_true(rendered: &str) -> bool {
    let t = rendered.trim();
    !(t.is_empty() || t == "false")
}

/// The last part of a type name, for messages.
pub fn short(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}
