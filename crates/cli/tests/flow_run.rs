//! `sluice flow run` end to end: real processes, a real SQLite file, the binary as a user runs it.

mod common;

use common::run::{Env, task};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn ts(v: &Value) -> jiff::Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

fn attempt_start(attempt: &Value) -> jiff::Timestamp {
    let h = attempt["state"]["histories"].as_array().unwrap();
    ts(&h.iter().find(|h| h["state"] == "RUNNING").unwrap_or(&h[0])["date"])
}

/// Processes whose command line contains `marker`, other than ourselves.
fn processes_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        if text.contains(marker) && !status.contains("State:\tZ") {
            found.push(text);
        }
    }
    found
}

#[test]
fn outputs_pass_from_one_task_to_the_next() {
    let env = Env::new("outputs");
    let (code, exec, stderr) = env.run(
        r#"
id: pass
namespace: dev
inputs:
  - {id: who, type: STRING, defaults: world}
tasks:
  - id: produce
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo '::{"outputs":{"greeting":"hello {{ inputs.who }}","n":3}}::'
  - id: consume
    type: shell.Commands
    commands:
      - echo "got {{ outputs.produce.vars.greeting }} x{{ outputs.produce.vars.n }}"
      - test "{{ outputs.produce.exitCode }}" = 0
"#,
        &["--input", "who=sluice"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(exec["state"]["current"], "SUCCESS");
    assert_eq!(task(&exec, "produce")["outputs"]["vars"]["greeting"], "hello sluice");
    let id = exec["id"].as_str().unwrap();
    let logs = env.sluice(&["execution", "logs", id, "--task", "consume"]);
    let text = String::from_utf8_lossy(&logs.stdout);
    assert!(text.contains("[consume] got hello sluice x3"), "{text}");
    assert!(!text.contains("::{"), "protocol lines are not log lines: {text}");
}

#[test]
fn exponential_retry_ends_warning_after_three_attempts_with_the_delays() {
    let env = Env::new("retry");
    let counter = env.dir.join("count");
    let yaml = format!(
        r#"
id: flaky
namespace: dev
tasks:
  - id: flaky
    type: shell.Commands
    retry: {{type: exponential, interval: PT0.2S, maxInterval: PT1S, maxAttempts: 5, warningOnRetry: true}}
    commands:
      - echo x >> {counter}
      - test $(wc -l < {counter}) -ge 3
"#,
        counter = counter.display()
    );
    let (code, exec, stderr) = env.run(&yaml, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(exec["state"]["current"], "WARNING", "{exec:#}");
    let attempts = task(&exec, "flaky")["attempts"].as_array().unwrap().clone();
    let states: Vec<&str> = attempts
        .iter()
        .map(|a| a["state"]["current"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["FAILED", "FAILED", "SUCCESS"]);
    let starts: Vec<jiff::Timestamp> = attempts.iter().map(attempt_start).collect();
    let gap1 = starts[1].duration_since(starts[0]).as_millis();
    let gap2 = starts[2].duration_since(starts[1]).as_millis();
    assert!(gap1 >= 200, "first retry after {gap1} ms");
    assert!(gap2 >= 400, "second retry after {gap2} ms");
    assert!(gap2 < 3000, "second retry after {gap2} ms");
}

#[test]
fn timeout_fails_within_three_seconds_and_leaves_no_process() {
    let env = Env::new("timeout");
    let started = Instant::now();
    let (code, exec, stderr) = env.run(
        r#"
id: slow
namespace: dev
tasks:
  - id: slow
    type: shell.Commands
    timeout: PT1S
    commands:
      - sh -c 'sleep 30.4242'
"#,
        &[],
    );
    let took = started.elapsed();
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(exec["state"]["current"], "FAILED");
    let reason = task(&exec, "slow")["attempts"][0]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("timed out"), "{reason}");
    assert!(
        took < Duration::from_secs(3) + Duration::from_millis(700),
        "took {took:?}"
    );
    assert!(
        processes_with("sleep 30.4242").is_empty(),
        "left behind: {:?}",
        processes_with("sleep 30.4242")
    );
}

#[test]
fn allow_failure_errors_and_finally() {
    let env = Env::new("branches");
    let (code, exec, stderr) = env.run(
        r#"
id: branches
namespace: dev
tasks:
  - {id: tolerated, type: shell.Commands, commands: ["exit 3"], allowFailure: true}
  - {id: broken, type: shell.Commands, commands: ["exit 4"]}
  - {id: never, type: shell.Commands, commands: ["true"]}
errors:
  - {id: alert, type: io.kestra.plugin.core.log.Log, message: "{{ flow.id }} failed"}
finally:
  - {id: cleanup, type: io.kestra.plugin.core.log.Log, message: cleaned}
"#,
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(exec["state"]["current"], "FAILED");
    assert_eq!(task(&exec, "tolerated")["state"]["current"], "FAILED");
    assert_eq!(task(&exec, "tolerated")["attempts"][0]["exitCode"], 3);
    assert_eq!(task(&exec, "broken")["state"]["current"], "FAILED");
    assert!(
        exec["taskRunList"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["taskId"] != "never")
    );
    assert_eq!(task(&exec, "alert")["state"]["current"], "SUCCESS");
    assert_eq!(task(&exec, "cleanup")["state"]["current"], "SUCCESS");
}

#[test]
fn parallel_sleeps_overlap() {
    let env = Env::new("parallel");
    let started = Instant::now();
    let (code, exec, stderr) = env.run(
        r#"
id: par
namespace: dev
tasks:
  - id: both
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - {id: left, type: shell.Commands, commands: ["sleep 1"]}
      - {id: right, type: shell.Commands, commands: ["sleep 1"]}
"#,
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let (start, end) = (
        ts(&exec["state"]["histories"][0]["date"]),
        ts(&exec["state"]["histories"].as_array().unwrap().last().unwrap()["date"]),
    );
    let ms = end.duration_since(start).as_millis();
    assert!(
        ms < 1800,
        "two 1 s sleeps took {ms} ms in the execution ({:?} wall)",
        started.elapsed()
    );
}

#[test]
fn input_file_names_that_escape_are_rejected_before_anything_runs() {
    let env = Env::new("files");
    let marker = env.dir.join("ran");
    let yaml = format!(
        "id: files\nnamespace: dev\ntasks:\n  - id: t\n    type: shell.Commands\n    inputFiles:\n      ../escape.sh: x\n    commands: [\"touch {}\"]\n",
        marker.display()
    );
    let (code, _, stderr) = env.run(&yaml, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("input file name `../escape.sh` climbs out of the working directory"),
        "{stderr}"
    );
    assert!(!marker.exists());
    // A name that only escapes once rendered is refused at run time, still before the command runs.
    let yaml = format!(
        "id: files\nnamespace: dev\ninputs:\n  - {{id: name, type: STRING}}\ntasks:\n  - id: t\n    type: shell.Commands\n    inputFiles: '{{\"{{{{ inputs.name }}}}\": \"x\"}}'\n    commands: [\"touch {}\"]\n",
        marker.display()
    );
    let (code, exec, stderr) = env.run(&yaml, &["--input", "name=/etc/passwd"]);
    assert_eq!(code, 1, "{stderr}");
    let reason = task(&exec, "t")["attempts"][0]["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("/etc/passwd"), "{reason}");
    assert!(!marker.exists());
}

#[test]
fn inputs_of_every_type_with_defaults_and_type_errors() {
    let env = Env::new("inputs");
    let yaml = r#"
id: inputs
namespace: dev
inputs:
  - {id: s, type: STRING, defaults: text}
  - {id: i, type: INT}
  - {id: f, type: FLOAT, defaults: 1.5}
  - {id: b, type: BOOLEAN, defaults: false}
  - {id: j, type: JSON, defaults: '{"k": [1, 2]}'}
  - {id: c, type: SELECT, values: [small, large], defaults: small}
  - {id: d, type: DATETIME, defaults: "2026-11-28T09:30:00Z"}
  - {id: w, type: DURATION, defaults: PT1M}
tasks:
  - id: show
    type: shell.Commands
    commands:
      - echo '::{"outputs":{"line":"{{ inputs.s }}|{{ inputs.i + 1 }}|{{ inputs.f }}|{{ inputs.b }}|{{ inputs.j.k[1] }}|{{ inputs.c }}|{{ inputs.d | date("yyyy-MM-dd") }}|{{ inputs.w }}"}}::'
"#;
    let (code, exec, stderr) = env.run(yaml, &["-i", "i=41", "-i", "c=large", "-i", "b=true"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        task(&exec, "show")["outputs"]["vars"]["line"],
        "text|42|1.5|true|2|large|2026-11-28|PT1M"
    );
    assert_eq!(exec["inputs"]["i"], 41);
    for (args, message) in [
        (vec!["-i", "i=forty"], "input `i`: `forty` is not a whole number"),
        (
            vec!["-i", "i=1", "-i", "c=medium"],
            "input `c`: `medium` is not one of the allowed values",
        ),
        (
            vec!["-i", "i=1", "-i", "b=maybe"],
            "input `b`: `maybe` is not a boolean",
        ),
        (vec![], "input `i` is required: pass `--input i=VALUE`"),
        (vec!["-i", "i=1", "-i", "x=1"], "the flow has no input `x`"),
    ] {
        let (code, _, stderr) = env.run(yaml, &args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn an_invalid_flow_exits_two_with_the_validator_messages() {
    let env = Env::new("invalid");
    let (code, _, stderr) = env.run(
        "id: x\nnamespace: dev\ntasks:\n  - id: a\n    type: shell.Comands\n",
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("flow.yaml:5:11: error: unknown task type `shell.Comands`"),
        "{stderr}"
    );
}

#[test]
fn ctrl_c_kills_the_execution_and_its_processes() {
    let env = Env::new("ctrlc");
    let path = env.flow("id: long\nnamespace: dev\ntasks:\n  - {id: long, type: shell.Commands, commands: [\"sh -c 'sleep 40.4242'\"]}\n");
    let child = env
        .command(&["flow", "run", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes_with("sleep 40.4242").is_empty() {
        assert!(Instant::now() < deadline, "the task never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ended KILLED"), "{stdout}");
    assert!(processes_with("sleep 40.4242").is_empty());
    let list = env.sluice(&["execution", "list", "--state", "KILLED"]);
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("dev.long"),
        "{}",
        String::from_utf8_lossy(&list.stdout)
    );
}

#[test]
fn a_million_log_lines_are_kept_in_order_with_bounded_memory() {
    let env = Env::new("million");
    let path = env.flow(
        "id: noisy\nnamespace: dev\ntasks:\n  - {id: noisy, type: shell.Commands, commands: [\"seq 1 1000000\"]}\n",
    );
    let mut child = env
        .command(&["flow", "run", path.to_str().unwrap(), "--output", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let started = Instant::now();
    let mut peak_kb = 0u64;
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    while child.try_wait().unwrap().is_none() {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            peak_kb = peak_kb.max(line.split_whitespace().nth(1).unwrap().parse().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed();
    let exec: Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(exec["state"]["current"], "SUCCESS");
    let id = exec["id"].as_str().unwrap();
    let logs = env.sluice(&["execution", "logs", id]);
    let text = String::from_utf8_lossy(&logs.stdout);
    let mut expected = 1u64;
    for line in text.lines() {
        let n: u64 = line
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("odd line {line}"));
        assert_eq!(n, expected, "line out of order");
        expected += 1;
    }
    assert_eq!(expected, 1_000_001, "every line kept");
    eprintln!(
        "1,000,000 lines in {took:?} ({:.0} lines/s end to end), peak RSS {} MiB",
        1e6 / took.as_secs_f64(),
        peak_kb / 1024
    );
    assert!(peak_kb < 200 * 1024, "peak memory {peak_kb} KiB");
}

/// A FILE input uploaded with `--input data=@path` reaches a shell task through `inputFiles`
/// (https://kestra.io/docs/workflow-components/inputs, FILE type), and an output file of one
/// task is the input file of the next, as in Kestra's script tasks.
#[test]
fn file_inputs_and_output_files_reach_later_tasks_through_input_files() {
    let env = Env::new("file-input");
    let upload = env.dir.join("rows.csv");
    std::fs::write(&upload, "a,b\n1,2\n").unwrap();
    let yaml = r#"
id: file_input
namespace: company.team
inputs:
  - id: data
    type: FILE
tasks:
  - id: count
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner: {type: io.kestra.plugin.core.runner.Process}
    inputFiles:
      data.csv: "{{ inputs.data }}"
    outputFiles: [lines.txt]
    commands:
      - cat data.csv
      - wc -l < data.csv | tr -d ' ' > lines.txt
  - id: show
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner: {type: io.kestra.plugin.core.runner.Process}
    inputFiles:
      n.txt: "{{ outputs.count.outputFiles['lines.txt'] }}"
    commands:
      - echo "lines=$(cat n.txt)"
"#;
    let arg = format!("data=@{}", upload.display());
    let (code, exec, stderr) = env.run(yaml, &["--input", &arg]);
    assert_eq!(code, 0, "{stderr}\n{exec:#}");
    let id = exec["id"].as_str().unwrap();
    let uri = format!("kestra:///company/team/file_input/executions/{id}/inputs/data/rows.csv");
    assert_eq!(exec["inputs"]["data"], uri.as_str());
    let logs = String::from_utf8_lossy(&env.sluice(&["execution", "logs", id]).stdout).into_owned();
    assert!(logs.contains("1,2"), "the uploaded file was read: {logs}");
    assert!(logs.contains("lines=2"), "the output file was passed on: {logs}");

    // A path that is no file is refused before anything runs.
    let (code, _, stderr) = env.run(yaml, &["--input", "data=@/nonexistent/x.csv"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("there is no file there"), "{stderr}");
}

/// Kestra masks secrets in what an execution shows (https://kestra.io/docs/concepts/secret):
/// a value read with `secret()`, or given to a SECRET input, is `******` in the stored logs,
/// outputs and error messages, also when the task prints it itself.
#[test]
fn secrets_are_masked_in_logs_outputs_and_errors_before_they_are_stored() {
    let env = Env::new("masking");
    let yaml = r#"
id: masking
namespace: company.team
inputs:
  - id: password
    type: SECRET
tasks:
  - id: leak
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner: {type: io.kestra.plugin.core.runner.Process}
    env:
      API_TOKEN: "{{ secret('API_TOKEN') }}"
    commands:
      - echo "token is $API_TOKEN"
      - echo "password is {{ inputs.password }}"
      - echo '::{"outputs":{"copy":"'"$API_TOKEN"'"}}::'
      - echo "failing with $API_TOKEN" >&2
      - exit 3
"#;
    let path = env.flow(yaml);
    let out = env
        .command(&[
            "flow",
            "run",
            path.to_str().unwrap(),
            "--output",
            "json",
            "--input",
            "password=hunter2-pw",
        ])
        .env("SECRET_API_TOKEN", "dG9wLXNlY3JldC12YWx1ZQ==") // base64 of top-secret-value
        .output()
        .expect("sluice runs");
    let exec: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(exec["state"]["current"], "FAILED", "{exec:#}");
    let id = exec["id"].as_str().unwrap();
    let logs = String::from_utf8_lossy(&env.sluice(&["execution", "logs", id]).stdout).into_owned();
    assert!(logs.contains("token is ******"), "{logs}");
    assert!(logs.contains("password is ******"), "{logs}");
    assert!(logs.contains("failing with ******"), "{logs}");
    let outputs = task(&exec, "leak")["outputs"].to_string();
    assert!(outputs.contains(r#""copy":"******""#), "{outputs}");
    for shown in [logs.as_str(), outputs.as_str(), &task(&exec, "leak").to_string()] {
        assert!(!shown.contains("top-secret-value"), "{shown}");
        assert!(!shown.contains("hunter2-pw"), "{shown}");
    }
    // Nothing in the store holds the secret read with secret() either.
    let mut stored = 0;
    for entry in std::fs::read_dir(env.dir.join("data")).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("sluice.db"))
        {
            let bytes = std::fs::read(&path).unwrap();
            stored += bytes.len();
            assert!(
                !bytes.windows(16).any(|w| w == b"top-secret-value"),
                "{} holds the secret",
                path.display()
            );
        }
    }
    assert!(stored > 0, "the store files were read");
}

/// TerraformCLI is a script task: on a process it runs its `beforeCommands` and `commands` with
/// its `env` and files (here with a `terraform` of the test's own on the PATH, standing in for
/// the binary, which is not installed here), and keeps its output files.
/// Kestra: <https://kestra.io/plugins/plugin-terraform/cli/io.kestra.plugin.terraform.cli.terraformcli>
#[test]
fn terraform_cli_runs_its_commands_as_a_script_task() {
    let env = Env::new("terraform");
    let bin = env.dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("terraform");
    std::fs::write(&fake, "#!/bin/sh\necho \"terraform $* with $(cat terraform.tfvars)\"\n").unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let flow = r#"id: tf
namespace: dev
tasks:
  - id: terraform
    type: io.kestra.plugin.terraform.cli.TerraformCLI
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    inputFiles:
      terraform.tfvars: region = "eu"
    beforeCommands:
      - terraform init
    commands:
      - terraform plan 2>&1 | tee plan_output.txt
    env:
      TF_VAR_x: "1"
    outputFiles: ["*.txt"]
"#;
    let file = env.flow(flow);
    let out = env
        .command(&["flow", "run", file.to_str().unwrap(), "--output", "json"])
        .env("PATH", &path)
        .output()
        .expect("sluice runs");
    let exec: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let id = exec["id"].as_str().unwrap_or_default().to_string();
    let logs = String::from_utf8_lossy(&env.sluice(&["execution", "logs", &id]).stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{logs}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(logs.contains("terraform init with region = \"eu\""), "{logs}");
    assert!(logs.contains("terraform plan with region"), "{logs}");
    let outputs = &task(&exec, "terraform")["outputs"];
    assert!(outputs["outputFiles"]["plan_output.txt"].is_string(), "{outputs}");
}
