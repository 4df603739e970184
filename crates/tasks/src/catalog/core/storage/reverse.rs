//! `io.kestra.plugin.core.storage.Reverse`: a new stored file with the records of `from`
//! (separated by `separator`, a line by default) in reverse order; output `uri`.
//!
//! Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.reverse>

use super::{address, extension, local, scratch, stored_one};
use crate::catalog::TaskType;
use crate::props::StoredIds;
use crate::{Call, Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The Reverse task.
pub static REVERSE: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.storage.Reverse",
        &["core.storage.Reverse", "storage.Reverse"],
        &[
            req("from", Kind::String, "The file's kestra:// address."),
            opt("separator", Kind::String, "What ends a record (default a newline)."),
            opt("extension", Kind::String, "The new file's extension (default `.tmp`)."),
            opt(
                "charset",
                Kind::String,
                "The file's character set (UTF-8; others are read as bytes).",
            ),
        ],
        "Reverses the order of the records of a file of internal storage.",
    ),
    plan: Some(plan),
};

/// The records of `content` in reverse order, each still ended by `separator`.
pub(super) fn reversed(content: &[u8], separator: &[u8]) -> Vec<u8> {
    let mut records = super::split::records(content, separator);
    records.reverse();
    let mut out = Vec::with_capacity(content.len() + separator.len());
    for record in records {
        out.extend_from_slice(record);
        if !record.ends_with(separator) {
            out.extend_from_slice(separator);
        }
    }
    out
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let from = address(task, cx, "from")?;
    let separator = crate::props::text(task, cx, "separator")?.unwrap_or_else(|| "\n".into());
    let name = format!("{}{}", task.id, extension(task, cx, ".tmp")?);
    let uri = StoredIds::of(cx).uri(&name);
    let timeout = crate::props::timeout(task, cx)?;
    let reads = vec![from.clone()];
    let mut call = Call::new(timeout, move |call| async move {
        let made = async {
            let content = tokio::fs::read(local(&call, &from)?)
                .await
                .map_err(|e| format!("cannot read {from}: {e}"))?;
            let path = scratch(&call, &name).await?;
            tokio::fs::write(&path, reversed(&content, separator.as_bytes()))
                .await
                .map_err(|e| format!("cannot write the reversed file: {e}"))?;
            Ok::<_, String>(path)
        };
        stored_one(made.await, uri)
    });
    call.reads = reads;
    Ok(Plan::Call(Box::new(call)))
}
