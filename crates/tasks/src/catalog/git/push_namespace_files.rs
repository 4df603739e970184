//! `io.kestra.plugin.git.PushNamespaceFiles`: commits a namespace's files (those matching
//! `files`, all by default) to a repository's `gitDirectory` (default `_files`) and pushes the
//! commit; `delete` (default true) removes files that are gone from the namespace. `dryRun`
//! commits nothing upstream. Outputs `commitId` (null when nothing changed) and `files`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-git/io.kestra.plugin.git.pushnamespacefiles>

use super::push_flows::{COMMIT, commit, globs};
use super::repo::{Repo, files_under, folder};
use super::{BRANCH, DRY_RUN, PASSWORD, URL, USERNAME, flow_namespace, invalid, pushed, remote, text_or};
use crate::catalog::TaskType;
use crate::{Call, Plan, PlanContext, TaskError};
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The PushNamespaceFiles task.
pub static PUSH_NAMESPACE_FILES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.git.PushNamespaceFiles",
        &["git.PushNamespaceFiles"],
        &[
            URL,
            USERNAME,
            PASSWORD,
            BRANCH,
            DRY_RUN,
            COMMIT[0],
            COMMIT[1],
            COMMIT[2],
            opt(
                "namespace",
                Kind::String,
                "The namespace whose files are pushed (default the flow's).",
            ),
            opt("files", Kind::Any, "Paths to push, as globs (default all)."),
            opt(
                "gitDirectory",
                Kind::String,
                "The repository's folder of files (default `_files`).",
            ),
            opt(
                "delete",
                Kind::Bool,
                "Remove files that are not in the namespace (default true).",
            ),
            opt(
                "errorOnMissing",
                Kind::Bool,
                "Fail when no file matches (default false).",
            ),
        ],
        "Commits and pushes a namespace's files to a git repository.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let remote = remote(task, cx)?;
    let namespace = text_or(task, cx, "namespace", &flow_namespace(cx))?;
    let wanted = globs(task, cx, "files")?;
    let directory = folder(&text_or(task, cx, "gitDirectory", "_files")?).map_err(|m| invalid(task, m))?;
    let delete = crate::props::flag(task, "delete", true);
    let error_on_missing = crate::props::flag(task, "errorOnMissing", false);
    let (message, author, email) = commit(task, cx, &format!("Add files from {namespace} namespace"))?;
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let work = async {
            let store = &call.namespace_files.0;
            let files: Vec<_> = store
                .namespace_files(&namespace)
                .await
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|f| wanted.is_empty() || wanted.matches(&f.path))
                .collect();
            if files.is_empty() && error_on_missing {
                return Err(format!(
                    "no file of namespace `{namespace}` matches `files`, and `errorOnMissing` is true"
                ));
            }
            let repo = Repo::clone(
                &remote.url,
                &remote.branch,
                &call.files_dir.join("repo"),
                remote.env.clone(),
                true,
            )
            .await?;
            let root = repo.dir.join(&directory);
            if delete {
                for old in files_under(&root) {
                    let _ = tokio::fs::remove_file(root.join(old)).await;
                }
            }
            let mut pushed = Vec::new();
            for file in &files {
                let Some(content) = store
                    .read_namespace_file(&namespace, &file.path)
                    .await
                    .map_err(|e| e.to_string())?
                else {
                    continue;
                };
                let path = root.join(&file.path);
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(|e| e.to_string())?;
                }
                tokio::fs::write(&path, content).await.map_err(|e| e.to_string())?;
                let git_path = if directory.is_empty() {
                    file.path.clone()
                } else {
                    format!("{directory}/{}", file.path)
                };
                pushed.push(json!({"kestraPath": format!("/{}", file.path), "gitPath": git_path}));
            }
            let commit = repo
                .commit_and_push(&directory, &remote.branch, &message, (&author, &email), remote.dry_run)
                .await?;
            Ok((commit, pushed))
        };
        pushed(work.await, "files", &remote)
    }))))
}
