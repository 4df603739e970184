//! Tasks that change the execution itself, done by the engine at once when their task run is
//! created: Labels, SetVariables, UnsetVariables. What they change is stored with the
//! execution, so a restart or a re-read sees the same labels and `vars`.
//!
//! Kestra: <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.labels>,
//! <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.setvariables>,
//! <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.unsetvariables>.

use super::Pass;
use crate::execution::{Label, TaskRun};
use serde_json::{Map, Value};
use sluice_flow::model::Task;

impl Pass<'_> {
    /// Labels: `labels` as a mapping, a list of `key`/`value`, or a string giving either as
    /// JSON; values are rendered, an existing key gets the new value.
    pub(super) fn set_labels(&mut self, task: &Task, run: &TaskRun) -> Result<(), String> {
        let raw = task.properties.get("labels").cloned().unwrap_or(Value::Null);
        let raw = match raw {
            Value::String(s) => {
                let text = self.render_text(&Value::String(s), run, "labels")?;
                serde_json::from_str(&text).map_err(|e| {
                    format!(
                        "`labels` of `{}` rendered to text that is not a JSON mapping or list: {e}",
                        task.id
                    )
                })?
            }
            other => other,
        };
        let pairs: Vec<(String, Value)> = match raw {
            Value::Object(map) => map.into_iter().collect(),
            Value::Array(items) => items
                .into_iter()
                .map(|item| match (item.get("key"), item.get("value")) {
                    (Some(Value::String(k)), Some(v)) => Ok((k.clone(), v.clone())),
                    _ => Err(format!(
                        "each label of `{}` needs a `key` and a `value`, as `- key: team` / `value: data`",
                        task.id
                    )),
                })
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(format!(
                    "`labels` of `{}` must be a mapping or a list of `key`/`value`",
                    task.id
                ));
            }
        };
        let mut labels = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            if key.starts_with("system.") {
                return Err(format!(
                    "`{}` cannot set the system label `{key}`; labels starting with `system.` belong to Sluice",
                    task.id
                ));
            }
            let value = self.render_text(&value, run, "labels")?;
            labels.push(Label { key, value });
        }
        for label in labels {
            match self.exec.labels.iter_mut().find(|l| l.key == label.key) {
                Some(old) => old.value = label.value,
                None => self.exec.labels.push(label),
            }
        }
        Ok(())
    }

    /// SetVariables: `variables`, rendered, deep-merged into `vars`; with `overwrite: false`
    /// a name that already exists fails the task and changes nothing.
    pub(super) fn set_variables(&mut self, task: &Task, run: &TaskRun) -> Result<(), String> {
        let Some(Value::Object(given)) = task.properties.get("variables") else {
            return Err(format!(
                "`variables` of `{}` must be a mapping of names to values",
                task.id
            ));
        };
        let overwrite = task
            .properties
            .get("overwrite")
            .is_none_or(|v| v != &Value::Bool(false));
        let mut vars = self.vars();
        if !overwrite && let Some(name) = given.keys().find(|k| vars.contains_key(*k)) {
            return Err(format!(
                "`{}` would overwrite the variable `{name}`, and `overwrite` is false; remove it from `variables` or set `overwrite: true`",
                task.id
            ));
        }
        let rendered = self.render_tree(&Value::Object(given.clone()), run)?;
        if let Value::Object(rendered) = rendered {
            merge(&mut vars, rendered);
        }
        self.exec.variables = Some(vars);
        Ok(())
    }

    /// UnsetVariables: the names of `variables` removed from `vars`; a name that is not there
    /// fails the task unless `ignoreMissing` is true.
    pub(super) fn unset_variables(&mut self, task: &Task) -> Result<(), String> {
        let names: Vec<&str> = match task.properties.get("variables") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(name)) => vec![name.as_str()],
            _ => return Err(format!("`variables` of `{}` must be a list of names", task.id)),
        };
        let ignore_missing = task.properties.get("ignoreMissing") == Some(&Value::Bool(true));
        let mut vars = self.vars();
        for name in names {
            if vars.remove(name).is_none() && !ignore_missing {
                return Err(format!(
                    "`{}` cannot unset `{name}`: there is no such variable; set `ignoreMissing: true` to allow it",
                    task.id
                ));
            }
        }
        self.exec.variables = Some(vars);
        Ok(())
    }

    /// The execution's `vars` now.
    fn vars(&self) -> Map<String, Value> {
        self.exec
            .variables
            .clone()
            .unwrap_or_else(|| self.flow.variables.clone())
    }

    /// Every string in `value` rendered; a lone expression keeps its type (`{{ 1 + 1 }}` is 2).
    fn render_tree(&self, value: &Value, run: &TaskRun) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) => {
                let context = crate::context::render_context(self.flow, self.exec, Some(run));
                self.engine
                    .templates
                    .render_value(s, &context, &super::NoSecrets)
                    .map_err(|e| format!("`variables` of `{}` could not be rendered: {e}", run.task_id))?
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.render_tree(v, run))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    out.insert(k.clone(), self.render_tree(v, run)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

/// Merges `from` into `into`: nested mappings are merged, anything else replaced.
fn merge(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Value::Object(old)), Value::Object(new)) => merge(old, new),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}
