//! kill -9 of `sluice server local` while a task runs in a Docker container: the restarted server
//! re-attaches to the container, stores the complete log exactly once, and never creates a second
//! container for the attempt. Needs the engine and image of `scripts/docker-engine`; fails loudly
//! without them.

mod common;

use common::{Server, get_json, http, scratch, start, state_of, trigger, wait_for};
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const LINES: usize = 40;

fn flow() -> String {
    format!(
        r#"id: crashy
namespace: dev
tasks:
  - id: work
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: sluice-test/busybox:1
    taskRunner:
      type: io.kestra.plugin.scripts.runner.docker.Docker
      pullPolicy: NEVER
    outputFiles: [result.txt]
    commands:
      - 'for i in $(seq 1 {LINES}); do echo line-$i; sleep 0.2; done'
      - echo done > result.txt
"#
    )
}

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().expect("docker runs");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn engine_ready() {
    let image = Command::new("docker")
        .args(["image", "inspect", "sluice-test/busybox:1"])
        .output();
    assert!(
        image.as_ref().is_ok_and(|o| o.status.success()),
        "NO DOCKER ENGINE OR TEST IMAGE: run scripts/docker-engine first ({image:?})"
    );
}

fn log_text(base: &str, id: &str) -> String {
    http(base, "GET", &format!("/api/v1/logs/{id}/download"), "text/plain", "").1
}

/// Runs the crash scenario; `wait_for_exit` lets the container end while no server runs.
fn crash_and_reattach(name: &str, wait_for_exit: bool) {
    engine_ready();
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() - 1;
    let dir = scratch(name);
    std::fs::write(dir.join("flows/crashy.yaml"), flow()).unwrap();
    let (mut server, _) = start(&dir);
    let id = trigger(&server.base, "dev", "crashy");
    wait_for("a few lines to be stored", Duration::from_secs(30), || {
        log_text(&server.base, &id).contains("line-5\n")
    });
    assert_eq!(
        state_of(&server.base, &id),
        "RUNNING",
        "the container must still run when Sluice is killed"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let exec = stored_exec(&dir, &id);
    let job = format!("{id}-{}-1", exec["taskRunList"][0]["id"].as_str().unwrap());
    let label = format!("label=sluice.job={job}");
    assert_eq!(
        docker(&["ps", "-q", "--filter", &label]).lines().count(),
        1,
        "the container runs on without Sluice"
    );
    if wait_for_exit {
        wait_for("the container to end", Duration::from_secs(30), || {
            docker(&["ps", "-q", "--filter", &label]).trim().is_empty()
        });
    }
    let (server, _) = start(&dir);
    wait_for("the re-attached task to succeed", Duration::from_secs(60), || {
        let state = state_of(&server.base, &id);
        assert!(
            state != "FAILED",
            "{:#}",
            get_json(&server.base, &format!("/api/v1/executions/{id}"))
        );
        state == "SUCCESS"
    });
    check(&server, &id, &job, &label, since);
}

/// The execution as stored, read with the CLI while no server holds the data folder.
fn stored_exec(dir: &std::path::Path, id: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["execution", "show", id])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn check(server: &Server, id: &str, job: &str, label: &str, since: u64) {
    let exec = get_json(&server.base, &format!("/api/v1/executions/{id}"));
    let run = &exec["taskRunList"][0];
    assert_eq!(run["attempts"].as_array().unwrap().len(), 1, "one attempt: {exec:#}");
    assert!(run["outputs"]["outputFiles"].get("result.txt").is_some(), "{run:#}");
    let logs = log_text(&server.base, id);
    let lines: Vec<&str> = logs
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .filter(|w| w.starts_with("line-"))
        .collect();
    let expected: Vec<String> = (1..=LINES).map(|i| format!("line-{i}")).collect();
    assert_eq!(lines, expected, "every line once, in order:\n{logs}");
    assert!(logs.contains("re-attached to its docker job"), "{logs}");
    let until = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 1;
    let created = docker(&[
        "events",
        "--since",
        &since.to_string(),
        "--until",
        &until.to_string(),
        "--filter",
        "type=container",
        "--filter",
        "event=create",
        "--filter",
        label,
        "--format",
        "{{.Actor.Attributes.name}}",
    ]);
    assert_eq!(created.lines().count(), 1, "exactly one container for {job}: {created}");
    assert!(
        docker(&["ps", "-aq", "--filter", label]).trim().is_empty(),
        "no container is left"
    );
}

#[test]
fn kill_9_mid_task_reattaches_to_the_running_container() {
    crash_and_reattach("reattach-running", false);
}

#[test]
fn kill_9_then_the_container_ends_before_the_restart() {
    crash_and_reattach("reattach-ended", true);
}
