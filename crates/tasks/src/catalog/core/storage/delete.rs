//! `io.kestra.plugin.core.storage.Delete`: deletes a stored file of the execution's namespace;
//! outputs `uri` and `deleted`, and fails on a missing file when `errorOnMissing` is true.
//!
//! Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.delete>

use super::{address, invalid};
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The Delete task.
pub static DELETE: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.storage.Delete",
        &["core.storage.Delete", "storage.Delete"],
        &[
            req("uri", Kind::String, "The file's kestra:// address."),
            opt(
                "errorOnMissing",
                Kind::Bool,
                "Fail when there is no such file (default false).",
            ),
        ],
        "Deletes a file from internal storage.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let uri = address(task, cx, "uri")?;
    let namespace = cx
        .variables
        .pointer("/flow/namespace")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let own = format!("{}/{}/", sluice_flow::storage::SCHEME, namespace.replace('.', "/"));
    if !uri.starts_with(&own) {
        return Err(invalid(
            task,
            format!(
                "`{uri}` belongs to another namespace than `{namespace}`; a flow deletes only its own namespace's files"
            ),
        ));
    }
    let error_on_missing = crate::props::flag(task, "errorOnMissing", false);
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        match call.storage.0.delete_file(&uri).await {
            Ok(false) if error_on_missing => {
                Finished::failed(format!("there is no file {uri}, and `errorOnMissing` is true"))
            }
            Ok(deleted) => {
                let mut done = Finished::default();
                done.outputs.insert("uri".into(), json!(uri));
                done.outputs.insert("deleted".into(), json!(deleted));
                done
            }
            Err(e) => Finished::failed(format!("cannot delete {uri}: {e}")),
        }
    }))))
}
