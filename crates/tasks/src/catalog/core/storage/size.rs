//! `io.kestra.plugin.core.storage.Size`: the size in bytes of a stored file (output `size`).
//!
//! Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.size>

use super::{address, local};
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The Size task.
pub static SIZE: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.storage.Size",
        &["core.storage.Size", "storage.Size"],
        &[req("uri", Kind::String, "The file's kestra:// address.")],
        "Gives the size of a file in internal storage.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let uri = address(task, cx, "uri")?;
    let timeout = crate::props::timeout(task, cx)?;
    let read = uri.clone();
    let mut call = Call::new(timeout, move |call| async move {
        let size = match local(&call, &uri) {
            Ok(path) => tokio::fs::metadata(&path)
                .await
                .map(|m| m.len())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match size {
            Ok(size) => {
                let mut done = Finished::default();
                done.outputs.insert("size".into(), json!(size));
                done
            }
            Err(reason) => Finished::failed(format!("cannot size {uri}: {reason}")),
        }
    });
    call.reads = vec![read];
    Ok(Plan::Call(Box::new(call)))
}
