//! An execution's inputs from what a caller gave (the CLI, the API, a form, a trigger), the
//! flow's declarations and a render context, the way Kestra resolves them
//! (`FlowInputOutput.resolveInputs`): each input after the ones it `dependsOn`, skipped when its
//! `condition` is not true, its `defaults` and `expression` rendered as templates, then typed and
//! checked against its limits. Every problem is reported at once, so a form can mark them all.

use super::typed;
use crate::model::Input;
use crate::suggest::did_you_mean;
use crate::template::{SecretSource, TemplateEngine, is_template};
use serde_json::{Map, Value};

/// What is wrong with one input of an execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The input's id (or the unknown name that was given).
    pub input: String,
    /// A stable code: `unknown-input`, `missing-input`, `invalid-input`, `invalid-default`,
    /// `invalid-expression`, `invalid-condition`.
    pub code: &'static str,
    /// What is wrong, starting with "input `id`".
    pub message: String,
    /// How to fix it.
    pub help: String,
}

#[derive(Clone)]
enum State {
    Todo,
    Busy,
    /// Resolved; `None` when the input does not apply (its condition is false).
    Done(Option<Value>),
}

struct Resolver<'a> {
    inputs: &'a [Input],
    given: &'a Map<String, Value>,
    context: Value,
    secrets: &'a dyn SecretSource,
    states: Vec<State>,
    problems: Vec<InputProblem>,
}

/// Resolves every declared input. `context` is the render context of the execution (flow,
/// execution, vars, labels, trigger…); its `inputs` grow as inputs resolve. Inputs whose
/// condition is false are left out; optional inputs without a value are null.
pub fn resolve(
    inputs: &[Input],
    given: &Map<String, Value>,
    context: &Value,
    secrets: &dyn SecretSource,
) -> Result<Map<String, Value>, Vec<InputProblem>> {
    let mut context = context.clone();
    if !context.is_object() {
        context = Value::Object(Map::new());
    }
    context["inputs"] = Value::Object(Map::new());
    let mut r = Resolver {
        inputs,
        given,
        context,
        secrets,
        states: vec![State::Todo; inputs.len()],
        problems: Vec::new(),
    };
    for name in given.keys().filter(|k| !inputs.iter().any(|i| &i.id == *k)) {
        let help = match did_you_mean(name, inputs.iter().map(|i| i.id.as_str())) {
            Some(s) => format!("did you mean `{s}`?"),
            None if inputs.is_empty() => "this flow declares no inputs".to_string(),
            None => format!(
                "its inputs are: {}",
                inputs.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        r.problem(name, "unknown-input", format!("the flow has no input `{name}`"), help);
    }
    for i in 0..inputs.len() {
        r.visit(i);
    }
    let mut out = Map::new();
    for (input, state) in inputs.iter().zip(&r.states) {
        if let State::Done(Some(value)) = state {
            out.insert(input.id.clone(), value.clone());
        }
    }
    match r.problems.is_empty() {
        true => Ok(out),
        false => Err(r.problems),
    }
}

impl Resolver<'_> {
    fn problem(&mut self, input: &str, code: &'static str, message: String, help: impl Into<String>) {
        self.problems.push(InputProblem {
            input: input.to_string(),
            code,
            message,
            help: help.into(),
        });
    }

    /// Resolves input `i` (its dependencies first); answers whether it applies.
    fn visit(&mut self, i: usize) -> bool {
        match &self.states[i] {
            State::Done(v) => return v.is_some(),
            // A circle of `dependsOn` is refused by the validator; here it just does not apply.
            State::Busy => return false,
            State::Todo => {}
        }
        self.states[i] = State::Busy;
        let input = &self.inputs[i];
        let mut applies = true;
        if let Some(depends) = &input.depends_on {
            for dep in &depends.inputs {
                if let Some(j) = self.inputs.iter().position(|x| &x.id == dep) {
                    applies &= self.visit(j);
                }
            }
            if let (true, Some(condition)) = (applies, &depends.condition) {
                applies = match self.render(condition) {
                    Ok(v) => v == Value::Bool(true) || v.as_str().is_some_and(|s| s.trim() == "true"),
                    Err(e) => {
                        let id = input.id.clone();
                        let msg = format!("input `{id}`: its `dependsOn.condition` does not render: {e}");
                        self.problem(&id, "invalid-condition", msg, "fix the condition's template");
                        false
                    }
                };
            }
        }
        let value = if applies { self.value_of(i) } else { None };
        if let Some(v) = &value {
            self.context["inputs"][input.id.as_str()] = v.clone();
        }
        self.states[i] = State::Done(value);
        applies
    }

    fn render(&self, source: &str) -> Result<Value, crate::template::TemplateError> {
        TemplateEngine::new().render_value(source, &self.context, self.secrets)
    }

    /// The typed value of an input that applies: `Some(Null)` for an optional one not given;
    /// `Some(Null)` too after a problem, so the inputs after it still resolve.
    fn value_of(&mut self, i: usize) -> Option<Value> {
        let input = &self.inputs[i];
        let id = input.id.clone();
        let mut input = input.clone();
        if let Some(expression) = input.expression.clone() {
            match self.render(&expression).map(choices) {
                Ok(Some(values)) => input.values = values,
                Ok(None) => {
                    let msg = format!("input `{id}`: its `expression` does not render to a list of values");
                    self.problem(
                        &id,
                        "invalid-expression",
                        msg,
                        "make it render a list, e.g. `{{ ['a', 'b'] }}`",
                    );
                    return Some(Value::Null);
                }
                Err(e) => {
                    let msg = format!("input `{id}`: its `expression` does not render: {e}");
                    self.problem(&id, "invalid-expression", msg, "fix the expression's template");
                    return Some(Value::Null);
                }
            }
        }
        let given = self.given.get(&id).filter(|v| !v.is_null()).cloned();
        let raw = match (given, &input.defaults) {
            (Some(v), _) => Some(v),
            (None, Some(Value::String(s))) if is_template(s) => match self.render(s) {
                Ok(v) => Some(v).filter(|v| !v.is_null()),
                Err(e) => {
                    let msg = format!("input `{id}`: its `defaults` do not render: {e}");
                    self.problem(
                        &id,
                        "invalid-default",
                        msg,
                        "fix the default's template, or give a value",
                    );
                    return Some(Value::Null);
                }
            },
            (None, d) => d.clone().filter(|v| !v.is_null()),
        };
        let Some(raw) = raw else {
            if input.required {
                let msg = format!("input `{id}` is required and has no value");
                let help = format!("give a value for `{id}`, or declare `defaults:` or `required: false`");
                self.problem(&id, "missing-input", msg, help);
            }
            return Some(Value::Null);
        };
        match typed(&input, &raw) {
            Ok(v) => Some(v),
            Err(e) => {
                let msg = format!("input `{id}`: {}", e.message);
                self.problem(&id, "invalid-input", msg, e.help);
                Some(Value::Null)
            }
        }
    }
}

/// The choices an `expression` rendered to: a list, or text holding a JSON list.
fn choices(value: Value) -> Option<Vec<String>> {
    let list = match value {
        Value::Array(items) => items,
        Value::String(s) => match serde_json::from_str(&s) {
            Ok(Value::Array(items)) => items,
            _ => return None,
        },
        _ => return None,
    };
    Some(
        list.into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
    )
}
