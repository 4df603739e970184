//! `io.kestra.plugin.core.flow.Subflow`: starts an execution of another flow with these inputs
//! and labels and, with `wait` (the default), ends as it ends, with its `executionId`, `state`
//! and `outputs` as outputs; `transmitFailed: false` keeps a failed child from failing this task.
//!
//! The worker creates the child under an id derived from this task run and attempt, so a worker
//! that restarts finds the child it started instead of starting another; while it waits it holds
//! no slot.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.subflow>

use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use serde_json::{Map, Value};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, TypeSpec, deprecated, no_effect, opt, req};

/// What a worker needs to call a subflow.
#[derive(Debug)]
pub struct SubflowCall {
    /// The child flow's namespace.
    pub namespace: String,
    /// The child flow's id.
    pub flow_id: String,
    /// A fixed revision; the latest when `None`.
    pub revision: Option<u32>,
    /// Inputs, rendered (a lone expression keeps its type).
    pub inputs: Map<String, Value>,
    /// Labels given here, rendered.
    pub labels: Vec<(String, String)>,
    /// Wait for the child to end.
    pub wait: bool,
    /// A failed or killed child fails this task (with `wait`).
    pub transmit_failed: bool,
    /// The child also gets this execution's labels.
    pub inherit_labels: bool,
    /// For ForEachItem: the file whose batches each get one child; `None` for one Subflow.
    pub items: Option<Items>,
}

/// ForEachItem's items: one child per batch of lines of a stored file.
#[derive(Debug)]
pub struct Items {
    /// The file's `kestra://` address.
    pub uri: String,
    /// How its lines are cut.
    pub batch: Batch,
    /// What ends a line.
    pub separator: String,
    /// The children's inputs as written: rendered per batch, with `taskrun.items` and
    /// `taskrun.iteration` set.
    pub raw_inputs: Map<String, Value>,
}

/// How ForEachItem cuts lines into batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    /// This many lines each.
    Rows(u64),
    /// Whole lines, at most this many bytes each (a longer line is a batch of its own).
    Bytes(u64),
    /// This many batches of about equal lines.
    Partitions(u64),
}

/// `labels` of a Subflow or ForEachItem.
pub(crate) const LABELS: Prop = opt(
    "labels",
    Kind::Any,
    "Labels of the child executions: a mapping, or a list of `key`/`value`.",
);

/// `transmitFailed` of a Subflow or ForEachItem.
pub(crate) const TRANSMIT_FAILED: Prop = opt(
    "transmitFailed",
    Kind::Bool,
    "A failed or killed child fails this task (default true; needs `wait`).",
);

/// `inheritLabels` of a Subflow or ForEachItem.
pub(crate) const INHERIT_LABELS: Prop = opt(
    "inheritLabels",
    Kind::Bool,
    "The child executions also get this execution's labels (default false).",
);

/// `revision` of a Subflow or ForEachItem.
pub(crate) const REVISION: Prop = opt(
    "revision",
    Kind::Int,
    "Run this revision of the flow instead of the latest.",
);

/// `restartBehavior` of a Subflow or ForEachItem (accepted, with no effect).
pub(crate) const RESTART_BEHAVIOR: Prop = no_effect(
    "restartBehavior",
    Kind::Enum(&["RETRY_FAILED", "NEW_EXECUTION"]),
    "What a restart of this execution does to the child executions.",
    "a restart starts new child executions",
);

/// `scheduleDate` of a Subflow or ForEachItem (accepted, with no effect).
pub(crate) const SCHEDULE_DATE: Prop = no_effect(
    "scheduleDate",
    Kind::String,
    "When the child executions should start.",
    "they start at once",
);

/// The Subflow task.
pub static SUBFLOW: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.Subflow",
        &[
            "io.kestra.core.tasks.flows.Subflow",
            "io.kestra.core.tasks.flows.Flow",
            "core.flow.Subflow",
            "flow.Subflow",
            "Subflow",
        ],
        &[
            req("namespace", Kind::String, "Namespace of the flow to run."),
            req("flowId", Kind::String, "Id of the flow to run."),
            opt(
                "inputs",
                Kind::Map,
                "Inputs of the child execution; templates are rendered.",
            ),
            LABELS,
            opt("wait", Kind::Bool, "Wait for the child to end (default true)."),
            TRANSMIT_FAILED,
            INHERIT_LABELS,
            REVISION,
            RESTART_BEHAVIOR,
            SCHEDULE_DATE,
            deprecated(
                "outputs",
                Kind::Map,
                "Values picked from the child's outputs.",
                "read the child's flow outputs as `outputs.<task>.outputs`",
            ),
        ],
        "Runs another flow, and by default waits for it.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    Ok(Plan::Subflow(Box::new(call(task, cx, true)?)))
}

/// The call a Subflow or ForEachItem `task` makes, its `inputs` rendered when `render_inputs`.
pub(crate) fn call(task: &Task, cx: &PlanContext<'_>, render_inputs: bool) -> Result<SubflowCall, TaskError> {
    let text = |name: &str| crate::props::text(task, cx, name).map(Option::unwrap_or_default);
    let inputs = match task.properties.get("inputs") {
        Some(v @ Value::Object(_)) if render_inputs => match cx.renderer.value(&task.id, "inputs", v, cx.variables)? {
            Value::Object(map) => map,
            _ => Map::new(),
        },
        _ => Map::new(),
    };
    let mut labels = Vec::new();
    let pairs: Vec<(String, Value)> = match task.properties.get("labels") {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| Some((i.get("key")?.as_str()?.to_string(), i.get("value")?.clone())))
            .collect(),
        _ => Vec::new(),
    };
    for (key, value) in pairs {
        let raw = value.as_str().map_or_else(|| value.to_string(), str::to_string);
        labels.push((
            key.clone(),
            cx.renderer
                .string(&task.id, &format!("labels.{key}"), &raw, cx.variables)?,
        ));
    }
    let flag = |name: &str, default: bool| crate::props::flag(task, name, default);
    let revision = match task.properties.get("revision") {
        Some(v) => Some(
            v.as_u64()
                .and_then(|r| u32::try_from(r).ok())
                .filter(|r| *r >= 1)
                .ok_or_else(|| TaskError::Invalid {
                    task: task.id.clone(),
                    message: format!("`revision` must be a revision number (1 or more), not {v}"),
                })?,
        ),
        None => None,
    };
    Ok(SubflowCall {
        namespace: text("namespace")?,
        flow_id: text("flowId")?,
        revision,
        inputs,
        labels,
        wait: flag("wait", true),
        transmit_failed: flag("transmitFailed", true),
        inherit_labels: flag("inheritLabels", false),
        items: None,
    })
}
