//! `io.kestra.plugin.git.SyncFlows`: makes the flows of a namespace those of a repository's
//! `gitDirectory`: each `.yml`/`.yaml` file is validated and deployed into `targetNamespace`
//! (its `namespace:` set to it; files in subfolders go to child namespaces with
//! `includeChildNamespaces`), and with `delete` the namespace's other flows are deleted.
//! `dryRun` only reports. The output `flows` lists each flow with its `syncState`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-git/io.kestra.plugin.git.syncflows>

use super::repo::{files_under, folder};
use super::{BRANCH, DRY_RUN, PASSWORD, URL, USERNAME, invalid, remote, sync_source, synced, text_or};
use crate::catalog::TaskType;
use crate::{Call, Plan, PlanContext, TaskError};
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};
use std::collections::BTreeSet;

/// The SyncFlows task.
pub static SYNC_FLOWS: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.git.SyncFlows",
        &["git.SyncFlows"],
        &[
            URL,
            USERNAME,
            PASSWORD,
            BRANCH,
            DRY_RUN,
            req(
                "targetNamespace",
                Kind::String,
                "The namespace the flows are deployed to.",
            ),
            opt(
                "gitDirectory",
                Kind::String,
                "The repository's folder of flows (default `_flows`).",
            ),
            opt(
                "includeChildNamespaces",
                Kind::Bool,
                "Subfolders hold flows of child namespaces (default false).",
            ),
            opt(
                "delete",
                Kind::Bool,
                "Delete the namespace's flows that are not in the repository (default false).",
            ),
            opt(
                "ignoreInvalidFlows",
                Kind::Bool,
                "Skip invalid files instead of failing (default false).",
            ),
            opt(
                "failOnMissingDirectory",
                Kind::Bool,
                "Fail when `gitDirectory` is missing (default true).",
            ),
        ],
        "Deploys the flows of a git repository into a namespace.",
    ),
    plan: Some(plan),
};

/// `source` with its top-level `namespace:` set to `namespace`.
pub(super) fn with_namespace(source: &str, namespace: &str) -> String {
    let mut done = false;
    let lines: Vec<String> = source
        .lines()
        .map(|line| {
            if !done && line.starts_with("namespace:") {
                done = true;
                format!("namespace: {namespace}")
            } else {
                line.to_string()
            }
        })
        .collect();
    let mut out = lines.join("\n");
    if source.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let remote = remote(task, cx)?;
    let target = crate::props::text(task, cx, "targetNamespace")?
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid(task, "`targetNamespace` is missing".into()))?;
    let directory = folder(&text_or(task, cx, "gitDirectory", "_flows")?).map_err(|m| invalid(task, m))?;
    let children = crate::props::flag(task, "includeChildNamespaces", false);
    let delete = crate::props::flag(task, "delete", false);
    let ignore_invalid = crate::props::flag(task, "ignoreInvalidFlows", false);
    let fail_on_missing = crate::props::flag(task, "failOnMissingDirectory", true);
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let work = async {
            let Some((_repo, root)) = sync_source(&remote, &call.files_dir, &directory, fail_on_missing).await? else {
                return Ok(Default::default());
            };
            let validator = crate::validator();
            let existing = call
                .flows
                .0
                .flows_of(&target, children)
                .await
                .map_err(|e| e.to_string())?;
            let mut seen = BTreeSet::new();
            let (mut report, mut logs) = (Vec::new(), Vec::new());
            for file in files_under(&root) {
                if !(file.ends_with(".yml") || file.ends_with(".yaml")) {
                    continue;
                }
                let (sub, _) = file.rsplit_once('/').unwrap_or(("", &file));
                if !sub.is_empty() && !children {
                    continue;
                }
                let namespace = if sub.is_empty() {
                    target.clone()
                } else {
                    format!("{target}.{}", sub.replace('/', "."))
                };
                let text = tokio::fs::read_to_string(root.join(&file))
                    .await
                    .map_err(|e| format!("{file}: {e}"))?;
                let source = with_namespace(&text, &namespace);
                let Some(flow) = validator.check(&source).flow else {
                    if ignore_invalid {
                        logs.push(format!("{directory}/{file} is not a valid flow; skipped"));
                        continue;
                    }
                    return Err(format!(
                        "{directory}/{file} is not a valid flow: check it with `sluice flow validate`, or set `ignoreInvalidFlows: true`"
                    ));
                };
                seen.insert((namespace.clone(), flow.id.clone()));
                let before = existing.iter().find(|f| f.namespace == namespace && f.id == flow.id);
                let state = match before {
                    Some(b) if b.source.trim() == source.trim() => "UNCHANGED",
                    Some(_) => "UPDATED",
                    None => "ADDED",
                };
                let revision = match (state, remote.dry_run) {
                    ("UNCHANGED", _) | (_, true) => before.map(|b| b.revision),
                    _ => Some(
                        call.flows
                            .0
                            .deploy_flow(&namespace, &flow.id, &source)
                            .await
                            .map_err(|e| e.to_string())?,
                    ),
                };
                report.push(json!({"flowId": flow.id, "namespace": namespace, "revision": revision, "gitPath": format!("{directory}/{file}"), "syncState": state}));
            }
            if delete {
                for gone in existing
                    .iter()
                    .filter(|f| !seen.contains(&(f.namespace.clone(), f.id.clone())))
                {
                    if !remote.dry_run {
                        call.flows
                            .0
                            .remove_flow(&gone.namespace, &gone.id)
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                    report.push(json!({"flowId": gone.id, "namespace": gone.namespace, "revision": gone.revision, "syncState": "DELETED"}));
                }
            }
            Ok((report, logs))
        };
        synced(work.await, "flows", &remote)
    }))))
}
