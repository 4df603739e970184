//! `io.kestra.plugin.git.Clone`: clones a repository into the working directory (or its
//! `directory`), so that inside a `WorkingDirectory` the next tasks — a `DbtCLI`, a script — find
//! the project there, on whichever runner they use. It runs `git` on the worker (Process), as
//! Kestra runs it in its worker. `branch` (or `tag`) with `depth` (default 1) makes a shallow
//! clone; `commit` a full one checked out at that commit; a directory that already holds files
//! (a WorkingDirectory's `inputFiles`) is fetched into rather than cloned over. HTTP credentials
//! (`username`, `password`) and an SSH `privateKey` (with its `passphrase`) reach git through
//! its environment, never its command line; the key is written outside the working directory
//! and removed after.
//!
//! Kestra: <https://kestra.io/plugins/plugin-git/io.kestra.plugin.git.clone>

use crate::catalog::TaskType;
use crate::props::{flag, shell_quote, text};
use crate::{Plan, PlanContext, ScriptJob, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt, req};
use sluice_runners::{DEFAULT_KILL_GRACE, Job};
use std::collections::BTreeMap;

/// The Clone task.
pub static CLONE: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.git.Clone",
        &["git.Clone"],
        &[
            req(
                "url",
                Kind::String,
                "The repository's URL (https://, ssh://, git://, file://).",
            ),
            opt(
                "directory",
                Kind::String,
                "Folder of the working directory to clone into (default: the working directory itself).",
            ),
            opt(
                "branch",
                Kind::String,
                "Branch to check out (default: the remote's HEAD).",
            ),
            opt("tag", Kind::String, "Tag to check out instead of a branch."),
            opt(
                "commit",
                Kind::String,
                "Commit to check out (a full clone then; overrides `branch`).",
            ),
            opt("depth", Kind::Int, "Commits of history to fetch (default 1)."),
            opt("username", Kind::String, "User name for HTTP(S) basic authentication."),
            opt("password", Kind::String, "Password or access token for HTTP(S)."),
            opt("privateKey", Kind::String, "PEM private key for SSH URLs."),
            opt("passphrase", Kind::String, "Passphrase of `privateKey`."),
            opt("cloneSubmodules", Kind::Bool, "Clone the submodules too."),
            opt(
                "cloneAllBranches",
                Kind::Bool,
                "Fetch every branch (default true); false fetches only the one checked out.",
            ),
            opt("noTags", Kind::Bool, "Do not fetch tags."),
            opt(
                "gitConfig",
                Kind::Map,
                "Settings written to the clone's git config (`user.name: …`).",
            ),
            opt(
                "trustedCaPemPath",
                Kind::String,
                "A CA bundle (PEM file on the worker) trusted for HTTPS.",
            ),
            opt("noProxy", Kind::Bool, "Ignore the worker's HTTP proxy settings."),
            no_effect(
                "connectTimeout",
                Kind::Int,
                "HTTP connect timeout in milliseconds.",
                "git's own timeouts apply; bound the whole clone with `timeout`",
            ),
            no_effect(
                "readTimeout",
                Kind::Int,
                "HTTP read timeout in milliseconds.",
                "git's own timeouts apply; bound the whole clone with `timeout`",
            ),
        ],
        "Clones a git repository into the working directory.",
    ),
    plan: Some(plan),
};

/// The clone, as a POSIX shell script reading its settings from the environment.
const SCRIPT: &str = r#"set -eu
export GIT_TERMINAL_PROMPT=0
t="$SLUICE_GIT_TARGET"
if [ -n "${SLUICE_GIT_KEY:-}" ]; then
  k=$(mktemp) a=$(mktemp)
  trap 'rm -f "$k" "$a"' EXIT
  printf '%s\n' "$SLUICE_GIT_KEY" >"$k"
  chmod 600 "$k"
  printf '#!/bin/sh\nprintf "%%s\\n" "$SLUICE_GIT_PASSPHRASE"\n' >"$a"
  chmod 700 "$a"
  export SSH_ASKPASS="$a" SSH_ASKPASS_REQUIRE=force DISPLAY="${DISPLAY:-none}"
  export GIT_SSH_COMMAND="ssh -i $k -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=/dev/null"
fi
if [ -d "$t" ] && [ -n "$(ls -A "$t")" ]; then
  echo "cloning into $t, which already has files: fetching into it"
  git -C "$t" init -q
  git -C "$t" remote add origin "$SLUICE_GIT_URL"
  git -C "$t" fetch -q $SLUICE_GIT_FLAGS origin "${SLUICE_GIT_REF:-HEAD}"
  git -C "$t" checkout -q -f FETCH_HEAD
  if [ -n "$SLUICE_GIT_SUBMODULES" ]; then git -C "$t" submodule update -q --init --recursive; fi
else
  echo "cloning into $t"
  git clone -q $SLUICE_GIT_FLAGS $SLUICE_GIT_SUBMODULES ${SLUICE_GIT_REF:+--branch "$SLUICE_GIT_REF"} -- "$SLUICE_GIT_URL" "$t"
fi
if [ -n "${SLUICE_GIT_COMMIT:-}" ]; then git -C "$t" -c advice.detachedHead=false checkout -q "$SLUICE_GIT_COMMIT"; fi
"#;

/// The credential helper: answers `get` with the task's user name and password.
const HELPER: &str = r#"!f() { test "$1" = get && printf 'username=%s\npassword=%s\n' "$SLUICE_GIT_USERNAME" "$SLUICE_GIT_PASSWORD"; }; f"#;

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let invalid = |message: String| TaskError::Invalid {
        task: task.id.clone(),
        message,
    };
    let url = text(task, cx, "url")?.ok_or_else(|| invalid("`url` is missing: say which repository".into()))?;
    let directory = match text(task, cx, "directory")? {
        None => None,
        Some(d) => Some(relative(&d).map_err(invalid)?),
    };
    let commit = text(task, cx, "commit")?;
    let reference = match (text(task, cx, "tag")?, text(task, cx, "branch")?) {
        (Some(tag), _) => Some(tag),
        (None, branch) => branch,
    };
    let depth = match task.properties.get("depth") {
        None | Some(Value::Null) => 1,
        Some(_) => {
            let raw = text(task, cx, "depth")?.unwrap_or_default();
            raw.trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d > 0)
                .ok_or_else(|| invalid(format!("`depth` is `{raw}`; give a whole number of commits, 1 or more")))?
        }
    };
    let mut flags = Vec::new();
    if commit.is_none() {
        flags.push(format!("--depth {depth}"));
    }
    if flag(task, "noTags", false) {
        flags.push("--no-tags".into());
    }
    if !flag(task, "cloneAllBranches", true) && commit.is_none() {
        flags.push("--single-branch".into());
    }
    let mut env = BTreeMap::new();
    let target = directory.clone().unwrap_or_else(|| ".".into());
    env.insert("SLUICE_GIT_URL".to_string(), url.clone());
    env.insert("SLUICE_GIT_TARGET".to_string(), target);
    env.insert("SLUICE_GIT_FLAGS".to_string(), flags.join(" "));
    env.insert("SLUICE_GIT_REF".to_string(), reference.unwrap_or_default());
    env.insert("SLUICE_GIT_COMMIT".to_string(), commit.unwrap_or_default());
    let submodules = flag(task, "cloneSubmodules", false);
    env.insert(
        "SLUICE_GIT_SUBMODULES".to_string(),
        if submodules {
            "--recurse-submodules".into()
        } else {
            String::new()
        },
    );
    credentials(task, cx, &mut env)?;
    if let Some(ca) = text(task, cx, "trustedCaPemPath")? {
        env.insert("GIT_SSL_CAINFO".to_string(), ca);
    }
    if flag(task, "noProxy", false) {
        env.insert("NO_PROXY".to_string(), "*".to_string());
        env.insert("no_proxy".to_string(), "*".to_string());
    }
    let mut script = SCRIPT.to_string();
    let dir_arg = shell_quote(directory.as_deref().unwrap_or("."));
    if let Some(Value::Object(settings)) = task.properties.get("gitConfig") {
        for (key, value) in settings {
            let raw = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            let rendered = cx
                .renderer
                .string(&task.id, &format!("gitConfig.{key}"), &raw, cx.variables)?;
            script.push_str(&format!(
                "git -C {dir_arg} config {} {}\n",
                shell_quote(key),
                shell_quote(&rendered)
            ));
        }
    }
    let path = match &directory {
        Some(d) => format!("{}/{d}", cx.working_dir.trim_end_matches('/')),
        None => cx.working_dir.to_string(),
    };
    let mut job = Job::new(cx.job_name.clone(), ["/bin/sh".to_string(), "-c".to_string(), script]);
    job.env = env;
    job.timeout = crate::props::timeout(task, cx)?;
    job.kill_grace = DEFAULT_KILL_GRACE;
    Ok(Plan::Job(Box::new(ScriptJob {
        job,
        warning_on_stderr: false,
        dbt: None,
        lifted: None,
        outputs: serde_json::Map::from_iter([("directory".to_string(), Value::String(path))]),
    })))
}

/// HTTP credentials through a credential helper that reads them from the environment (set
/// with `GIT_CONFIG_*`, so they are in no command line and no config file): git sends them only
/// to a server that asks, and says `Authentication failed` when it refuses them. And the SSH key.
pub(super) fn credentials(
    task: &Task,
    cx: &PlanContext<'_>,
    env: &mut BTreeMap<String, String>,
) -> Result<(), TaskError> {
    let username = text(task, cx, "username")?;
    if let Some(password) = text(task, cx, "password")? {
        env.insert(
            "SLUICE_GIT_USERNAME".to_string(),
            username.unwrap_or_else(|| "git".into()),
        );
        env.insert("SLUICE_GIT_PASSWORD".to_string(), password);
        env.insert("GIT_CONFIG_COUNT".to_string(), "2".to_string());
        // An empty helper first clears the helpers of the machine's own git config.
        env.insert("GIT_CONFIG_KEY_0".to_string(), "credential.helper".to_string());
        env.insert("GIT_CONFIG_VALUE_0".to_string(), String::new());
        env.insert("GIT_CONFIG_KEY_1".to_string(), "credential.helper".to_string());
        env.insert("GIT_CONFIG_VALUE_1".to_string(), HELPER.to_string());
    }
    if let Some(key) = text(task, cx, "privateKey")? {
        env.insert("SLUICE_GIT_KEY".to_string(), key);
        env.insert(
            "SLUICE_GIT_PASSPHRASE".to_string(),
            text(task, cx, "passphrase")?.unwrap_or_default(),
        );
    }
    Ok(())
}

/// A `directory` inside the working directory: relative, without `..`.
fn relative(directory: &str) -> Result<String, String> {
    let trimmed = directory.trim().trim_end_matches('/');
    let escapes = trimmed.split('/').any(|part| part == "..");
    if trimmed.starts_with('/') || escapes || trimmed.contains('\0') {
        return Err(format!(
            "`directory` is `{directory}`; it must be a folder inside the working directory, such as `repo` or `src/project`"
        ));
    }
    Ok(if trimmed.is_empty() {
        ".".into()
    } else {
        trimmed.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn directories_stay_inside_the_working_directory() {
        assert_eq!(relative("repo/").unwrap(), "repo");
        assert_eq!(relative("").unwrap(), ".");
        for bad in ["/etc", "../up", "a/../../b"] {
            assert!(relative(bad).is_err(), "{bad}");
        }
    }
}
