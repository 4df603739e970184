//! The seed guide's DbtCLI shape on the Process runner, end to end: `git clone` of a repository
//! (a local one standing in for GitHub), `dbt deps`, `dbt build` on our DuckDB test project
//! (crates/tasks/tests/dbt), then one child task run per dbt node. dbt comes from PyPI through
//! `scripts/dbt-env`; without it these tests fail under CI and say so loudly elsewhere.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The venv's bin directory, or `None` (with a loud message) outside CI.
fn dbt_bin() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = std::env::var_os("SLUICE_DBT_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/dbt-venv"));
    let bin = venv.join("bin");
    if bin.join("dbt").is_file() {
        return Some(bin);
    }
    let message = format!("NO DBT: {} has no dbt; run scripts/dbt-env", bin.display());
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("SKIPPED: {message}");
    None
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=sluice", "-c", "user.email=sluice@example.invalid"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// A git repository holding the test project on branch `duckdb`, as the seed clones one.
fn repository(dir: &Path) -> PathBuf {
    let repo = dir.join("jaffle_shop_duckdb");
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tasks/tests/dbt");
    let status = Command::new("cp").arg("-a").arg(&project).arg(&repo).status().unwrap();
    assert!(status.success());
    git(&repo, &["init", "-q", "-b", "duckdb"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "test project"]);
    repo
}

fn run(dir: &Path, bin: &Path, build: &str) -> (i32, Value, String) {
    let repo = repository(dir);
    let flow = format!(
        r#"id: dbt-task-runner
namespace: dev
tasks:
  - id: dbt_build
    type: io.kestra.plugin.dbt.cli.DbtCLI
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    commands:
      - git clone --depth 1 file://{} --branch duckdb --single-branch
      - cp -a jaffle_shop_duckdb/. .
      - dbt deps
      - "{build}"
"#,
        repo.display()
    );
    let path = dir.join("flow.yaml");
    std::fs::write(&path, flow).unwrap();
    let search = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["flow", "run", path.to_str().unwrap(), "--output", "json"])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .env("PATH", search)
        .env_remove("XDG_DATA_HOME")
        .output()
        .expect("sluice runs");
    let exec = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        exec,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-dbt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn children<'a>(exec: &'a Value, parent: &str) -> Vec<&'a Value> {
    exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["parentTaskRunId"] == parent)
        .collect()
}

fn logs(dir: &Path, id: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["execution", "logs", id])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_dbt_build_shows_each_node_as_a_task_run() {
    let Some(bin) = dbt_bin() else { return };
    let dir = scratch("build");
    let (code, exec, stderr) = run(&dir, &bin, "dbt build");
    assert_eq!(code, 0, "{stderr}\n{exec:#}");
    // One test of the project always warns: the task and the execution are WARNING.
    assert_eq!(exec["state"]["current"], "WARNING", "{exec:#}");
    let task = &exec["taskRunList"][0];
    assert_eq!(task["state"]["current"], "WARNING");
    let reason = task["attempts"][0]["reason"].as_str().unwrap_or("");
    assert!(reason.contains("not_null_stg_customers_last_name"), "{reason}");
    for file in ["target/run_results.json", "target/manifest.json"] {
        assert!(
            task["outputs"]["outputFiles"].get(file).is_some(),
            "{file}: {:#}",
            task["outputs"]
        );
    }
    let nodes = children(&exec, task["id"].as_str().unwrap());
    // 3 seeds, 3 staging views, 1 mart, 13 tests (the 14th runs only with `fail_test`).
    let ids: Vec<&str> = nodes.iter().filter_map(|n| n["taskId"].as_str()).collect();
    assert_eq!(nodes.len(), 20, "{ids:#?}");
    let state_of = |id: &str| {
        nodes
            .iter()
            .find(|n| n["taskId"] == id)
            .map(|n| n["state"]["current"].as_str().unwrap_or("").to_owned())
            .unwrap_or_else(|| panic!("no task run for {id}"))
    };
    assert_eq!(state_of("seed.sluice_shop.raw_orders"), "SUCCESS");
    assert_eq!(state_of("model.sluice_shop.customer_orders"), "SUCCESS");
    let warned: Vec<&str> = nodes
        .iter()
        .filter(|n| n["state"]["current"] == "WARNING")
        .filter_map(|n| n["taskId"].as_str())
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("not_null_stg_customers_last_name"), "{warned:?}");
    let time = |v: &Value| -> jiff::Timestamp { v["date"].as_str().unwrap().parse().unwrap() };
    let attempt_start = time(&task["attempts"][0]["state"]["histories"][0]);
    for node in &nodes {
        let histories = node["state"]["histories"].as_array().unwrap();
        let (first, last) = (time(histories.first().unwrap()), time(histories.last().unwrap()));
        assert!(first <= last, "{node:#}");
        assert!(first >= attempt_start, "a node starts within the attempt: {node:#}");
    }
    let text = logs(&dir, exec["id"].as_str().unwrap());
    assert!(
        !text.contains("{\"info\""),
        "dbt's JSON lines become log lines:\n{text}"
    );
    assert!(text.contains("WARN"), "dbt's warning keeps its level:\n{text}");
    assert!(text.contains("seed.sluice_shop.raw_orders => success"), "{text}");

    // The web UI shows the nodes like any task run: a Gantt row each, nested under the task.
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    let (server, _) = common::start(&dir);
    let id = exec["id"].as_str().unwrap();
    let (status, page) = common::http(&server.base, "GET", &format!("/ui/executions/{id}"), "text/plain", "");
    assert_eq!(status, 200);
    assert_eq!(
        page.matches(r#"<g class="gantt-row"#).count(),
        21,
        "the task and its 20 nodes"
    );
    assert!(page.contains("model.sluice_shop.customer_orders"), "{page}");
    assert!(page.contains("rows.affected"), "the metrics of the nodes are shown");
}

#[test]
fn a_failing_dbt_test_fails_the_task_and_names_the_node() {
    let Some(bin) = dbt_bin() else { return };
    let dir = scratch("fail");
    let (code, exec, stderr) = run(&dir, &bin, "dbt build --vars '{fail_test: true}'");
    assert_eq!(code, 1, "{stderr}\n{exec:#}");
    assert_eq!(exec["state"]["current"], "FAILED");
    let task = &exec["taskRunList"][0];
    let reason = task["attempts"][0]["reason"].as_str().unwrap_or("");
    assert!(reason.contains("assert_payments_below_limit"), "{reason}");
    let nodes = children(&exec, task["id"].as_str().unwrap());
    assert!(
        nodes
            .iter()
            .any(|n| n["taskId"] == "test.sluice_shop.assert_payments_below_limit" && n["state"]["current"] == "FAILED"),
        "{nodes:#?}"
    );
    assert!(nodes.iter().any(|n| n["state"]["current"] == "SKIPPED"), "{nodes:#?}");
}
