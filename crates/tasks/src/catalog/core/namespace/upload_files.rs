//! `io.kestra.plugin.core.namespace.UploadFiles`: writes files into a namespace. `files` is a
//! list of patterns matched in the WorkingDirectory the task runs in (and `kestra://` addresses),
//! uploaded under `destination` with their relative paths; a mapping in `files` or `filesMap`
//! names each target path and its source (a `kestra://` address or a WorkingDirectory path).
//! `conflict` says what an existing file gets: OVERWRITE (default), SKIP, or ERROR.
//!
//! Kestra: <https://kestra.io/plugins/core/namespace/io.kestra.plugin.core.namespace.uploadfiles>

use super::{NAMESPACE, invalid, namespace};
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use jiff::Timestamp;
use serde_json::{Value, json};
use sluice_flow::model::Task;
use sluice_flow::namespace_files::{PathPatterns, normalize};
use sluice_flow::schema::{Kind, TypeSpec, opt};
use sluice_flow::storage::is_storage_uri;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The UploadFiles task.
pub static UPLOAD_FILES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.namespace.UploadFiles",
        &["core.namespace.UploadFiles", "namespace.UploadFiles"],
        &[
            NAMESPACE,
            opt(
                "files",
                Kind::Any,
                "Patterns of WorkingDirectory files (`glob:**/dbt/**`) and `kestra://` addresses; or a mapping of target path to source.",
            ),
            opt(
                "filesMap",
                Kind::Any,
                "A mapping of target path to source (a `kestra://` address or a WorkingDirectory path), or a template rendering to one.",
            ),
            opt(
                "destination",
                Kind::String,
                "The namespace folder for `files` (default `/`).",
            ),
            opt(
                "conflict",
                Kind::Enum(&["OVERWRITE", "ERROR", "SKIP"]),
                "What to do when a file exists: OVERWRITE (default), ERROR or SKIP.",
            ),
        ],
        "Uploads files into a namespace.",
    ),
    plan: Some(plan),
};

/// Where one uploaded file comes from.
#[derive(Debug, Clone)]
enum Source {
    /// A stored file.
    Stored(String),
    /// A path in the WorkingDirectory.
    Local(String),
}

/// Each target path of a mapping and its source.
fn mapping(task: &Task, cx: &PlanContext<'_>, key: &str) -> Result<Vec<(String, Source)>, TaskError> {
    let rendered = match task.properties.get(key) {
        Some(Value::String(s)) => {
            let text = cx.renderer.string(&task.id, key, s, cx.variables)?;
            serde_json::from_str(&text).map_err(|e| {
                invalid(
                    task,
                    format!("`{key}` rendered to text that is not a JSON mapping of target paths to files: {e}"),
                )
            })?
        }
        Some(raw @ Value::Object(_)) => cx.renderer.value(&task.id, key, raw, cx.variables)?,
        _ => return Ok(Vec::new()),
    };
    let Value::Object(map) = rendered else {
        return Err(invalid(
            task,
            format!("`{key}` must be a mapping of target paths to files"),
        ));
    };
    let mut out = Vec::new();
    for (target, source) in map {
        let Some(source) = source.as_str() else {
            return Err(invalid(
                task,
                format!("`{key}.{target}` must be a file's address or path"),
            ));
        };
        let target = normalize(&target).map_err(|m| invalid(task, format!("`{key}`: {m}")))?;
        let source = source.trim();
        out.push((
            target,
            if is_storage_uri(source) {
                Source::Stored(source.to_string())
            } else {
                Source::Local(normalize(source).map_err(|m| invalid(task, format!("`{key}`: {m}")))?)
            },
        ));
    }
    Ok(out)
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let namespace = namespace(task, cx)?;
    let destination = crate::props::text(task, cx, "destination")?.unwrap_or_default();
    let destination = destination.trim_matches('/').to_string();
    if !destination.is_empty() {
        normalize(&destination).map_err(|m| invalid(task, format!("`destination`: {m}")))?;
    }
    let under = move |path: &str| {
        if destination.is_empty() {
            path.to_string()
        } else {
            format!("{destination}/{path}")
        }
    };
    let mut targets = mapping(task, cx, "filesMap")?;
    let mut globs = Vec::new();
    match task.properties.get("files") {
        Some(Value::Object(_)) => targets.extend(mapping(task, cx, "files")?),
        Some(Value::Array(_) | Value::String(_)) => {
            let listed = match task.properties.get("files") {
                Some(Value::String(s)) => vec![cx.renderer.string(&task.id, "files", s, cx.variables)?],
                _ => crate::props::strings(task, cx, "files")?,
            };
            for item in listed {
                if is_storage_uri(&item) {
                    let name = sluice_flow::storage::safe_file_name(item.trim());
                    targets.push((under(&name), Source::Stored(item.trim().to_string())));
                } else {
                    globs.push(item);
                }
            }
        }
        None | Some(Value::Null) => {}
        Some(_) => return Err(invalid(task, "`files` must be a list of patterns or a mapping".into())),
    }
    if targets.is_empty() && globs.is_empty() {
        return Err(invalid(
            task,
            "give the files to upload in `files` or `filesMap`".into(),
        ));
    }
    let globs = PathPatterns::new(&globs).map_err(|m| invalid(task, format!("`files`: {m}")))?;
    let conflict = crate::props::text(task, cx, "conflict")?.unwrap_or_else(|| "OVERWRITE".into());
    if !matches!(conflict.as_str(), "OVERWRITE" | "ERROR" | "SKIP") {
        return Err(invalid(
            task,
            format!("`conflict` is `{conflict}`; use OVERWRITE, ERROR or SKIP"),
        ));
    }
    let reads = targets
        .iter()
        .filter_map(|(_, s)| match s {
            Source::Stored(uri) => Some(uri.clone()),
            Source::Local(_) => None,
        })
        .collect();
    let timeout = crate::props::timeout(task, cx)?;
    let mut call = Call::new(timeout, move |call| async move {
        match upload(&call, &namespace, targets, &globs, &under, &conflict).await {
            Ok(done) => done,
            Err(reason) => Finished::failed(reason),
        }
    });
    call.reads = reads;
    Ok(Plan::Call(Box::new(call)))
}

/// Reads each source and writes it; the paths written.
async fn upload(
    call: &crate::CallContext,
    namespace: &str,
    mut targets: Vec<(String, Source)>,
    globs: &PathPatterns,
    under: &(dyn Fn(&str) -> String + Sync),
    conflict: &str,
) -> Result<Finished, String> {
    let folder = call.working_dir.as_ref();
    if !globs.is_empty() {
        let Some(folder) = folder else {
            return Err(
                "`files` patterns match files of the WorkingDirectory the task runs in, and it runs in none: \
                 put it inside a WorkingDirectory, or give `kestra://` addresses"
                    .into(),
            );
        };
        let found = sluice_runners::all_files(folder.clone())
            .await
            .map_err(|e| format!("the WorkingDirectory could not be listed: {e}"))?;
        for file in found.iter().filter(|f| globs.matches(&f.name)) {
            targets.push((under(&file.name), Source::Local(file.name.clone())));
        }
    }
    let store = &call.namespace_files.0;
    let existing: BTreeSet<String> = store
        .namespace_files(namespace)
        .await
        .map_err(|e| format!("the files of `{namespace}` could not be listed: {e}"))?
        .into_iter()
        .map(|f| f.path)
        .collect();
    let mut done = Finished::default();
    let mut written = BTreeMap::new();
    for (target, source) in targets {
        if existing.contains(&target) {
            match conflict {
                "SKIP" => continue,
                "ERROR" => {
                    return Err(format!(
                        "namespace `{namespace}` already has `/{target}`, and `conflict` is ERROR"
                    ));
                }
                _ => {}
            }
        }
        let path: PathBuf = match &source {
            Source::Stored(uri) => call
                .files
                .get(uri)
                .cloned()
                .ok_or_else(|| format!("{uri} is not readable"))?,
            Source::Local(rel) => match folder {
                Some(folder) => folder.join(rel),
                None => {
                    return Err(format!(
                        "`{rel}` is a WorkingDirectory path, and the task runs in no WorkingDirectory"
                    ));
                }
            },
        };
        let content = tokio::fs::read(&path)
            .await
            .map_err(|e| format!("cannot read the file for `/{target}`: {e}"))?;
        let revision = store
            .write_namespace_file(namespace, &target, &content, Timestamp::now())
            .await
            .map_err(|e| format!("`/{target}` could not be written: {e}"))?;
        written.insert(format!("/{target}"), json!(revision));
    }
    done.logs.push((
        "INFO".into(),
        format!("uploaded {} file(s) to namespace `{namespace}`", written.len()),
    ));
    done.outputs
        .insert("files".into(), Value::Object(written.into_iter().collect()));
    Ok(done)
}
