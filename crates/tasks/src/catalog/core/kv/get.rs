//! `io.kestra.plugin.core.kv.Get`: reads a KV pair into the output `value`, with the type it
//! was stored with; a missing (or expired) pair gives null, or fails with `errorOnMissing`.
//!
//! Kestra: <https://kestra.io/plugins/core/kv/io.kestra.plugin.core.kv.get>

use super::{NAMESPACE, key, namespace};
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use jiff::Timestamp;
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The Get task.
pub static GET: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.kv.Get",
        &["core.kv.Get", "kv.Get"],
        &[
            req("key", Kind::String, "The key to read."),
            NAMESPACE,
            opt(
                "errorOnMissing",
                Kind::Bool,
                "Fail when there is no such pair (default false: the value is null).",
            ),
        ],
        "Reads a key-value pair of a namespace.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let namespace = namespace(task, cx)?;
    let key = key(task, cx)?;
    let error_on_missing = crate::props::flag(task, "errorOnMissing", false);
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let value = match call.kv.0.kv_get(&namespace, &key, Timestamp::now()).await {
            Ok(Some(entry)) => entry.value,
            Ok(None) if error_on_missing => {
                return Finished::failed(format!(
                    "no value for key `{key}` in namespace `{namespace}`, and `errorOnMissing` is true"
                ));
            }
            Ok(None) => Value::Null,
            Err(e) => return Finished::failed(e.to_string()),
        };
        let mut done = Finished::default();
        done.outputs.insert("value".into(), value);
        done
    }))))
}
