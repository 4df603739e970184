//! `io.kestra.plugin.core.storage.Write`: writes `content` to a new stored file; the output
//! `uri` is its `kestra://` address.
//!
//! Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.write>

use super::{extension, invalid, scratch, stored_one};
use crate::catalog::TaskType;
use crate::props::StoredIds;
use crate::{Call, Plan, PlanContext, TaskError};
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The Write task.
pub static WRITE: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.storage.Write",
        &["core.storage.Write", "storage.Write"],
        &[
            req("content", Kind::String, "The file's content."),
            opt(
                "extension",
                Kind::String,
                "The file's extension, such as `.txt` (default `.ion`).",
            ),
        ],
        "Writes content to a file in internal storage.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let content =
        crate::props::text(task, cx, "content")?.ok_or_else(|| invalid(task, "`content` is missing".into()))?;
    let name = format!("{}{}", task.id, extension(task, cx, ".ion")?);
    let uri = StoredIds::of(cx).uri(&name);
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let written = async {
            let path = scratch(&call, &name).await?;
            tokio::fs::write(&path, content.as_bytes())
                .await
                .map_err(|e| format!("cannot write the file: {e}"))?;
            Ok::<_, String>(path)
        };
        let mut done = stored_one(written.await, uri);
        if done.failure.is_none() {
            done.outputs.insert("size".into(), json!(content.len()));
        }
        done
    }))))
}
