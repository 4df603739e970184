//! git.SyncFlows, SyncNamespaceFiles, PushFlows and PushNamespaceFiles end to end on a real
//! `sluice server local`, against a real bare repository (file://): flows and files come in
//! from the repository (child namespaces from subfolders, stale flows deleted), then go back out
//! in a new commit that the repository's own git shows.
//!
//! Kestra: <https://kestra.io/plugins/plugin-git/io.kestra.plugin.git.syncflows> (and
//! syncnamespacefiles, pushflows, pushnamespacefiles on the same site).

mod common;

use common::{http, scratch, start};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn flows(origin: &Path) -> String {
    format!(
        r#"id: sync
namespace: ops
tasks:
  - id: flows_in
    type: io.kestra.plugin.git.SyncFlows
    url: file://{o}
    targetNamespace: company
    includeChildNamespaces: true
    delete: true
  - id: files_in
    type: io.kestra.plugin.git.SyncNamespaceFiles
    url: file://{o}
    namespace: company
  - id: flows_out
    type: io.kestra.plugin.git.PushFlows
    url: file://{o}
    sourceNamespace: company
    includeChildNamespaces: true
    gitDirectory: backup
    commitMessage: "backup of {{{{ flow.namespace }}}}"
  - id: files_out
    type: io.kestra.plugin.git.PushNamespaceFiles
    url: file://{o}
    namespace: company
    gitDirectory: files-backup
  - id: again
    type: io.kestra.plugin.git.PushFlows
    url: file://{o}
    sourceNamespace: company
    includeChildNamespaces: true
    gitDirectory: backup
"#,
        o = origin.display()
    )
}

#[test]
fn flows_and_files_sync_in_from_git_and_push_back_out() {
    let dir = scratch("git-sync");
    let origin = dir.join("origin.git");
    std::fs::create_dir_all(&origin).unwrap();
    git(&origin, &["init", "-q", "--bare", "-b", "main"]);
    let work = dir.join("work");
    git(&dir, &["clone", "-q", origin.to_str().unwrap(), work.to_str().unwrap()]);
    std::fs::create_dir_all(work.join("_flows/sub")).unwrap();
    std::fs::create_dir_all(work.join("_files/scripts")).unwrap();
    let hello = "id: hello\nnamespace: anything\ntasks:\n  - id: say\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
    std::fs::write(work.join("_flows/hello.yml"), hello).unwrap();
    std::fs::write(
        work.join("_flows/sub/child.yaml"),
        hello.replace("id: hello", "id: child"),
    )
    .unwrap();
    std::fs::write(work.join("_flows/README.md"), "not a flow\n").unwrap();
    std::fs::write(work.join("_files/scripts/a.sh"), "echo from git\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "seed"]);
    git(&work, &["push", "-q", "origin", "HEAD:main"]);

    std::fs::write(dir.join("flows/sync.yaml"), flows(&origin)).unwrap();
    let (server, _) = start(&dir);
    let base = &server.base;
    let stale =
        "id: stale\nnamespace: company\ntasks:\n  - {id: x, type: io.kestra.plugin.core.log.Log, message: old}\n";
    let (status, body) = http(base, "POST", "/api/v1/flows", "application/x-yaml", stale);
    assert_eq!(status, 200, "{body}");

    let (exec, logs) = common::run_to_end(base, "ops", "sync", Duration::from_secs(60));
    assert_eq!(exec["state"]["current"], "SUCCESS", "{logs}");
    let out = |task: &str| common::outputs_of(&exec, task);

    // In: the flows under their new namespaces, the stale one deleted, the file written.
    let states: Vec<String> = out("flows_in")["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}.{}:{}",
                f["namespace"].as_str().unwrap(),
                f["flowId"].as_str().unwrap(),
                f["syncState"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            "company.hello:ADDED",
            "company.sub.child:ADDED",
            "company.stale:DELETED"
        ]
    );
    let (status, _) = http(base, "GET", "/api/v1/flows/company/hello", "text/plain", "");
    assert_eq!(status, 200);
    let (status, _) = http(base, "GET", "/api/v1/flows/company.sub/child", "text/plain", "");
    assert_eq!(status, 200);
    let (status, _) = http(base, "GET", "/api/v1/flows/company/stale", "text/plain", "");
    assert_eq!(status, 404);
    let (status, body) = http(
        base,
        "GET",
        "/api/v1/namespaces/company/files?path=/scripts/a.sh",
        "text/plain",
        "",
    );
    assert_eq!((status, body.as_str()), (200, "echo from git\n"));

    // Out: one commit each, in the repository; nothing changed the second time.
    let pushed = out("flows_out")["commitId"].as_str().unwrap().to_string();
    let log = git(&origin, &["log", "--format=%H %s", "main"]);
    assert!(log.contains(&format!("{pushed} backup of ops")), "{log}");
    let backup = git(&origin, &["show", "main:backup/hello.yml"]);
    assert!(
        backup.contains("namespace: company") && backup.contains("id: hello"),
        "{backup}"
    );
    let child = git(&origin, &["show", "main:backup/sub/child.yml"]);
    assert!(child.contains("namespace: company.sub"), "{child}");
    assert_eq!(
        git(&origin, &["show", "main:files-backup/scripts/a.sh"]),
        "echo from git\n"
    );
    assert!(out("files_out")["commitId"].is_string());
    assert!(out("again")["commitId"].is_null(), "{}", out("again"));
    assert!(logs.contains("nothing changed: no commit"), "{logs}");
}
