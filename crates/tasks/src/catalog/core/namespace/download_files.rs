//! `io.kestra.plugin.core.namespace.DownloadFiles`: copies the namespace files matching `files`
//! into internal storage; the output `files` maps each file's path (`/scripts/etl.py`) to its
//! `kestra://` address. Inside a WorkingDirectory the files are also written into its folder,
//! under `destination`, for the next tasks.
//!
//! Kestra: <https://kestra.io/plugins/core/namespace/io.kestra.plugin.core.namespace.downloadfiles>

use super::{NAMESPACE, invalid, namespace, patterns};
use crate::catalog::TaskType;
use crate::props::StoredIds;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::{Map, Value};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The DownloadFiles task.
pub static DOWNLOAD_FILES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.namespace.DownloadFiles",
        &["core.namespace.DownloadFiles", "namespace.DownloadFiles"],
        &[
            NAMESPACE,
            req(
                "files",
                Kind::Any,
                "A pattern or a list of patterns (`**.sql`, `/scripts/**`, `regex:…`) of the files to download.",
            ),
            opt(
                "destination",
                Kind::String,
                "The folder of the WorkingDirectory the files are written to (default: its root).",
            ),
        ],
        "Downloads namespace files into internal storage (and the WorkingDirectory it runs in).",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let namespace = namespace(task, cx)?;
    let patterns = patterns(task, cx)?;
    let destination = match crate::props::text(task, cx, "destination")? {
        Some(d) if !d.trim_matches('/').is_empty() => Some(
            sluice_flow::namespace_files::normalize(&d).map_err(|m| invalid(task, format!("`destination`: {m}")))?,
        ),
        _ => None,
    };
    let ids = StoredIds::of(cx);
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let store = call.namespace_files.0.clone();
        let listed = match store.namespace_files(&namespace).await {
            Ok(listed) => listed,
            Err(e) => return Finished::failed(format!("the files of `{namespace}` could not be listed: {e}")),
        };
        let mut done = Finished::default();
        let mut files = Map::new();
        for (index, file) in listed.iter().filter(|f| patterns.matches(&f.path)).enumerate() {
            let content = match store.read_namespace_file(&namespace, &file.path).await {
                Ok(Some(content)) => content,
                // Deleted since the listing.
                Ok(None) => continue,
                Err(e) => return Finished::failed(format!("`/{}` could not be read: {e}", file.path)),
            };
            let base = file.path.rsplit('/').next().unwrap_or(&file.path);
            let local = call.files_dir.join(format!("namespace-{index}"));
            let written = async {
                tokio::fs::create_dir_all(&call.files_dir).await?;
                tokio::fs::write(&local, &content).await?;
                if let Some(folder) = &call.working_dir {
                    let target = match &destination {
                        Some(d) => folder.join(d).join(&file.path),
                        None => folder.join(&file.path),
                    };
                    if let Some(parent) = target.parent() {
                        tokio::fs::create_dir_all(parent).await?;
                    }
                    tokio::fs::write(&target, &content).await?;
                }
                Ok::<_, std::io::Error>(())
            };
            if let Err(e) = written.await {
                return Finished::failed(format!("`/{}` could not be written: {e}", file.path));
            }
            let uri = ids.uri(&format!("{index}-{base}"));
            files.insert(format!("/{}", file.path), Value::String(uri.clone()));
            done.stored.push((uri, local));
        }
        done.logs.push((
            "INFO".into(),
            format!("downloaded {} file(s) of namespace `{namespace}`", files.len()),
        ));
        done.outputs.insert("files".into(), Value::Object(files));
        done
    }))))
}
