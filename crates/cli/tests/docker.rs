//! `sluice flow run` with the Docker task runner, end to end, on the real engine with the locally
//! imported `sluice-test/busybox:1` (see `scripts/docker-engine`). Fails loudly without an engine.

use serde_json::Value;
use std::process::Command;

#[test]
fn the_seed_docker_runner_shape_runs_in_a_container() {
    let engine = Command::new("docker")
        .args(["image", "inspect", "sluice-test/busybox:1"])
        .output();
    assert!(
        engine.as_ref().is_ok_and(|o| o.status.success()),
        "NO DOCKER ENGINE OR TEST IMAGE: run scripts/docker-engine first ({engine:?})"
    );
    let dir = std::env::temp_dir().join(format!("sluice-run-docker-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let flow = dir.join("flow.yaml");
    std::fs::write(
        &flow,
        r#"
id: dbt_docker_runner
namespace: company.team
tasks:
  - id: dbt
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: sluice-test/busybox:1
    taskRunner:
      type: io.kestra.plugin.scripts.runner.docker.Docker
      pullPolicy: NEVER
    inputFiles:
      profiles.yml: "target: dev"
    outputFiles:
      - "*.txt"
    commands:
      - echo "in {{ workingDir }}"
      - cat profiles.yml
      - echo built > result.txt
"#,
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(args)
            .env("SLUICE_DATA_DIR", dir.join("data"))
            .env_remove("XDG_DATA_HOME")
            .output()
            .expect("sluice runs")
    };
    let out = run(&["flow", "run", flow.to_str().unwrap(), "--output", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let exec: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{exec:#}");
    assert_eq!(exec["state"]["current"], "SUCCESS");
    let id = exec["id"].as_str().unwrap();
    let logs = run(&["execution", "logs", id, "--task", "dbt"]);
    let text = String::from_utf8_lossy(&logs.stdout);
    assert!(text.contains("in /sluice/work"), "{text}");
    assert!(text.contains("target: dev"), "{text}");
    let task = &exec["taskRunList"][0];
    assert!(task["outputs"]["outputFiles"].get("result.txt").is_some(), "{task:#}");
    let left = Command::new("docker")
        .args(["ps", "-aq", "--filter", "label=sluice.managed=true", "--filter"])
        .arg(format!("label=sluice.job={id}-{}-1", task["id"].as_str().unwrap()))
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "no container is left: {}",
        String::from_utf8_lossy(&left.stdout)
    );
}

#[test]
fn host_volumes_need_the_servers_permission() {
    let dir = std::env::temp_dir().join(format!("sluice-run-volumes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("shared")).unwrap();
    let flow = dir.join("flow.yaml");
    std::fs::write(
        &flow,
        format!(
            r#"
id: volumes
namespace: company.team
tasks:
  - id: write
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: sluice-test/busybox:1
    taskRunner:
      type: io.kestra.plugin.scripts.runner.docker.Docker
      pullPolicy: NEVER
      volumes: ["{}:/shared"]
    commands:
      - echo written > /shared/out.txt
"#,
            dir.join("shared").display()
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(["flow", "run", flow.to_str().unwrap()])
            .args(extra)
            .env("SLUICE_DATA_DIR", dir.join("data"))
            .env_remove("SLUICE_DOCKER_VOLUMES")
            .env_remove("XDG_DATA_HOME")
            .output()
            .expect("sluice runs")
    };
    let refused = run(&[]);
    let text = String::from_utf8_lossy(&refused.stdout).into_owned() + &String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{text}");
    assert!(text.contains("`volumes` (host bind mounts) are disabled"), "{text}");
    assert!(text.contains("--docker-volumes"), "{text}");
    assert!(!dir.join("shared/out.txt").exists());
    let allowed = run(&["--docker-volumes"]);
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("shared/out.txt")).unwrap(),
        "written\n"
    );
}
