//! The typed flow: what the engine and the runners read once validation has passed.
//!
//! Properties common to every task are typed here; each type's own properties stay as JSON
//! (already checked against the type's schema and with plugin defaults applied), for the
//! `tasks` part to turn into a job.

use crate::diagnostic::Pos;
use serde::Serialize;
use std::time::Duration;

mod input;

pub use input::{DependsOn, Input, InputConstraints, InputType};

/// A validated flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    /// Flow id, unique in its namespace.
    pub id: String,
    /// Dotted namespace, like `company.team`.
    pub namespace: String,
    /// What the flow does.
    pub description: Option<String>,
    /// Labels, in source order.
    pub labels: Vec<(String, String)>,
    /// Declared inputs.
    pub inputs: Vec<Input>,
    /// Values templates read as `{{ vars.x }}`.
    pub variables: serde_json::Map<String, serde_json::Value>,
    /// The main tasks.
    pub tasks: Vec<Task>,
    /// Tasks run when a main task fails.
    pub errors: Vec<Task>,
    /// Tasks run at the end, whatever happened.
    pub finally: Vec<Task>,
    /// Tasks run once the execution's final state is known (`{{ execution.state }}`); how they
    /// end does not change it.
    pub after_execution: Vec<Task>,
    /// Triggers that start executions.
    pub triggers: Vec<Trigger>,
    /// Limit of executions running at once.
    pub concurrency: Option<Concurrency>,
    /// Flow-level retry of a failed execution.
    pub retry: Option<Retry>,
    /// Flow outputs: id to template.
    pub outputs: Vec<(String, serde_json::Value)>,
    /// A disabled flow is kept but never started.
    pub disabled: bool,
}

/// A task of any type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Task id, unique in the flow.
    pub id: String,
    /// Kestra's full type name, whatever alias the flow used.
    #[serde(rename = "type")]
    pub type_name: String,
    /// What the task does.
    pub description: Option<String>,
    /// How failed attempts are retried.
    pub retry: Option<Retry>,
    /// Longest an attempt may run.
    pub timeout: Option<Duration>,
    /// A `timeout` written as a template (`"{{ inputs.limit }}"`), rendered to a duration when
    /// the attempt is planned (Kestra's dynamic `timeout`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_template: Option<String>,
    /// Skip the task.
    pub disabled: bool,
    /// A failure becomes a warning.
    pub allow_failure: bool,
    /// A warning becomes a success.
    pub allow_warning: bool,
    /// Template that must render to true for the task to run.
    pub run_if: Option<String>,
    /// Lowest log level kept.
    pub log_level: Option<String>,
    /// How the engine walks this task's children; `None` for a task a worker runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flowable: Option<Flowable>,
    /// The main children of a flowable task (Sequential's, Parallel's, ForEach's `tasks`), in order.
    pub tasks: Vec<Task>,
    /// A flowable task's other lists of children, by property: `then` and `else` of If,
    /// `cases.<value>` and `defaults` of Switch, a flowable's own `errors` and `finally`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    /// The ids of the tasks of its Dag that must end well before it starts (a Dag entry's
    /// `dependsOn`); empty elsewhere.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// The type's own properties, as JSON, with plugin defaults applied.
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Where the task starts in the source.
    #[serde(skip)]
    pub pos: Pos,
}

/// How the engine walks a flowable task's children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Flowable {
    /// `tasks` one after the other.
    Sequential,
    /// `tasks` at once, at most `concurrent` at a time.
    Parallel,
    /// `then` when `condition` renders true, else `else`.
    If,
    /// The `cases` list whose key equals the rendered `value`, else `defaults`.
    Switch,
    /// `tasks` once per value of `values`, at most `concurrencyLimit` values at a time.
    ForEach,
    /// No children: the engine holds the task PAUSED until a user resumes it or its
    /// `pauseDuration` passes.
    Pause,
    /// `tasks` (Dag entries) each once the tasks it `dependsOn` ended well, at most
    /// `concurrent` at a time.
    Dag,
    /// `tasks` again and again, `checkFrequency.interval` apart, until `condition` renders true.
    LoopUntil,
    /// `tasks` one after the other; a failure among them makes it WARNING.
    AllowFailure,
    /// No children: ends the execution at once in its `state`.
    Exit,
    /// `tasks` one after the other, sharing one working directory (its files carried from
    /// one task to the next by the worker).
    WorkingDirectory,
    /// No children: adds or replaces labels of the execution, at once.
    Labels,
    /// No children: merges `variables` into the execution's `vars`, at once.
    SetVariables,
    /// No children: removes names from the execution's `vars`, at once.
    UnsetVariables,
}

impl Flowable {
    /// True for the kinds that hold other tasks (Kestra's flowable tasks); false for the ones
    /// the engine does at once with no children (Pause, Exit, Labels, SetVariables…).
    pub fn holds_tasks(self) -> bool {
        !matches!(
            self,
            Flowable::Pause | Flowable::Exit | Flowable::Labels | Flowable::SetVariables | Flowable::UnsetVariables
        )
    }
}

/// One named list of a flowable task's children.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Branch {
    /// The property it came from: `then`, `else`, `cases.<value>`, `defaults`, `errors`, `finally`.
    pub key: String,
    /// Its tasks, in order.
    pub tasks: Vec<Task>,
}

impl Task {
    /// The branch written under `key`, if any.
    pub fn branch(&self, key: &str) -> Option<&[Task]> {
        self.branches.iter().find(|b| b.key == key).map(|b| b.tasks.as_slice())
    }

    /// Every child list: `tasks` first, then the branches in source order.
    pub fn child_lists(&self) -> impl Iterator<Item = &[Task]> {
        std::iter::once(self.tasks.as_slice()).chain(self.branches.iter().map(|b| b.tasks.as_slice()))
    }
}

/// A trigger that starts executions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    /// Trigger id, unique in the flow.
    pub id: String,
    /// Kestra's full type name.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Do not fire.
    pub disabled: bool,
    /// The type's own properties, as JSON.
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Conditions that must all hold for it to fire.
    pub conditions: Vec<Condition>,
}

/// A trigger condition (`io.kestra.plugin.core.condition.*`), its type resolved to the full name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Kestra's full type name.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The type's own properties, as JSON (nested `conditions` excluded).
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// The conditions of `Not` and `Or`, and the named ones of `MultipleCondition`.
    pub conditions: Vec<Condition>,
}

/// How many executions of the flow may run at once, and what happens past that.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concurrency {
    /// Most executions running at once.
    pub limit: u32,
    /// What a new execution does when the limit is reached.
    pub behavior: ConcurrencyBehavior,
}

/// What a new execution does when the concurrency limit is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ConcurrencyBehavior {
    /// Wait its turn.
    Queue,
    /// End CANCELLED at once.
    Cancel,
    /// End FAILED at once.
    Fail,
}

/// A retry policy, with Kestra's meaning of each field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Retry {
    /// How the delay between attempts is computed.
    pub kind: RetryKind,
    /// Delay before the next attempt (constant; first delay of exponential).
    pub interval: Option<Duration>,
    /// Upper bound of the delay (exponential, random).
    pub max_interval: Option<Duration>,
    /// Lower bound of the delay (random).
    pub min_interval: Option<Duration>,
    /// Growth factor of exponential delays (default 2).
    pub delay_factor: Option<f64>,
    /// Most attempts in all, the first included (`maxAttempts` or the older `maxAttempt`).
    pub max_attempts: Option<u32>,
    /// No new attempt starts after this long since the first one.
    pub max_duration: Option<Duration>,
    /// Success after a retry ends as WARNING.
    pub warning_on_retry: bool,
    /// Retry the task itself, or create a new execution.
    pub behavior: RetryBehavior,
}

/// How retry delays are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RetryKind {
    /// Always `interval`.
    Constant,
    /// `interval * delayFactor^(n-1)`, capped by `maxInterval`.
    Exponential,
    /// Uniform between `minInterval` and `maxInterval`.
    Random,
}

/// What a retry retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RetryBehavior {
    /// A new attempt of the failed task run.
    RetryFailedTask,
    /// A new execution of the flow.
    CreateNewExecution,
}

impl Flow {
    /// Every task of the flow, depth first: main tasks, then errors, finally and afterExecution.
    pub fn all_tasks(&self) -> Vec<&Task> {
        fn walk<'a>(tasks: &'a [Task], out: &mut Vec<&'a Task>) {
            for t in tasks {
                out.push(t);
                for list in t.child_lists() {
                    walk(list, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.tasks, &mut out);
        walk(&self.errors, &mut out);
        walk(&self.finally, &mut out);
        walk(&self.after_execution, &mut out);
        out
    }
}
