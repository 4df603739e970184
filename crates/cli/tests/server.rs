//! `sluice server local` as a user runs it: start-up, the flows folder, the API, schedules,
//! SIGTERM draining and recovery after kill -9.

mod common;

use common::{get_json, http, scratch, start, state_of, trigger, wait_for};
use std::process::Command;
use std::time::{Duration, Instant};

const HELLO: &str =
    "id: hello\nnamespace: dev\ntasks:\n  - {id: hi, type: shell.Commands, commands: [\"echo hello\"]}\n";

#[test]
fn starts_fast_deploys_the_folder_and_runs_flows_from_the_api() {
    let dir = scratch("basic");
    std::fs::write(dir.join("flows/hello.yaml"), HELLO).unwrap();
    std::fs::write(dir.join("flows/broken.yaml"), "id: broken\nnamespace: dev\n").unwrap();
    let (server, took) = start(&dir);
    assert!(took < Duration::from_secs(1), "started in {took:?}");
    let flow = get_json(&server.base, "/api/v1/flows/dev/hello");
    assert_eq!(flow["revision"], 1);
    let (status, _) = http(&server.base, "GET", "/api/v1/flows/dev/broken", "text/plain", "");
    assert_eq!(status, 404, "an invalid file is not deployed");
    let id = trigger(&server.base, "dev", "hello");
    wait_for("the execution to succeed", Duration::from_secs(20), || {
        state_of(&server.base, &id) == "SUCCESS"
    });
    let (status, logs) = http(&server.base, "GET", &format!("/api/v1/logs/{id}"), "text/plain", "");
    assert_eq!(status, 200);
    assert!(logs.contains("hello"), "{logs}");
    // Editing the file redeploys it as a new revision.
    std::fs::write(
        dir.join("flows/hello.yaml"),
        HELLO.replace("echo hello", "echo hello again"),
    )
    .unwrap();
    wait_for("revision 2", Duration::from_secs(10), || {
        get_json(&server.base, "/api/v1/flows/dev/hello")["revision"] == 2
    });
}

#[test]
fn schedules_fire_while_the_server_runs() {
    let dir = scratch("schedule");
    std::fs::write(
        dir.join("flows/tick.yaml"),
        "id: tick\nnamespace: dev\ntasks:\n  - {id: t, type: io.kestra.plugin.core.log.Log, message: \"tick {{ trigger.date }}\"}\ntriggers:\n  - {id: every2s, type: io.kestra.plugin.core.trigger.Schedule, cron: \"*/2 * * * * *\", withSeconds: true}\n",
    )
    .unwrap();
    let (server, _) = start(&dir);
    wait_for("two scheduled executions", Duration::from_secs(15), || {
        let page = get_json(&server.base, "/api/v1/executions/search?namespace=dev&flowId=tick");
        page["results"].as_array().map_or(0, |r| {
            r.iter()
                .filter(|e| e["state"]["current"] == "SUCCESS" || e["state"] == "SUCCESS")
                .count()
        }) >= 2
    });
}

#[test]
fn sigterm_drains_and_a_restart_finishes_the_work() {
    let dir = scratch("drain");
    std::fs::write(
        dir.join("flows/slow.yaml"),
        "id: slow\nnamespace: dev\ntasks:\n  - {id: s, type: shell.Commands, commands: [\"sleep 3\"]}\n",
    )
    .unwrap();
    let (mut server, _) = start(&dir);
    let id = trigger(&server.base, "dev", "slow");
    wait_for("the task to run", Duration::from_secs(10), || {
        state_of(&server.base, &id) == "RUNNING"
    });
    Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    let stopped = Instant::now();
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        stopped.elapsed() < Duration::from_secs(10),
        "drained in {:?}",
        stopped.elapsed()
    );
    let (server, _) = start(&dir);
    wait_for("the handed-back task to finish", Duration::from_secs(30), || {
        state_of(&server.base, &id) == "SUCCESS"
    });
}

#[test]
fn after_kill_9_a_running_attempt_is_worker_lost_and_retried() {
    let dir = scratch("crash");
    std::fs::write(
        dir.join("flows/crash.yaml"),
        "id: crash\nnamespace: dev\ntasks:\n  - id: s\n    type: shell.Commands\n    retry: {type: constant, interval: PT0.1S, maxAttempts: 2}\n    commands: [\"echo before-the-crash\", \"sleep 2\"]\n",
    )
    .unwrap();
    let (mut server, _) = start(&dir);
    let id = trigger(&server.base, "dev", "crash");
    wait_for("the task to run", Duration::from_secs(10), || {
        state_of(&server.base, &id) == "RUNNING"
    });
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let (server, _) = start(&dir);
    wait_for("the retry to succeed", Duration::from_secs(30), || {
        state_of(&server.base, &id) == "SUCCESS"
    });
    let exec = get_json(&server.base, &format!("/api/v1/executions/{id}"));
    let attempts = exec["taskRunList"][0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{exec:#}");
    assert!(
        attempts[0]["reason"].as_str().unwrap_or("").contains("worker lost"),
        "{exec:#}"
    );
    let (_, logs) = http(&server.base, "GET", &format!("/api/v1/logs/{id}"), "text/plain", "");
    assert!(
        logs.contains("before-the-crash"),
        "a line written before the crash is kept: {logs}"
    );
    assert!(
        logs.contains("attempt 1 worker lost: Sluice stopped while the attempt was running"),
        "{logs}"
    );
}

#[test]
fn a_second_process_on_the_same_data_folder_is_refused() {
    let dir = scratch("lock");
    std::fs::write(dir.join("flows/hello.yaml"), HELLO).unwrap();
    let (_server, _) = start(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["flow", "run"])
        .arg(dir.join("flows/hello.yaml"))
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another Sluice process is running on"), "{stderr}");
}

/// A server that anyone on the network could reach refuses to start without credentials,
/// saying both ways out; with credentials every route but `/health` needs them; with
/// `--insecure-no-auth` it starts open, on purpose.
#[test]
fn a_non_loopback_server_needs_credentials_or_an_explicit_opt_out() {
    let dir = scratch("auth-default");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["server", "local", "--bind", "0.0.0.0", "--port", "0"])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .env_remove("SLUICE_AUTH_BASIC")
        .env_remove("SLUICE_AUTH_TOKENS")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("a server on 0.0.0.0 without credentials kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("refusing to serve 0.0.0.0:"), "{stderr}");
    assert!(
        stderr.contains("SLUICE_AUTH_BASIC") && stderr.contains("--insecure-no-auth"),
        "{stderr}"
    );

    let (server, _) = common::start_with(
        &dir,
        &[("SLUICE_BIND", "0.0.0.0"), ("SLUICE_AUTH_BASIC", "admin:s3cret")],
    );
    let (status, body) = http(&server.base, "GET", "/health", "text/plain", "");
    assert_eq!((status, body.contains("UP")), (200, true), "{body}");
    let (status, _) = http(&server.base, "GET", "/api/v1/flows/search", "text/plain", "");
    assert_eq!(status, 401, "the API needs the credentials");
    drop(server);

    let open = scratch("auth-opt-out");
    let (server, _) = common::start_with(
        &open,
        &[("SLUICE_BIND", "0.0.0.0"), ("SLUICE_INSECURE_NO_AUTH", "true")],
    );
    let (status, _) = http(&server.base, "GET", "/api/v1/flows/search", "text/plain", "");
    assert_eq!(status, 200, "opted out of authentication");
}

/// Killing a parent kills the Subflow execution it waits for
/// (<https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.subflow>), and resuming a
/// Pause goes through Kestra's route on a real server.
#[test]
fn killing_a_parent_kills_its_subflow_and_a_pause_resumes_over_http() {
    let dir = scratch("subflow-kill");
    std::fs::write(
        dir.join("flows/child.yaml"),
        "id: child\nnamespace: dev\ntasks:\n  - {id: wait, type: io.kestra.plugin.core.flow.Pause}\n  - {id: done, type: io.kestra.plugin.core.log.Log, message: \"resumed with {{ outputs.wait.onResume.ok }}\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("flows/parent.yaml"),
        "id: parent\nnamespace: dev\ntasks:\n  - {id: call, type: io.kestra.plugin.core.flow.Subflow, namespace: dev, flowId: child}\n",
    )
    .unwrap();
    let (server, _) = start(&dir);
    let base = server.base.clone();
    let paused_child = |base: &str| {
        get_json(
            base,
            "/api/v1/executions/search?namespace=dev&flowId=child&state=PAUSED",
        )["results"]
            .as_array()
            .and_then(|r| r.first().map(|e| e["id"].as_str().unwrap_or_default().to_string()))
    };
    let parent = trigger(&base, "dev", "parent");
    wait_for("the child to pause", Duration::from_secs(30), || {
        paused_child(&base).is_some()
    });
    let child = paused_child(&base).unwrap();
    let (status, body) = http(
        &base,
        "POST",
        &format!("/api/v1/executions/{parent}/kill"),
        "text/plain",
        "",
    );
    assert_eq!(status, 202, "{body}");
    wait_for("the parent and the child to be KILLED", Duration::from_secs(30), || {
        state_of(&base, &parent) == "KILLED" && state_of(&base, &child) == "KILLED"
    });

    // A child started by itself resumes through the API with its value.
    let alone = trigger(&base, "dev", "child");
    wait_for("the child to pause", Duration::from_secs(30), || {
        state_of(&base, &alone) == "PAUSED"
    });
    let (status, body) = http(
        &base,
        "POST",
        &format!("/api/v1/executions/{alone}/resume"),
        "application/json",
        r#"{"ok": "yes"}"#,
    );
    assert_eq!(status, 200, "{body}");
    wait_for("the resumed child to succeed", Duration::from_secs(30), || {
        state_of(&base, &alone) == "SUCCESS"
    });
    let (_, logs) = http(&base, "GET", &format!("/api/v1/logs/{alone}"), "text/plain", "");
    assert!(logs.contains("resumed with yes"), "{logs}");
}

/// A `pauseDuration` is a stored timer: a server killed (kill -9) while the execution is
/// PAUSED resumes it on time after a restart
/// (<https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.pause>).
#[test]
fn a_timed_pause_resumes_after_the_server_is_killed_and_restarted() {
    let dir = scratch("pause-restart");
    std::fs::write(
        dir.join("flows/timed.yaml"),
        "id: timed\nnamespace: dev\ntasks:\n  - {id: wait, type: io.kestra.plugin.core.flow.Pause, pauseDuration: PT3S}\n  - {id: after, type: io.kestra.plugin.core.log.Log, message: after the pause}\n",
    )
    .unwrap();
    let (mut server, _) = start(&dir);
    let id = trigger(&server.base, "dev", "timed");
    wait_for("the execution to pause", Duration::from_secs(10), || {
        state_of(&server.base, &id) == "PAUSED"
    });
    let paused_at = Instant::now();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let (server, _) = start(&dir);
    wait_for("the paused execution to succeed", Duration::from_secs(30), || {
        state_of(&server.base, &id) == "SUCCESS"
    });
    assert!(paused_at.elapsed() >= Duration::from_secs(2), "resumed too early");
    let (_, logs) = http(&server.base, "GET", &format!("/api/v1/logs/{id}"), "text/plain", "");
    assert!(logs.contains("after the pause"), "{logs}");
}
