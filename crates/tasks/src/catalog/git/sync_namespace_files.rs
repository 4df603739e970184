//! `io.kestra.plugin.git.SyncNamespaceFiles`: makes a namespace's files those of a
//! repository's `gitDirectory` (default `_files`): new and changed files are written, and with
//! `delete` the others are deleted. `dryRun` only reports; the output `files` lists each file
//! with its `syncState`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-git/io.kestra.plugin.git.syncnamespacefiles>

use super::repo::{files_under, folder};
use super::{BRANCH, DRY_RUN, PASSWORD, URL, USERNAME, flow_namespace, invalid, remote, sync_source, synced, text_or};
use crate::catalog::TaskType;
use crate::{Call, Plan, PlanContext, TaskError};
use jiff::Timestamp;
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};
use std::collections::BTreeSet;

/// The SyncNamespaceFiles task.
pub static SYNC_NAMESPACE_FILES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.git.SyncNamespaceFiles",
        &["git.SyncNamespaceFiles"],
        &[
            URL,
            USERNAME,
            PASSWORD,
            BRANCH,
            DRY_RUN,
            opt(
                "namespace",
                Kind::String,
                "The namespace whose files are synced (default the flow's).",
            ),
            opt(
                "gitDirectory",
                Kind::String,
                "The repository's folder of files (default `_files`).",
            ),
            opt(
                "delete",
                Kind::Bool,
                "Delete the namespace's files that are not in the repository (default false).",
            ),
            opt(
                "failOnMissingDirectory",
                Kind::Bool,
                "Fail when `gitDirectory` is missing (default true).",
            ),
        ],
        "Writes the files of a git repository into a namespace.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let remote = remote(task, cx)?;
    let namespace = text_or(task, cx, "namespace", &flow_namespace(cx))?;
    let directory = folder(&text_or(task, cx, "gitDirectory", "_files")?).map_err(|m| invalid(task, m))?;
    let delete = crate::props::flag(task, "delete", false);
    let fail_on_missing = crate::props::flag(task, "failOnMissingDirectory", true);
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let work = async {
            let Some((_repo, root)) = sync_source(&remote, &call.files_dir, &directory, fail_on_missing).await? else {
                return Ok(Default::default());
            };
            let store = &call.namespace_files.0;
            let existing: Vec<String> = store
                .namespace_files(&namespace)
                .await
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|f| f.path)
                .collect();
            let mut seen = BTreeSet::new();
            let mut report = Vec::new();
            for file in files_under(&root) {
                let path = sluice_flow::namespace_files::normalize(&file).map_err(|m| format!("{file}: {m}"))?;
                let content = tokio::fs::read(root.join(&file))
                    .await
                    .map_err(|e| format!("{file}: {e}"))?;
                let before = store
                    .read_namespace_file(&namespace, &path)
                    .await
                    .map_err(|e| e.to_string())?;
                let state = match &before {
                    Some(b) if *b == content => "UNCHANGED",
                    Some(_) => "UPDATED",
                    None => "ADDED",
                };
                if state != "UNCHANGED" && !remote.dry_run {
                    store
                        .write_namespace_file(&namespace, &path, &content, Timestamp::now())
                        .await
                        .map_err(|e| e.to_string())?;
                }
                report.push(json!({"kestraPath": format!("/{path}"), "gitPath": format!("{directory}/{file}"), "syncState": state}));
                seen.insert(path);
            }
            if delete {
                for gone in existing.iter().filter(|p| !seen.contains(*p)) {
                    if !remote.dry_run {
                        store
                            .delete_namespace_files(&namespace, gone)
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                    report.push(json!({"kestraPath": format!("/{gone}"), "syncState": "DELETED"}));
                }
            }
            Ok(report)
        };
        synced(work.await.map(|items| (items, Vec::new())), "files", &remote)
    }))))
}
