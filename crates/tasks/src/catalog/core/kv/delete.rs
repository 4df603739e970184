//! `io.kestra.plugin.core.kv.Delete`: deletes a KV pair; the output `deleted` says whether a
//! live one was there, and `errorOnMissing` fails the task when none was.
//!
//! Kestra: <https://kestra.io/plugins/core/kv/io.kestra.plugin.core.kv.delete>

use super::{NAMESPACE, key, namespace};
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use jiff::Timestamp;
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The Delete task.
pub static DELETE: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.kv.Delete",
        &["core.kv.Delete", "kv.Delete"],
        &[
            req("key", Kind::String, "The key to delete."),
            NAMESPACE,
            opt(
                "errorOnMissing",
                Kind::Bool,
                "Fail when there is no such pair (default false).",
            ),
        ],
        "Deletes a key-value pair of a namespace.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let namespace = namespace(task, cx)?;
    let key = key(task, cx)?;
    let error_on_missing = crate::props::flag(task, "errorOnMissing", false);
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let deleted = match call.kv.0.kv_delete(&namespace, &key, Timestamp::now()).await {
            Ok(deleted) => deleted,
            Err(e) => return Finished::failed(e.to_string()),
        };
        if !deleted && error_on_missing {
            return Finished::failed(format!(
                "no value for key `{key}` in namespace `{namespace}`, and `errorOnMissing` is true"
            ));
        }
        let mut done = Finished::default();
        done.outputs.insert("deleted".into(), Value::Bool(deleted));
        done
    }))))
}
