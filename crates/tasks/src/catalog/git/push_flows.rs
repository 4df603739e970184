//! `io.kestra.plugin.git.PushFlows`: commits the flows of `sourceNamespace` (and, with
//! `includeChildNamespaces`, of its children, in subfolders) to a repository's `gitDirectory`
//! as `<id>.yml`, and pushes the commit; `flows` picks flow ids by glob, `targetNamespace`
//! rewrites their namespace, `delete` (default true) removes files of flows that are gone.
//! `dryRun` commits nothing upstream. Outputs `commitId` (null when nothing changed) and `flows`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-git/io.kestra.plugin.git.pushflows>

use super::repo::{Repo, files_under, folder};
use super::sync_flows::with_namespace;
use super::{BRANCH, DRY_RUN, PASSWORD, URL, USERNAME, flow_namespace, invalid, pushed, remote, text_or};
use crate::catalog::TaskType;
use crate::{Call, Plan, PlanContext, TaskError};
use serde_json::{Value, json};
use sluice_flow::model::Task;
use sluice_flow::namespace_files::PathPatterns;
use sluice_flow::schema::{Kind, Prop, TypeSpec, opt};

/// The commit's author and message, shared with PushNamespaceFiles.
pub(super) const COMMIT: [Prop; 3] = [
    opt("commitMessage", Kind::String, "The commit's message."),
    opt("authorName", Kind::String, "The commit's author (default `Sluice`)."),
    opt(
        "authorEmail",
        Kind::String,
        "The author's email (default `sluice@sluice.invalid`).",
    ),
];

/// The PushFlows task.
pub static PUSH_FLOWS: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.git.PushFlows",
        &["git.PushFlows"],
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
                "sourceNamespace",
                Kind::String,
                "The namespace whose flows are pushed (default the flow's).",
            ),
            opt(
                "targetNamespace",
                Kind::String,
                "The namespace written in the pushed files (default unchanged).",
            ),
            opt("flows", Kind::Any, "Flow ids to push, as globs (default all)."),
            opt(
                "includeChildNamespaces",
                Kind::Bool,
                "Also push child namespaces' flows, in subfolders (default false).",
            ),
            opt(
                "gitDirectory",
                Kind::String,
                "The repository's folder of flows (default `_flows`).",
            ),
            opt(
                "delete",
                Kind::Bool,
                "Remove files of flows that are not pushed (default true).",
            ),
        ],
        "Commits and pushes a namespace's flows to a git repository.",
    ),
    plan: Some(plan),
};

/// `flows`/`files`: one glob or a list; all when absent.
pub(super) fn globs(task: &Task, cx: &PlanContext<'_>, key: &str) -> Result<PathPatterns, TaskError> {
    let list = match task.properties.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![cx.renderer.string(&task.id, key, s, cx.variables)?],
        Some(_) => crate::props::strings(task, cx, key)?,
    };
    let list: Vec<String> = list
        .into_iter()
        .filter(|g| g.trim() != "*" && g.trim() != "**")
        .collect();
    PathPatterns::new(&list).map_err(|m| invalid(task, format!("`{key}`: {m}")))
}

/// The commit's message and author.
pub(super) fn commit(
    task: &Task,
    cx: &PlanContext<'_>,
    default_message: &str,
) -> Result<(String, String, String), TaskError> {
    Ok((
        text_or(task, cx, "commitMessage", default_message)?,
        text_or(task, cx, "authorName", "Sluice")?,
        text_or(task, cx, "authorEmail", "sluice@sluice.invalid")?,
    ))
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let remote = remote(task, cx)?;
    let source_ns = text_or(task, cx, "sourceNamespace", &flow_namespace(cx))?;
    let target_ns = crate::props::text(task, cx, "targetNamespace")?.filter(|n| !n.trim().is_empty());
    let ids = globs(task, cx, "flows")?;
    let children = crate::props::flag(task, "includeChildNamespaces", false);
    let directory = folder(&text_or(task, cx, "gitDirectory", "_flows")?).map_err(|m| invalid(task, m))?;
    let delete = crate::props::flag(task, "delete", true);
    let (message, author, email) = commit(task, cx, &format!("Add flows from {source_ns} namespace"))?;
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let work = async {
            let repo = Repo::clone(
                &remote.url,
                &remote.branch,
                &call.files_dir.join("repo"),
                remote.env.clone(),
                true,
            )
            .await?;
            let root = repo.dir.join(&directory);
            let flows = call
                .flows
                .0
                .flows_of(&source_ns, children)
                .await
                .map_err(|e| e.to_string())?;
            if delete {
                for old in files_under(&root)
                    .iter()
                    .filter(|f| f.ends_with(".yml") || f.ends_with(".yaml"))
                {
                    if children || !old.contains('/') {
                        let _ = tokio::fs::remove_file(root.join(old)).await;
                    }
                }
            }
            let mut pushed = Vec::new();
            for flow in flows.iter().filter(|f| ids.is_empty() || ids.matches(&f.id)) {
                let sub = flow
                    .namespace
                    .strip_prefix(&source_ns)
                    .unwrap_or_default()
                    .trim_start_matches('.');
                let relative = if sub.is_empty() {
                    format!("{}.yml", flow.id)
                } else {
                    format!("{}/{}.yml", sub.replace('.', "/"), flow.id)
                };
                let namespace = match &target_ns {
                    Some(t) if sub.is_empty() => t.clone(),
                    Some(t) => format!("{t}.{sub}"),
                    None => flow.namespace.clone(),
                };
                let path = root.join(&relative);
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(|e| e.to_string())?;
                }
                tokio::fs::write(&path, with_namespace(&flow.source, &namespace))
                    .await
                    .map_err(|e| e.to_string())?;
                let git_path = if directory.is_empty() {
                    relative
                } else {
                    format!("{directory}/{relative}")
                };
                pushed.push(
                    json!({"flowId": flow.id, "namespace": namespace, "revision": flow.revision, "gitPath": git_path}),
                );
            }
            let commit = repo
                .commit_and_push(&directory, &remote.branch, &message, (&author, &email), remote.dry_run)
                .await?;
            Ok((commit, pushed))
        };
        pushed(work.await, "flows", &remote)
    }))))
}
