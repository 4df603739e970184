//! How the engine opens and walks each kind of flowable task: what it decides once when the
//! task run is created (If's condition, Switch's value, ForEach's values, kept in the task run's
//! outputs so a restart or a changed variable never takes another branch), and which children
//! it runs.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.if>,
//! <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.switch>,
//! <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.foreach>.

use super::{NoSecrets, Pass, Status};
use crate::context::render_context;
use crate::event::Command;
use crate::execution::TaskRun;
use crate::state::State;
use serde_json::{Map, Value};
use sluice_flow::model::{Flowable, Task};
use sluice_flow::template::truthy;

/// Where ForEach keeps its values: a task run output, as Kestra's ForEachItem keeps its batches.
const VALUES: &str = "values";

/// The older loop whose tasks all run at once for every value.
const EACH_PARALLEL: &str = "io.kestra.plugin.core.flow.EachParallel";

impl Pass<'_> {
    /// Decides, once, what a flowable task run will walk, into its outputs; `Err` says why it
    /// cannot run.
    pub(super) fn open(&mut self, task: &Task, run: &mut TaskRun) -> Result<(), String> {
        let Some(kind) = task.flowable else { return Ok(()) };
        let property = |name: &str| task.properties.get(name).cloned().unwrap_or(Value::Null);
        match kind {
            Flowable::Sequential
            | Flowable::Parallel
            | Flowable::WorkingDirectory
            | Flowable::AllowFailure
            | Flowable::Dag => {}
            Flowable::LoopUntil => {
                run.outputs.insert("iterationCount".into(), Value::from(1));
            }
            Flowable::Exit => {
                let state = match task
                    .properties
                    .get("state")
                    .and_then(Value::as_str)
                    .unwrap_or("SUCCESS")
                {
                    "WARNING" => State::Warning,
                    "FAILED" => State::Failed,
                    "KILLED" => State::Killed,
                    "CANCELED" | "CANCELLED" => State::Cancelled,
                    _ => State::Success,
                };
                self.exit = Some(state);
            }
            Flowable::Pause => {
                let raw = task
                    .properties
                    .get("pauseDuration")
                    .or_else(|| task.properties.get("delay"));
                if let Some(raw) = raw.filter(|v| !v.is_null()) {
                    let text = self.render_text(raw, run, "pauseDuration")?;
                    let duration = sluice_flow::duration::parse_duration(&text)
                        .map_err(|e| format!("`pauseDuration` of `{}` is not a duration: {e}", run.task_id))?;
                    let at = self.now.checked_add(duration).unwrap_or(self.now);
                    self.commands.push(Command::Timer {
                        task_run_id: run.id.clone(),
                        attempt: 1,
                        at,
                    });
                }
            }
            Flowable::If => {
                let text = self.render_text(&property("condition"), run, "condition")?;
                run.outputs
                    .insert("evaluationResult".into(), Value::Bool(truthy(&text)));
            }
            Flowable::Switch => {
                let value = self.render_text(&property("value"), run, "value")?;
                let matched = task.branch(&format!("cases.{value}")).is_some();
                if !matched && task.branch("defaults").is_none() {
                    return Err(format!(
                        "no case of `{}` matches the value `{value}` and it has no `defaults`; add a case or `defaults`",
                        task.id
                    ));
                }
                run.outputs.insert("value".into(), Value::String(value));
                run.outputs.insert("defaults".into(), Value::Bool(!matched));
            }
            Flowable::ForEach => {
                // EachSequential and EachParallel name it `value`.
                let raw = task.properties.get("values").or_else(|| task.properties.get("value"));
                let values = self.values(raw.unwrap_or(&Value::Null), run)?;
                run.outputs.insert(VALUES.into(), Value::Array(values));
            }
            Flowable::Labels => self.set_labels(task, run)?,
            Flowable::SetVariables => self.set_variables(task, run)?,
            Flowable::UnsetVariables => self.unset_variables(task)?,
        }
        Ok(())
    }

    /// Walks the children of the open flowable task run `id`.
    pub(super) fn children(&mut self, task: &Task, kind: Flowable, id: &str) -> Status {
        let outputs = self.run(id).map(|r| &r.outputs);
        let branch = match kind {
            Flowable::Sequential | Flowable::Parallel | Flowable::WorkingDirectory | Flowable::AllowFailure => {
                Some(task.tasks.as_slice())
            }
            Flowable::If => {
                let yes = outputs.and_then(|o| o.get("evaluationResult")) == Some(&Value::Bool(true));
                task.branch(if yes { "then" } else { "else" })
            }
            Flowable::Switch => {
                let value = outputs
                    .and_then(|o| o.get("value"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                task.branch(&format!("cases.{value}"))
                    .or_else(|| task.branch("defaults"))
            }
            Flowable::ForEach => return self.each(task, id),
            Flowable::Dag => return self.dag(task, id),
            Flowable::LoopUntil => return self.loop_until(task, id),
            // Ended by a resume, a timer or a kill, never by the walk.
            Flowable::Pause | Flowable::Exit => return Status::Pending,
            // Done when opened.
            Flowable::Labels | Flowable::SetVariables | Flowable::UnsetVariables => return Status::Success,
        };
        let parallel = kind == Flowable::Parallel;
        let limit = task.properties.get("concurrent").and_then(Value::as_u64).unwrap_or(0) as usize;
        self.list(branch.unwrap_or_default(), Some(id), None, parallel, limit)
    }

    /// ForEach: `tasks` in order once per value, at most `concurrencyLimit` values at a time
    /// (default 1; 0 is no limit). After a failed value no new value starts. The older
    /// EachParallel runs every task of every value at once instead, at most `concurrent` at a
    /// time (default 0, no limit).
    fn each(&mut self, task: &Task, id: &str) -> Status {
        let values: Vec<String> = match self.run(id).and_then(|r| r.outputs.get(VALUES)) {
            Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        };
        let every_task_at_once = task.type_name == EACH_PARALLEL;
        let (limit_name, default_limit) = if every_task_at_once {
            ("concurrent", 0)
        } else {
            ("concurrencyLimit", 1)
        };
        let limit = task
            .properties
            .get(limit_name)
            .and_then(Value::as_u64)
            .unwrap_or(default_limit) as usize;
        // What runs as one unit: all tasks of a value in order, or (EachParallel) each task.
        let mut groups: Vec<(&str, &[Task])> = Vec::new();
        for value in &values {
            if every_task_at_once {
                groups.extend(task.tasks.iter().map(|t| (value.as_str(), std::slice::from_ref(t))));
            } else if !task.tasks.is_empty() {
                groups.push((value.as_str(), task.tasks.as_slice()));
            }
        }
        let mut worst = Status::Success;
        let mut pending = 0;
        for (value, tasks) in groups {
            let started = self
                .index
                .contains_key(&self.child_id(&tasks[0].id, Some(id), Some(value)));
            if !started && (worst == Status::Failed || (limit > 0 && pending >= limit)) {
                if worst != Status::Failed {
                    pending += 1;
                }
                continue;
            }
            match self.list(tasks, Some(id), Some(value), false, 0) {
                Status::Pending => pending += 1,
                s => worst = worst.max(s),
            }
        }
        if pending > 0 { Status::Pending } else { worst }
    }

    /// A property rendered to text for `run` (a YAML `true` or `3` is its text).
    pub(super) fn render_text(&self, raw: &Value, run: &TaskRun, name: &str) -> Result<String, String> {
        let source = match raw {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let context = render_context(self.flow, self.exec, Some(run));
        self.engine
            .templates
            .render(&source, &context, &NoSecrets)
            .map_err(|e| format!("`{name}` of `{}` could not be rendered: {e}", run.task_id))
    }

    /// ForEach's `values`: a list, or a template or string that gives a JSON array. Each value
    /// is kept as text (objects as JSON), duplicates dropped, first one kept.
    fn values(&self, raw: &Value, run: &TaskRun) -> Result<Vec<Value>, String> {
        let context = render_context(self.flow, self.exec, Some(run));
        let render = |s: &str| {
            self.engine
                .templates
                .render_value(s, &context, &NoSecrets)
                .map_err(|e| format!("`values` of `{}` could not be rendered: {e}", run.task_id))
        };
        let items = match raw {
            Value::String(s) => match render(s)? {
                Value::String(text) => serde_json::from_str::<Value>(&text).map_err(|e| {
                    format!(
                        "`values` of `{}` must be a list or a JSON array, but it rendered to `{}`: {e}",
                        run.task_id,
                        shorten(&text)
                    )
                })?,
                other => other,
            },
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(match item {
                        Value::String(s) => {
                            Value::String(self.render_text(&Value::String(s.clone()), run, "values")?)
                        }
                        Value::Object(map) => Value::Object(self.render_map(map, run)?),
                        other => other.clone(),
                    });
                }
                Value::Array(out)
            }
            Value::Object(_) => {
                return Err(format!(
                    "`values` of `{}`: maps are not supported in values; write a list",
                    run.task_id
                ));
            }
            _ => return Err(format!("`values` of `{}` must be a list or a JSON array", run.task_id)),
        };
        let Value::Array(items) = items else {
            return Err(format!(
                "`values` of `{}` must give a JSON array, not `{}`",
                run.task_id,
                shorten(&items.to_string())
            ));
        };
        let mut seen = std::collections::HashSet::new();
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            let text = match item {
                Value::Null => return Err(format!("`values` of `{}` holds a null value; remove it", run.task_id)),
                Value::String(s) => s,
                other => other.to_string(),
            };
            if seen.insert(text.clone()) {
                values.push(Value::String(text));
            }
        }
        Ok(values)
    }

    /// Every string inside a map of `values`, rendered.
    fn render_map(&self, map: &Map<String, Value>, run: &TaskRun) -> Result<Map<String, Value>, String> {
        let mut out = Map::new();
        for (k, v) in map {
            let v = match v {
                Value::String(s) => Value::String(self.render_text(&Value::String(s.clone()), run, "values")?),
                Value::Object(m) => Value::Object(self.render_map(m, run)?),
                other => other.clone(),
            };
            out.insert(k.clone(), v);
        }
        Ok(out)
    }
}

/// At most 200 characters of `text`, for error messages.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

impl Pass<'_> {
    /// A paused task run whose `pauseDuration` passed ends as its `behavior` says (Kestra:
    /// RESUME, the default, succeeds; WARN warns; FAIL fails; CANCEL cancels).
    pub(super) fn pause_elapsed(&mut self, id: &str) {
        let Some(task) = self
            .exec
            .task_run(id)
            .and_then(|r| crate::task_by_id(self.flow, &r.task_id))
        else {
            return;
        };
        let state = match task.properties.get("behavior").and_then(Value::as_str) {
            Some("WARN") => State::Warning,
            Some("FAIL") => State::Failed,
            Some("CANCEL") => State::Cancelled,
            _ => State::Success,
        };
        let now = self.now;
        if let Some(run) = self.exec.task_run_mut(id).filter(|r| r.state.current == State::Paused) {
            run.state.set(state, now);
        }
    }

    /// Every paused task run succeeds, keeping what the user gave as `onResume`.
    pub(super) fn resume(&mut self, inputs: Map<String, Value>) {
        let now = self.now;
        for run in &mut self.exec.task_run_list {
            if run.state.current == State::Paused && run.attempts.is_empty() {
                run.state.set(State::Running, now);
                run.state.set(State::Success, now);
                run.outputs.insert("onResume".into(), Value::Object(inputs.clone()));
            }
        }
    }
}
