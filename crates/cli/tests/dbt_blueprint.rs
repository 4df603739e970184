//! Kestra's own dbt blueprint form — a `WorkingDirectory` whose `git.Clone` fetches the dbt
//! project and whose `DbtCLI` then builds it — through `sluice flow run` on the Process, Docker
//! and Kubernetes runners. The flow is the blueprint's shape (blueprint `dbt-duckdb`: clone
//! https://github.com/kestra-io/dbt-example, branch `main`, then `dbt deps` and `dbt build` with
//! an inline DuckDB profile `my_dbt_project`); only `taskRunner` differs per runner.
//!
//! GitHub is not reachable here: the repository is a local one of our test project
//! (crates/tasks/tests/dbt, its profile renamed to the blueprint's), reached through a git
//! `insteadOf` rule in a `GIT_CONFIG_GLOBAL` file given to the server, as a user's own git
//! config would. Docker and Kubernetes run the image `ghcr.io/kestra-io/dbt-duckdb:latest` of
//! `scripts/seed-standins`; Process runs dbt from `scripts/dbt-env`. Missing parts fail loudly.
//!
//! Kestra: <https://kestra.io/blueprints/dbt-duckdb>,
//! <https://kestra.io/plugins/plugin-git/io.kestra.plugin.git.clone>,
//! <https://kestra.io/plugins/plugin-dbt/cli/io.kestra.plugin.dbt.cli.dbtcli>

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const URL: &str = "https://github.com/kestra-io/dbt-example";

fn flow(task_runner: &str, image: bool) -> String {
    let image = if image {
        "        containerImage: ghcr.io/kestra-io/dbt-duckdb:latest\n"
    } else {
        ""
    };
    format!(
        r#"id: dbt-duckdb
namespace: company.team
tasks:
  - id: dbt
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: clone_repository
        type: io.kestra.plugin.git.Clone
        url: {URL}
        branch: main
      - id: dbt_build
        type: io.kestra.plugin.dbt.cli.DbtCLI
        taskRunner:
{task_runner}
{image}        commands:
          - dbt deps
          - dbt build
        profiles: |
          my_dbt_project:
            outputs:
              dev:
                type: duckdb
                path: ":memory:"
                fixed_retries: 1
                threads: 16
                timeout_seconds: 300
            target: dev
"#
    )
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=sluice", "-c", "user.email=sluice@example.invalid"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The stand-in repository (branch `main`) and a git config sending the blueprint's URL to it.
fn standin(dir: &Path) -> PathBuf {
    let repo = dir.join("dbt-example");
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tasks/tests/dbt");
    assert!(
        Command::new("cp")
            .arg("-a")
            .arg(&project)
            .arg(&repo)
            .status()
            .unwrap()
            .success()
    );
    let manifest = repo.join("dbt_project.yml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("profile: sluice_shop", "profile: my_dbt_project"),
    )
    .unwrap();
    std::fs::remove_file(repo.join("profiles.yml")).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "standing in for kestra-io/dbt-example"]);
    let config = dir.join("gitconfig");
    let rule = format!("[url \"file://{}\"]\n\tinsteadOf = {URL}\n", repo.display());
    std::fs::write(&config, rule).unwrap();
    config
}

fn run(name: &str, task_runner: &str, image: bool, env: &[(&str, String)]) -> (Value, String) {
    let dir = std::env::temp_dir().join(format!("sluice-dbt-blueprint-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = standin(&dir);
    let path = dir.join("flow.yaml");
    std::fs::write(&path, flow(task_runner, image)).unwrap();
    let sluice = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(args)
            .env("SLUICE_DATA_DIR", dir.join("data"))
            .env("GIT_CONFIG_GLOBAL", &config)
            .env_remove("XDG_DATA_HOME")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .expect("sluice runs")
    };
    let out = sluice(&["flow", "run", path.to_str().unwrap(), "--output", "json"]);
    let exec: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let id = exec["id"].as_str().unwrap_or_default().to_string();
    let logs = String::from_utf8_lossy(&sluice(&["execution", "logs", &id]).stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (exec, format!("{stderr}\n{logs}"))
}

/// The build ran every node of the project in the cloned directory: 3 seeds, 3 staging views, 1
/// mart and 13 tests, one of which warns (as the project means it to).
fn check(exec: &Value, logs: &str) {
    assert_eq!(exec["state"]["current"], "WARNING", "{logs}\n{exec:#}");
    let runs = exec["taskRunList"].as_array().unwrap();
    let build = runs.iter().find(|r| r["taskId"] == "dbt_build").unwrap();
    let nodes = runs.iter().filter(|r| r["parentTaskRunId"] == build["id"]).count();
    assert_eq!(nodes, 20, "{logs}");
    let clone = runs.iter().find(|r| r["taskId"] == "clone_repository").unwrap();
    assert_eq!(clone["state"]["current"], "SUCCESS");
}

fn dbt_path() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = std::env::var_os("SLUICE_DBT_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/dbt-venv"));
    let bin = venv.join("bin");
    assert!(
        bin.join("dbt").is_file(),
        "NO DBT: {} has no dbt; run scripts/dbt-env",
        bin.display()
    );
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}

#[test]
fn the_dbt_blueprint_runs_on_process() {
    let runner = "          type: io.kestra.plugin.core.runner.Process";
    let (exec, logs) = run("process", runner, false, &[("PATH", dbt_path())]);
    check(&exec, &logs);
}

#[test]
fn the_dbt_blueprint_runs_unchanged_on_docker() {
    let runner = "          type: io.kestra.plugin.scripts.runner.docker.Docker";
    let (exec, logs) = run("docker", runner, true, &[]);
    check(&exec, &logs);
}

#[test]
fn the_dbt_blueprint_runs_on_kubernetes() {
    let kubeconfig = std::env::var("SLUICE_E2E_KUBECONFIG").unwrap_or_else(|_| {
        panic!("NO KUBERNETES CLUSTER: set SLUICE_E2E_KUBECONFIG (scripts/k8s-cluster start prints it)")
    });
    let runner = "          type: io.kestra.plugin.ee.kubernetes.runner.Kubernetes";
    let (exec, logs) = run("kubernetes", runner, true, &[("KUBECONFIG", kubeconfig)]);
    check(&exec, &logs);
}
