//! `io.kestra.plugin.core.execution.Resume`: resumes a PAUSED execution (this one unless
//! `executionId` says another), its paused Pause tasks succeeding with `inputs` as their
//! `onResume` output. Another execution must belong to this flow unless `namespace` and
//! `flowId` name its own, as in Kestra.
//!
//! Kestra: <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.Resume>

use crate::catalog::TaskType;
use crate::{Call, CallContext, Finished, Plan, PlanContext, TaskError};
use serde_json::{Map, Value};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The Resume task.
pub static RESUME: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.execution.Resume",
        &["core.execution.Resume", "execution.Resume"],
        &[
            opt(
                "executionId",
                Kind::String,
                "The execution to resume (default: this one).",
            ),
            opt(
                "namespace",
                Kind::String,
                "The namespace of that execution, when it is not of this flow.",
            ),
            opt(
                "flowId",
                Kind::String,
                "The flow of that execution, when it is not this flow.",
            ),
            opt(
                "inputs",
                Kind::Map,
                "Values the resumed Pause tasks keep as `onResume`; rendered.",
            ),
        ],
        "Resumes a paused execution.",
    ),
    plan: Some(plan),
};

/// The execution a Resume or a log.Fetch works on, and the flow it must belong to.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// Its id.
    pub id: String,
    namespace: String,
    flow_id: String,
}

impl Target {
    /// `executionId`, `namespace` and `flowId` of `task`, rendered; this execution and flow by
    /// default.
    pub(crate) fn of(task: &Task, cx: &PlanContext<'_>) -> Result<Self, TaskError> {
        let here = |a: &str, b: &str| cx.variables[a][b].as_str().unwrap_or_default().to_string();
        let text = |key: &str| crate::props::text(task, cx, key).map(|v| v.filter(|s| !s.trim().is_empty()));
        Ok(Target {
            id: text("executionId")?.unwrap_or_else(|| here("execution", "id")),
            namespace: text("namespace")?.unwrap_or_else(|| here("flow", "namespace")),
            flow_id: text("flowId")?.unwrap_or_else(|| here("flow", "id")),
        })
    }

    /// The execution, once it is known to exist in the expected flow; its state.
    pub(crate) async fn check(&self, call: &CallContext) -> Result<String, String> {
        let found = call.executions.0.find(&self.id).await.map_err(|e| e.to_string())?;
        match found {
            None => Err(format!("there is no execution `{}`", self.id)),
            Some(e) if e.namespace != self.namespace || e.flow_id != self.flow_id => Err(format!(
                "execution `{}` belongs to the flow {}.{}, not {}.{}; set `namespace` and `flowId` to its flow",
                self.id, e.namespace, e.flow_id, self.namespace, self.flow_id
            )),
            Some(e) => Ok(e.state),
        }
    }
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let target = Target::of(task, cx)?;
    let inputs = match task.properties.get("inputs") {
        Some(raw) => match cx.renderer.value(&task.id, "inputs", raw, cx.variables)? {
            Value::Object(map) => map,
            _ => Map::new(),
        },
        None => Map::new(),
    };
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let resumed = async {
            let state = target.check(&call).await?;
            if state != "PAUSED" {
                return Err(format!(
                    "execution `{}` is {state}; only a PAUSED execution can be resumed",
                    target.id
                ));
            }
            call.executions
                .0
                .resume(&target.id, inputs)
                .await
                .map_err(|e| e.to_string())
        };
        match resumed.await {
            Ok(()) => Finished {
                logs: vec![("INFO".into(), format!("resumed execution {}", target.id))],
                ..Finished::default()
            },
            Err(reason) => Finished::failed(reason),
        }
    }))))
}
