//! Kestra's `core.storage` tasks: Write, Concat, Size, Delete, Reverse, Split, FilterItems,
//! DeduplicateItems and PurgeCurrentExecutionFiles, on internal storage. A task reads stored files through local
//! copies the worker makes ([`crate::Call::reads`]) and stores what it makes through
//! [`crate::Finished::stored`], so each works on the data folder and on S3 alike.
//!
//! Kestra: <https://kestra.io/plugins/core#storage>

pub mod concat;
pub mod deduplicate_items;
pub mod delete;
pub mod filter_items;
pub(crate) mod items;
pub mod purge_current_execution_files;
pub mod reverse;
pub mod size;
pub mod split;
pub mod write;

use crate::{CallContext, PlanContext, TaskError};
use sluice_flow::model::Task;
use std::path::PathBuf;

fn invalid(task: &Task, message: String) -> TaskError {
    TaskError::Invalid {
        task: task.id.clone(),
        message,
    }
}

/// A rendered property that must be a `kestra://` address.
fn address(task: &Task, cx: &PlanContext<'_>, key: &str) -> Result<String, TaskError> {
    let uri = crate::props::text(task, cx, key)?
        .map(|u| u.trim().to_string())
        .ok_or_else(|| invalid(task, format!("`{key}` is missing: give a file's kestra:// address")))?;
    if !sluice_flow::storage::is_storage_uri(&uri) {
        return Err(invalid(
            task,
            format!("`{key}` is `{uri}`, which is no kestra:// address of internal storage"),
        ));
    }
    Ok(uri)
}

/// A Pebble expression property that is rendered per record, not at planning (Kestra's
/// non-dynamic `filterCondition` and `expr`), trimmed.
fn per_record(task: &Task, key: &str, example: &str) -> Result<String, TaskError> {
    task.properties
        .get(key)
        .and_then(serde_json::Value::as_str)
        .map(|c| c.trim().to_string())
        .ok_or_else(|| {
            invalid(
                task,
                format!("`{key}` is missing: a Pebble expression such as `{example}`"),
            )
        })
}

/// The file name extension (`.txt`) of `extension`, with its dot, or `default`.
fn extension(task: &Task, cx: &PlanContext<'_>, default: &str) -> Result<String, TaskError> {
    let ext = crate::props::text(task, cx, "extension")?.unwrap_or_else(|| default.to_string());
    let ext = ext.trim();
    if ext.contains(['/', '\\']) {
        return Err(invalid(task, format!("`extension` `{ext}` may not contain a path")));
    }
    Ok(match ext {
        "" => String::new(),
        e if e.starts_with('.') => e.to_string(),
        e => format!(".{e}"),
    })
}

/// The local copy of stored file `uri` handed to the call.
fn local(call: &CallContext, uri: &str) -> Result<PathBuf, String> {
    call.files
        .get(uri)
        .cloned()
        .ok_or_else(|| format!("{uri} was not handed to the task"))
}

/// A task's end when it made one file to store under `uri`: the output `uri`, or the failure.
pub(crate) fn stored_one(made: Result<PathBuf, String>, uri: String) -> crate::Finished {
    match made {
        Ok(path) => {
            let mut done = crate::Finished::default();
            done.outputs.insert("uri".into(), serde_json::json!(uri));
            done.stored.push((uri, path));
            done
        }
        Err(reason) => crate::Finished::failed(reason),
    }
}

/// A new file in the call's folder, to be stored under `uri`.
pub(crate) async fn scratch(call: &CallContext, name: &str) -> Result<PathBuf, String> {
    tokio::fs::create_dir_all(&call.files_dir)
        .await
        .map_err(|e| format!("cannot make the task's folder: {e}"))?;
    Ok(call.files_dir.join(name))
}
