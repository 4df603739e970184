//! `sluice flow run` with the Docker task runner, end to end, on the real engine with the locally
//! imported `sluice-test/busybox:1` (see `scripts/docker-engine`). Fails loudly without an engine.

mod common;

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
inputs:
  - id: data
    type: FILE
tasks:
  - id: dbt
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: sluice-test/busybox:1
    taskRunner:
      type: io.kestra.plugin.scripts.runner.docker.Docker
      pullPolicy: NEVER
    inputFiles:
      profiles.yml: "target: dev"
      data.csv: "{{ inputs.data }}"
    outputFiles:
      - "*.txt"
    commands:
      - echo "in {{ workingDir }}"
      - cat profiles.yml
      - cat data.csv
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
    // A FILE input, uploaded by the CLI and read in the container (Kestra's FILE input).
    let upload = dir.join("upload.csv");
    std::fs::write(&upload, "id\nfrom-the-upload\n").unwrap();
    let input = format!("data=@{}", upload.display());
    let out = run(&[
        "flow",
        "run",
        flow.to_str().unwrap(),
        "--output",
        "json",
        "--input",
        &input,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let exec: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{exec:#}");
    assert_eq!(exec["state"]["current"], "SUCCESS");
    let id = exec["id"].as_str().unwrap();
    let logs = run(&["execution", "logs", id, "--task", "dbt"]);
    let text = String::from_utf8_lossy(&logs.stdout);
    assert!(text.contains("in /sluice/work"), "{text}");
    assert!(text.contains("target: dev"), "{text}");
    assert!(
        text.contains("from-the-upload"),
        "the FILE input reached the container: {text}"
    );
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

#[test]
fn a_server_start_sweeps_containers_of_ended_attempts_and_only_those() {
    let dir = std::env::temp_dir().join(format!("sluice-sweep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    let flow = dir.join("flow.yaml");
    std::fs::write(
        &flow,
        "id: swept\nnamespace: dev\ntasks:\n  - id: t\n    type: io.kestra.plugin.scripts.shell.Commands\n    containerImage: sluice-test/busybox:1\n    taskRunner: {type: io.kestra.plugin.scripts.runner.docker.Docker, pullPolicy: NEVER}\n    commands: [\"true\"]\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["flow", "run", flow.to_str().unwrap(), "--output", "json"])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .output()
        .unwrap();
    let exec: Value = serde_json::from_slice(&out.stdout).unwrap();
    let job = format!(
        "{}-{}-1",
        exec["id"].as_str().unwrap(),
        exec["taskRunList"][0]["id"].as_str().unwrap()
    );
    // What a crash between the report and the clean-up leaves: the attempt's container.
    let leftover = |job: &str| {
        let out = Command::new("docker")
            .args(["run", "-d", "--label", "sluice.managed=true", "--label"])
            .arg(format!("sluice.job={job}"))
            .args(["sluice-test/busybox:1", "sleep", "600"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let ours = leftover(&job);
    let foreign = leftover("notours-notours-1");
    let exists = |id: &str| {
        Command::new("docker")
            .args(["inspect", id])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let mut server = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["server", "local", "--port", "0"])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while exists(&ours) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let _ = server.kill();
    let _ = server.wait();
    let foreign_left = exists(&foreign);
    let _ = Command::new("docker").args(["rm", "-f", &foreign, &ours]).output();
    assert!(!exists(&ours), "the ended attempt's container is swept");
    assert!(foreign_left, "a container of an unknown execution is left alone");
}

/// A WorkingDirectory whose tasks run in separate containers still shares its files: the worker
/// hands the directory to each container and takes back what it left
/// (<https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.workingdirectory>).
#[test]
fn working_directory_files_cross_containers() {
    let env = common::run::Env::new("docker-workdir");
    let yaml = r#"
id: wdir_docker
namespace: company.team
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: write
        type: io.kestra.plugin.scripts.shell.Commands
        containerImage: sluice-test/busybox:1
        taskRunner: {type: io.kestra.plugin.scripts.runner.docker.Docker, pullPolicy: NEVER}
        commands: ["mkdir -p project && echo from-container-one > project/model.sql"]
      - id: read
        type: io.kestra.plugin.scripts.shell.Commands
        containerImage: sluice-test/busybox:1
        taskRunner: {type: io.kestra.plugin.scripts.runner.docker.Docker, pullPolicy: NEVER}
        commands: ["echo \"read $(cat project/model.sql)\""]
"#;
    let (code, exec, stderr) = env.run(yaml, &[]);
    let id = exec["id"].as_str().unwrap_or_default();
    let logs = String::from_utf8_lossy(&env.sluice(&["execution", "logs", id]).stdout).into_owned();
    assert_eq!(code, 0, "{stderr}\n{logs}");
    assert!(logs.contains("read from-container-one"), "{logs}");
}
