//! The execution a trigger starts, the same for every trigger type: the trigger's variables as
//! `trigger`, its `inputs` rendered against them, then resolved over the flow's declared inputs.

use crate::{Execution, render_context};
use jiff::Timestamp;
use serde_json::{Map, Value};
use sluice_flow::Flow;
use sluice_flow::template::{SecretSource, TemplateEngine};

/// What a trigger hands to the execution it starts.
pub struct Start<'a> {
    /// The new execution's id.
    pub id: String,
    /// The flow's stored revision.
    pub revision: u32,
    /// `trigger` in templates: `id`, `type` and the type's own variables.
    pub variables: Value,
    /// The trigger's `inputs` as written (templates allowed).
    pub inputs: Option<&'a Map<String, Value>>,
    /// When it is created.
    pub at: Timestamp,
}

/// The execution, or why it cannot start (inputs that do not render or do not fit).
pub fn triggered_execution(flow: &Flow, start: Start<'_>, secrets: &dyn SecretSource) -> Result<Execution, String> {
    let mut exec = Execution::new(start.id, flow, Map::new(), start.at);
    exec.flow_revision = start.revision;
    exec.trigger = Some(start.variables);
    let context = render_context(flow, &exec, None);
    let engine = TemplateEngine::new();
    let mut given = Map::new();
    for (name, value) in start.inputs.into_iter().flatten() {
        let rendered = match value {
            Value::String(s) => engine
                .render_value(s, &context, secrets)
                .map_err(|e| format!("the trigger's input `{name}`: {e}"))?,
            other => other.clone(),
        };
        given.insert(name.clone(), rendered);
    }
    exec.inputs = sluice_flow::inputs::resolve(&flow.inputs, &given, &context, secrets).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("{}; {}", p.message, p.help)).collect();
        format!("the trigger's inputs: {}", lines.join("; "))
    })?;
    Ok(exec)
}
