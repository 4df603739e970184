//! Kestra's git plugin. Sluice runs git with the `git` command of the worker's machine (a
//! Debian package everywhere), not a Rust git library: it speaks every transport (file://,
//! git://, smart HTTP, SSH) and every credential form users already rely on, and costs the
//! build nothing. Clone runs as a job (in the task's runner, so its files land in the working
//! directory); the sync and push tasks run git in the worker, since they read and write the
//! store.
//!
//! Kestra: <https://kestra.io/plugins/plugin-git>

pub mod clone;
pub mod push_flows;
pub mod push_namespace_files;
mod repo;
pub mod sync_flows;
pub mod sync_namespace_files;

use crate::{PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, opt, req};
use std::collections::BTreeMap;

const URL: Prop = req("url", Kind::String, "The repository's URL (https://, git://, file://).");
const USERNAME: Prop = opt("username", Kind::String, "User name for HTTP authentication.");
const PASSWORD: Prop = opt("password", Kind::String, "Password or token for HTTP authentication.");
const BRANCH: Prop = opt("branch", Kind::String, "The branch (default `main`).");
const DRY_RUN: Prop = opt("dryRun", Kind::Bool, "Only report what would change (default false).");

/// What every sync and push task reads: the URL, the branch and the credentials' environment.
struct Remote {
    url: String,
    branch: String,
    env: BTreeMap<String, String>,
    dry_run: bool,
}

fn remote(task: &Task, cx: &PlanContext<'_>) -> Result<Remote, TaskError> {
    let url = crate::props::text(task, cx, "url")?
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| invalid(task, "`url` is missing: say which repository".into()))?;
    let branch = crate::props::text(task, cx, "branch")?.unwrap_or_else(|| "main".into());
    let mut env = BTreeMap::new();
    clone::credentials(task, cx, &mut env)?;
    Ok(Remote {
        url,
        branch,
        env,
        dry_run: crate::props::flag(task, "dryRun", false),
    })
}

/// A rendered text property, or `default`.
fn text_or(task: &Task, cx: &PlanContext<'_>, key: &str, default: &str) -> Result<String, TaskError> {
    Ok(crate::props::text(task, cx, key)?.unwrap_or_else(|| default.to_string()))
}

/// The flow's namespace, for properties that default to it.
fn flow_namespace(cx: &PlanContext<'_>) -> String {
    cx.variables
        .pointer("/flow/namespace")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The end of a push: the commit made (or none), logged and in `commitId`, and what was
/// pushed under `key`.
fn pushed(
    result: Result<(Option<String>, Vec<serde_json::Value>), String>,
    key: &str,
    remote: &Remote,
) -> crate::Finished {
    match result {
        Ok((commit, items)) => {
            let mut done = crate::Finished::default();
            let line = match (&commit, remote.dry_run) {
                (None, _) => "nothing changed: no commit".to_string(),
                (Some(id), true) => format!("dry run: commit {id} made locally, not pushed"),
                (Some(id), false) => format!("pushed commit {id} to {}", remote.branch),
            };
            done.logs.push(("INFO".into(), line));
            done.outputs.insert("commitId".into(), serde_json::json!(commit));
            done.outputs.insert(key.into(), serde_json::Value::Array(items));
            done
        }
        Err(reason) => crate::Finished::failed(reason),
    }
}

/// The end of a sync: what was synced under `key`, with the warnings met.
fn synced(
    result: Result<(Vec<serde_json::Value>, Vec<String>), String>,
    key: &str,
    remote: &Remote,
) -> crate::Finished {
    match result {
        Ok((items, warnings)) => {
            let mut done = crate::Finished::default();
            done.logs.extend(warnings.into_iter().map(|l| ("WARN".to_string(), l)));
            let dry = if remote.dry_run {
                " (dry run: nothing changed)"
            } else {
                ""
            };
            done.logs
                .push(("INFO".into(), format!("{} {key} synced{dry}", items.len())));
            done.outputs.insert(key.into(), serde_json::Value::Array(items));
            done
        }
        Err(reason) => crate::Finished::failed(reason),
    }
}

/// The clone of a sync and its `directory`; `None` when the folder is missing and that is
/// allowed.
async fn sync_source(
    remote: &Remote,
    scratch: &std::path::Path,
    directory: &str,
    fail_on_missing: bool,
) -> Result<Option<(repo::Repo, std::path::PathBuf)>, String> {
    let repo = repo::Repo::clone(
        &remote.url,
        &remote.branch,
        &scratch.join("repo"),
        remote.env.clone(),
        false,
    )
    .await?;
    let root = repo.dir.join(directory);
    if root.is_dir() {
        return Ok(Some((repo, root)));
    }
    if fail_on_missing {
        return Err(format!(
            "the repository has no folder `{directory}` on branch `{}`; set `failOnMissingDirectory: false` to accept that",
            remote.branch
        ));
    }
    Ok(None)
}

fn invalid(task: &Task, message: String) -> TaskError {
    TaskError::Invalid {
        task: task.id.clone(),
        message,
    }
}
