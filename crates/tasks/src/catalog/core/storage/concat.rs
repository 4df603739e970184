//! `io.kestra.plugin.core.storage.Concat`: one new stored file made of `files` in order, with
//! `separator` between them; the output `uri` is its address.
//!
//! Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.concat>

use super::{extension, invalid, local, scratch, stored_one};
use crate::catalog::TaskType;
use crate::props::StoredIds;
use crate::{Call, Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};
use tokio::io::AsyncWriteExt;

/// The Concat task.
pub static CONCAT: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.storage.Concat",
        &["core.storage.Concat", "storage.Concat"],
        &[
            req(
                "files",
                Kind::Any,
                "The files' kestra:// addresses: a list, or a template rendering to a JSON list.",
            ),
            opt(
                "separator",
                Kind::String,
                "Text written between two files (none by default).",
            ),
            opt("extension", Kind::String, "The new file's extension (default `.tmp`)."),
        ],
        "Concatenates files of internal storage into one.",
    ),
    plan: Some(plan),
};

/// The addresses in `files`.
fn files(task: &Task, cx: &PlanContext<'_>) -> Result<Vec<String>, TaskError> {
    let list = match task.properties.get("files") {
        Some(Value::String(s)) => {
            let text = cx.renderer.string(&task.id, "files", s, cx.variables)?;
            match serde_json::from_str::<Vec<String>>(&text) {
                Ok(list) => list,
                Err(_) => vec![text],
            }
        }
        Some(Value::Array(_)) => crate::props::strings(task, cx, "files")?,
        _ => return Err(invalid(task, "`files` must be a list of kestra:// addresses".into())),
    };
    let list: Vec<String> = list.into_iter().map(|u| u.trim().to_string()).collect();
    if let Some(bad) = list.iter().find(|u| !sluice_flow::storage::is_storage_uri(u)) {
        return Err(invalid(
            task,
            format!("`files` holds `{bad}`, which is no kestra:// address"),
        ));
    }
    if list.is_empty() {
        return Err(invalid(task, "`files` is empty: give the files to concatenate".into()));
    }
    Ok(list)
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let sources = files(task, cx)?;
    let separator = crate::props::text(task, cx, "separator")?.unwrap_or_default();
    let name = format!("{}{}", task.id, extension(task, cx, ".tmp")?);
    let uri = StoredIds::of(cx).uri(&name);
    let timeout = crate::props::timeout(task, cx)?;
    let reads = sources.clone();
    let mut call = Call::new(timeout, move |call| async move {
        let joined = async {
            let path = scratch(&call, &name).await?;
            let fail = |e: std::io::Error| format!("cannot write the joined file: {e}");
            let mut out = tokio::fs::File::create(&path).await.map_err(fail)?;
            for (i, source) in sources.iter().enumerate() {
                if i > 0 {
                    out.write_all(separator.as_bytes()).await.map_err(fail)?;
                }
                let mut input = tokio::fs::File::open(local(&call, source)?)
                    .await
                    .map_err(|e| format!("cannot read {source}: {e}"))?;
                tokio::io::copy(&mut input, &mut out).await.map_err(fail)?;
            }
            out.flush().await.map_err(fail)?;
            Ok::<_, String>(path)
        };
        stored_one(joined.await, uri)
    });
    call.reads = reads;
    Ok(Plan::Call(Box::new(call)))
}
