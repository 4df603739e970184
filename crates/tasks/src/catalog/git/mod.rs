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

fn invalid(task: &Task, message: String) -> TaskError {
    TaskError::Invalid {
        task: task.id.clone(),
        message,
    }
}
