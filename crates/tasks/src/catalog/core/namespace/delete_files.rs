//! `io.kestra.plugin.core.namespace.DeleteFiles`: deletes the namespace files matching `files`.
//! Folders are no stored things in Sluice (a folder is the files under it), so
//! `deleteParentFolder` has nothing left to delete and is accepted for compatibility.
//!
//! Kestra: <https://kestra.io/plugins/core/namespace/io.kestra.plugin.core.namespace.deletefiles>

use super::{NAMESPACE, namespace, patterns};
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The DeleteFiles task.
pub static DELETE_FILES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.namespace.DeleteFiles",
        &["core.namespace.DeleteFiles", "namespace.DeleteFiles"],
        &[
            NAMESPACE,
            req(
                "files",
                Kind::Any,
                "A pattern or a list of patterns (`**.sql`, `/scripts/**`, `regex:…`) of the files to delete.",
            ),
            opt(
                "deleteParentFolder",
                Kind::Bool,
                "Also delete folders left empty (always so: a folder exists only through its files).",
            ),
        ],
        "Deletes namespace files.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let namespace = namespace(task, cx)?;
    let patterns = patterns(task, cx)?;
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let store = call.namespace_files.0;
        let listed = match store.namespace_files(&namespace).await {
            Ok(listed) => listed,
            Err(e) => return Finished::failed(format!("the files of `{namespace}` could not be listed: {e}")),
        };
        let mut done = Finished::default();
        let mut deleted = Vec::new();
        for file in listed.iter().filter(|f| patterns.matches(&f.path)) {
            match store.delete_namespace_files(&namespace, &file.path).await {
                Ok(0) => {}
                Ok(_) => deleted.push(format!("/{}", file.path)),
                Err(e) => return Finished::failed(format!("`/{}` could not be deleted: {e}", file.path)),
            }
        }
        done.logs.push((
            "INFO".into(),
            format!("deleted {} file(s) of namespace `{namespace}`", deleted.len()),
        ));
        done.outputs.insert("deleted".into(), json!(deleted.len()));
        done.outputs.insert("files".into(), json!(deleted));
        done
    }))))
}
