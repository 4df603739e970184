//! `io.kestra.plugin.core.kv.GetKeys`: the live keys of a namespace, those starting with
//! `prefix` when it is set, as the output `keys`.
//!
//! Kestra: <https://kestra.io/plugins/core/kv/io.kestra.plugin.core.kv.getkeys>

use super::{NAMESPACE, namespace};
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use jiff::Timestamp;
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The GetKeys task.
pub static GET_KEYS: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.kv.GetKeys",
        &["core.kv.GetKeys", "kv.GetKeys"],
        &[opt("prefix", Kind::String, "Only keys that start with it."), NAMESPACE],
        "Lists the keys of a namespace's key-value pairs.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let namespace = namespace(task, cx)?;
    let prefix = crate::props::text(task, cx, "prefix")?.unwrap_or_default();
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let entries = match call.kv.0.kv_list(Some(&namespace), Some(Timestamp::now())).await {
            Ok(entries) => entries,
            Err(e) => return Finished::failed(e.to_string()),
        };
        let keys: Vec<Value> = entries
            .into_iter()
            .filter(|e| e.key.starts_with(&prefix))
            .map(|e| Value::String(e.key))
            .collect();
        let mut done = Finished::default();
        done.outputs.insert("keys".into(), Value::Array(keys));
        done
    }))))
}
