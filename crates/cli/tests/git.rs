//! `git.Clone` end to end through `sluice flow run`, against real repositories: a file:// one,
//! `git daemon` (git://) and git's smart-HTTP backend behind basic authentication, both started
//! on loopback by `scripts/git-server` (the test command runs it).
//!
//! Kestra: <https://kestra.io/plugins/plugin-git/io.kestra.plugin.git.clone>, and its
//! WorkingDirectory examples: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.workingdirectory>

mod common;

use common::run::{Env, task};
use std::path::{Path, PathBuf};
use std::process::Command;

fn need(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: start the git servers with `eval \"$(scripts/git-server)\"` (scripts/test does)")
    })
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A bare repository `name.git` under the servers' root: `main` with two commits (`a.txt` is
/// `one`, then `two`), tag `v1` on the first, branch `dev` with `a.txt` = `dev`. Returns its
/// path and the first commit.
fn repository(name: &str) -> (PathBuf, String) {
    let root = PathBuf::from(need("SLUICE_TEST_GIT_ROOT"));
    let work = std::env::temp_dir().join(format!("sluice-git-src-{name}"));
    let bare = root.join(format!("{name}.git"));
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::fs::remove_dir_all(&bare);
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    std::fs::write(work.join("a.txt"), "one").unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "one"]);
    let first = git(&work, &["rev-parse", "HEAD"]);
    git(&work, &["tag", "v1"]);
    std::fs::write(work.join("a.txt"), "two").unwrap();
    git(&work, &["commit", "-q", "-am", "two"]);
    git(&work, &["checkout", "-q", "-b", "dev"]);
    std::fs::write(work.join("a.txt"), "dev").unwrap();
    git(&work, &["commit", "-q", "-am", "dev"]);
    git(&work, &["checkout", "-q", "main"]);
    git(
        &root,
        &["clone", "-q", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()],
    );
    (bare, first)
}

#[test]
fn clones_over_file_git_and_http_into_a_working_directory() {
    let name = format!("clone-{}", std::process::id());
    let (bare, first) = repository(&name);
    let http = need("SLUICE_TEST_GIT_HTTP");
    let daemon = need("SLUICE_TEST_GIT_DAEMON");
    let yaml = format!(
        r#"id: git_clone
namespace: company.team
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      seeded.txt: from inputFiles
    tasks:
      - id: into_root
        type: io.kestra.plugin.git.Clone
        url: file://{bare}
      - id: main
        type: io.kestra.plugin.git.Clone
        url: {daemon}/{name}.git
        directory: main
      - id: dev
        type: io.kestra.plugin.git.Clone
        url: {http}/{name}.git
        branch: dev
        directory: branches/dev
        username: sluice
        password: git-s3cret
      - id: tagged
        type: io.kestra.plugin.git.Clone
        url: file://{bare}
        tag: v1
        directory: tagged
      - id: old
        type: io.kestra.plugin.git.Clone
        url: file://{bare}
        commit: "{first}"
        directory: old
        gitConfig:
          user.name: Sluice Bot
      - id: read
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - echo "root=$(cat a.txt) seeded=$(cat seeded.txt) main=$(cat main/a.txt) dev=$(cat branches/dev/a.txt) tagged=$(cat tagged/a.txt) old=$(cat old/a.txt)"
          - echo "depth=$(git -C main rev-list --count HEAD) oldname=$(git -C old config user.name)"
"#,
        bare = bare.display()
    );
    let env = Env::new("git-clone");
    let (code, exec, stderr) = env.run(&yaml, &[]);
    let id = exec["id"].as_str().unwrap_or_default().to_string();
    let logs = String::from_utf8_lossy(&env.sluice(&["execution", "logs", &id]).stdout).into_owned();
    assert_eq!(code, 0, "{stderr}\n{logs}");
    assert!(
        logs.contains("root=two seeded=from inputFiles main=two dev=dev tagged=one old=one"),
        "{logs}"
    );
    assert!(
        logs.contains("depth=1 oldname=Sluice Bot"),
        "shallow by default: {logs}"
    );
    let directory = task(&exec, "dev")["outputs"]["directory"]
        .as_str()
        .unwrap_or_else(|| panic!("{exec:#}"))
        .to_string();
    assert!(directory.ends_with("/branches/dev"), "{directory}");
    assert!(!logs.contains("git-s3cret"), "the password is in no log: {logs}");
}

#[test]
fn a_refused_clone_fails_with_gits_reason() {
    let name = format!("refused-{}", std::process::id());
    repository(&name);
    let http = need("SLUICE_TEST_GIT_HTTP");
    let env = Env::new("git-refused");
    for (props, reason) in [
        ("username: sluice\n    password: wrong", "Authentication failed"),
        ("directory: ../escape", "must be a folder inside the working directory"),
    ] {
        let yaml = format!(
            "id: refused\nnamespace: company.team\ntasks:\n  - id: clone\n    type: io.kestra.plugin.git.Clone\n    url: {http}/{name}.git\n    {props}\n"
        );
        let (code, exec, stderr) = env.run(&yaml, &[]);
        assert_ne!(code, 0, "{exec}");
        let id = exec["id"].as_str().unwrap_or_default().to_string();
        let logs = String::from_utf8_lossy(&env.sluice(&["execution", "logs", &id]).stdout).into_owned();
        assert!(
            logs.contains(reason) || stderr.contains(reason),
            "{reason}: {logs}\n{stderr}"
        );
    }
}
