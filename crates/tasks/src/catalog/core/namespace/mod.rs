//! Kestra's `core.namespace` tasks: UploadFiles, DownloadFiles and DeleteFiles, over the store's
//! [`crate::namespace_files::NamespaceFileStore`] that the worker hands each call. Their file
//! patterns are Kestra's ([`PathPatterns`]); inside a WorkingDirectory they read and write its
//! shared folder.
//!
//! Kestra: <https://kestra.io/docs/concepts/namespace-files>

pub mod delete_files;
pub mod download_files;
pub mod upload_files;

use crate::{PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::namespace_files::PathPatterns;
use sluice_flow::schema::{Kind, Prop, req};

/// `namespace`: the namespace whose files the task works on.
const NAMESPACE: Prop = req(
    "namespace",
    Kind::String,
    "The namespace whose files the task works on.",
);

/// The rendered `namespace`.
fn namespace(task: &Task, cx: &PlanContext<'_>) -> Result<String, TaskError> {
    crate::props::text(task, cx, "namespace")?
        .filter(|ns| !ns.trim().is_empty())
        .ok_or_else(|| {
            invalid(
                task,
                "`namespace` is missing; name the namespace, such as `company.team`".into(),
            )
        })
}

/// `files` as patterns: one string or a list of them (each rendered).
fn patterns(task: &Task, cx: &PlanContext<'_>) -> Result<PathPatterns, TaskError> {
    let list = match task.properties.get("files") {
        Some(Value::String(s)) => vec![cx.renderer.string(&task.id, "files", s, cx.variables)?],
        Some(Value::Array(_)) => crate::props::strings(task, cx, "files")?,
        _ => {
            return Err(invalid(
                task,
                "`files` must be a pattern or a list of patterns, such as `[\"**.sql\"]`".into(),
            ));
        }
    };
    PathPatterns::new(&list).map_err(|m| invalid(task, format!("`files`: {m}")))
}

fn invalid(task: &Task, message: String) -> TaskError {
    TaskError::Invalid {
        task: task.id.clone(),
        message,
    }
}
