//! A repository the sync and push tasks work on: shallow-cloned with the worker's `git` into a
//! scratch folder of the call, with the task's credentials in the environment (as
//! [`super::clone`] passes them: in no command line), then committed and pushed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A clone.
pub(super) struct Repo {
    /// Its folder.
    pub dir: PathBuf,
    env: BTreeMap<String, String>,
}

/// Runs `git ARGS` in `dir` (or none); its stdout, or an error with git's stderr.
async fn git(dir: Option<&Path>, env: &BTreeMap<String, String>, args: &[&str]) -> Result<String, String> {
    let mut command = tokio::process::Command::new("git");
    if let Some(dir) = dir {
        command.arg("-C").arg(dir);
    }
    let out = command
        .args(args)
        .envs(env)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| format!("cannot run git (is it installed on the worker?): {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "`git {}` failed: {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Repo {
    /// Clones `branch` of `url` into `dir`; with `create`, a missing branch (or an empty
    /// repository) is started instead, for a push.
    pub async fn clone(
        url: &str,
        branch: &str,
        dir: &Path,
        env: BTreeMap<String, String>,
        create: bool,
    ) -> Result<Repo, String> {
        let _ = tokio::fs::remove_dir_all(dir).await;
        let target = dir.to_string_lossy().to_string();
        let shallow = git(
            None,
            &env,
            &["clone", "-q", "--depth", "1", "--branch", branch, "--", url, &target],
        )
        .await;
        if let Err(e) = shallow {
            if !create {
                return Err(e);
            }
            let _ = tokio::fs::remove_dir_all(dir).await;
            git(None, &env, &["clone", "-q", "--", url, &target]).await?;
            git(Some(dir), &env, &["checkout", "-q", "-B", branch]).await?;
        }
        Ok(Repo {
            dir: dir.to_path_buf(),
            env,
        })
    }

    /// Commits everything under `folder` (additions, changes, deletions) and pushes `branch`,
    /// unless `dry_run`; the new commit's id, or `None` when nothing changed.
    pub async fn commit_and_push(
        &self,
        folder: &str,
        branch: &str,
        message: &str,
        author: (&str, &str),
        dry_run: bool,
    ) -> Result<Option<String>, String> {
        let dir = Some(self.dir.as_path());
        let pathspec = if folder.is_empty() { "." } else { folder };
        git(dir, &self.env, &["add", "-A", "--", pathspec]).await?;
        let staged = git(dir, &self.env, &["diff", "--cached", "--name-only"]).await?;
        if staged.is_empty() {
            return Ok(None);
        }
        let (name, email) = author;
        let name_cfg = format!("user.name={name}");
        let email_cfg = format!("user.email={email}");
        git(
            dir,
            &self.env,
            &["-c", &name_cfg, "-c", &email_cfg, "commit", "-q", "-m", message],
        )
        .await?;
        let id = git(dir, &self.env, &["rev-parse", "HEAD"]).await?;
        if !dry_run {
            let refspec = format!("HEAD:refs/heads/{branch}");
            git(dir, &self.env, &["push", "-q", "origin", &refspec]).await?;
        }
        Ok(Some(id))
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A `gitDirectory` inside the repository: relative, without `..`; empty for the root.
pub(super) fn folder(directory: &str) -> Result<String, String> {
    let trimmed = directory.trim().trim_matches('/');
    if trimmed.split('/').any(|p| p == ".." || p == ".git") || trimmed.contains('\0') {
        return Err(format!(
            "`gitDirectory` is `{directory}`; give a folder of the repository, such as `_flows`"
        ));
    }
    Ok(trimmed.to_string())
}

/// Every file under `dir` (skipping `.git` and dot files), as paths relative to it.
pub(super) fn files_under(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            let relative = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            match entry.file_type() {
                Ok(t) if t.is_dir() => walk(&entry.path(), &relative, out),
                Ok(t) if t.is_file() => out.push(relative),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out.sort();
    out
}
