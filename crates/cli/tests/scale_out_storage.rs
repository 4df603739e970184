//! Internal storage in a scale-out: a `sluice server standalone --workers 0` and `sluice worker`
//! processes on PostgreSQL, all on one S3-compatible server (moto, `scripts/s3-server`). A task's
//! output file is read by the next task on another worker process (the first worker is gone by
//! then), and served by the server, which ran no task. No process keeps a file in its data
//! folder.
//!
//! Needs `SLUICE_TEST_DATABASE_URL` (`scripts/postgres`) and `SLUICE_TEST_S3`.
//! Kestra: <https://kestra.io/docs/configuration#internal-storage>

mod common;

use common::get_json;
use common::pg::{Database, Proc, database_url, wait_until};
use std::time::Duration;

const FLOW: &str = r#"id: handover
namespace: scale
tasks:
  - id: make
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner: {type: io.kestra.plugin.core.runner.Process}
    outputFiles: [made.txt]
    commands:
      - echo "made by $PPID" > made.txt
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: take
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner: {type: io.kestra.plugin.core.runner.Process}
    commands:
      - echo "taken by $PPID from $(cat {{ outputs.make.outputFiles['made.txt'] }})"
"#;

#[test]
fn an_output_file_crosses_workers_and_is_served_by_a_server_that_ran_nothing() {
    let Some(admin) = database_url() else { return };
    let s3 = std::env::var("SLUICE_TEST_S3")
        .unwrap_or_else(|_| panic!("NO S3 SERVER: run scripts/s3-server and export what it prints (SLUICE_TEST_S3)"));
    let (bucket, query) = s3.split_once('?').unwrap();
    let storage = format!("{bucket}/scale-{}?{query}", std::process::id());
    let env = [
        ("SLUICE_STORAGE", storage.as_str()),
        ("AWS_ACCESS_KEY_ID", "sluice"),
        ("AWS_SECRET_ACCESS_KEY", "sluice-s3cret"),
    ];
    let db = Database::create(&admin);
    let dir = std::env::temp_dir().join(format!("sluice-scale-storage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = db.url.as_str();
    let server_args = ["server", "standalone", "--port", "0", "--workers", "0", "--db", url];
    let (server, line) = Proc::spawn_with("server", &dir, &server_args, &env);
    let base = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_owned();
    let (first, _) = Proc::spawn_with("first", &dir, &["worker", "--db", url], &env);
    let (status, body) = common::http(&base, "POST", "/api/v1/flows", "application/x-yaml", FLOW);
    assert_eq!(status, 200, "{body}");
    let id = common::trigger(&base, "scale", "handover");
    wait_until("the pause", Duration::from_secs(60), &[&server, &first], || {
        common::state_of(&base, &id) == "PAUSED"
    });
    let first_pid = first.child.id();
    drop(first);
    let (second, _) = Proc::spawn_with("second", &dir, &["worker", "--db", url], &env);
    let (status, body) = common::http(
        &base,
        "POST",
        &format!("/api/v1/executions/{id}/resume"),
        "text/plain",
        "",
    );
    assert!(status < 300, "{status} {body}");
    wait_until("the end", Duration::from_secs(60), &[&server, &second], || {
        matches!(common::state_of(&base, &id).as_str(), "SUCCESS" | "FAILED")
    });
    let exec = get_json(&base, &format!("/api/v1/executions/{id}"));
    let logs = get_json(&base, &format!("/api/v1/logs/{id}")).to_string();
    assert_eq!(exec["state"]["current"], "SUCCESS", "{logs}");
    let expected = format!("taken by {} from made by {first_pid}", second.child.id());
    assert!(logs.contains(&expected), "{expected}: {logs}");

    // The server ran nothing, and serves the file from the bucket.
    let make = &exec["taskRunList"][0];
    let uri = make["outputs"]["outputFiles"]["made.txt"].as_str().unwrap();
    let path = format!("/api/v1/executions/{id}/file?path={}", uri.replace('/', "%2F"));
    let (status, body) = common::http(&base, "GET", &path, "text/plain", "");
    assert_eq!((status, body), (200, format!("made by {first_pid}\n")));
    for process in ["server", "first", "second"] {
        assert!(
            !dir.join(process).join("storage/scale").exists(),
            "{process} kept a file in its data folder"
        );
    }
    drop(second);
    drop(server);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}
