//! Stored secrets end to end: set through the CLI (value on stdin) and the API, never returned,
//! read by `secret()` in a child namespace, masked in logs, and never in clear in the database.
//!
//! Kestra: <https://kestra.io/docs/concepts/secret>

mod common;

use common::{get_json, http, scratch, start_with, wait_for};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

const FLOW: &str = r#"id: uses_secrets
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    env:
      TOKEN: "{{ secret('API_TOKEN') }}"
      PW: "{{ secret('DB_PASSWORD') }}"
    commands:
      - '[ "$TOKEN" = "$EXPECTED_TOKEN" ] && [ "$PW" = "$EXPECTED_PW" ] && echo both-ok'
      - echo "token=$TOKEN pw=$PW"
"#;

fn files_contain(dir: &std::path::Path, needle: &[u8]) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let path = e.path();
        if path.is_dir() {
            files_contain(&path, needle)
        } else {
            std::fs::read(&path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
        }
    })
}

#[test]
fn stored_secrets_are_sealed_read_by_flows_and_never_shown() {
    let dir = scratch("secrets");
    std::fs::write(dir.join("flows/uses_secrets.yaml"), FLOW).unwrap();
    // Through the CLI, before the server holds the data folder.
    let mut cli = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["secret", "set", "company.team", "DB_PASSWORD"])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .env("SLUICE_SECRET_KEY", KEY)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    cli.stdin.take().unwrap().write_all(b"pw-from-the-cli\n").unwrap();
    let out = cli.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let no_key = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["secret", "set", "company", "X"])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .env_remove("SLUICE_SECRET_KEY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!no_key.status.success());
    assert!(String::from_utf8_lossy(&no_key.stderr).contains("SLUICE_SECRET_KEY is not set"));

    // The task compares with values from the server's environment (a process task inherits it),
    // so that no value is in the flow's source.
    let env = [
        ("SLUICE_SECRET_KEY", KEY),
        ("EXPECTED_TOKEN", "tok-12345-value"),
        ("EXPECTED_PW", "pw-from-the-cli"),
    ];
    let (server, _) = start_with(&dir, &env);
    let base = &server.base;
    let path = "/api/v1/namespaces/company/secrets/API_TOKEN";
    let (status, body) = http(base, "PUT", path, "text/plain", "tok-12345-value");
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(
        base,
        "PUT",
        "/api/v1/namespaces/company/secrets/bad-name",
        "text/plain",
        "x",
    );
    assert_eq!(status, 422, "{body}");
    let listed = get_json(base, "/api/v1/namespaces/company/secrets");
    assert_eq!(listed["results"][0]["key"], "API_TOKEN", "{listed}");
    assert!(
        !listed.to_string().contains("tok-12345"),
        "a value was returned: {listed}"
    );

    let id = common::trigger(base, "company.team", "uses_secrets");
    wait_for("the execution to end", Duration::from_secs(60), || {
        matches!(common::state_of(base, &id).as_str(), "SUCCESS" | "FAILED")
    });
    let logs = get_json(base, &format!("/api/v1/logs/{id}")).to_string();
    assert_eq!(common::state_of(base, &id), "SUCCESS", "{logs}");
    assert!(logs.contains("both-ok"), "{logs}");
    assert!(logs.contains("token=****** pw=******"), "{logs}");
    assert!(
        !files_contain(&dir.join("data"), b"tok-12345-value"),
        "a value is stored in clear"
    );
    assert!(
        !files_contain(&dir.join("data"), b"pw-from-the-cli"),
        "a value is stored in clear"
    );

    let (status, body) = http(base, "DELETE", path, "text/plain", "");
    assert_eq!((status, body.as_str()), (200, "true"));
    drop(server);

    // A server without the key cannot set one, and says how to give it.
    let (server, _) = start_with(&dir, &[("SLUICE_SECRET_KEY", "")]);
    let (status, body) = http(&server.base, "PUT", path, "text/plain", "x");
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("SLUICE_SECRET_KEY"), "{body}");
}
