//! Kestra's core orchestration types from YAML to final state on a real server:
//! ForEachItem (<https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.ForEachItem>),
//! TemplatedTask (<https://kestra.io/plugins/core/templating/io.kestra.plugin.core.templating.TemplatedTask>),
//! Resume (<https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.Resume>),
//! log.Fetch (<https://kestra.io/plugins/core/log/io.kestra.plugin.core.log.fetch>), Labels,
//! SetVariables and `afterExecution` (<https://kestra.io/docs/workflow-components/afterexecution>).

mod common;

use common::{get_json, http, outputs_of, run_to_end, scratch, start};
use std::time::Duration;

/// The file a stored `uri` of execution `id` holds, through the API.
fn stored(base: &str, id: &str, uri: &str) -> String {
    let path = format!("/api/v1/executions/{id}/file?path={}", uri.replace('/', "%2F"));
    let (status, body) = http(base, "GET", &path, "text/plain", "");
    assert_eq!(status, 200, "{path}: {body}");
    body
}

const CHILD: &str = r#"
id: count
namespace: dev
inputs:
  - id: batch
    type: STRING
  - id: n
    type: INT
tasks:
  - id: count
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner: {type: io.kestra.plugin.core.runner.Process}
    commands:
      - 'echo "::{\"outputs\":{\"lines\":$(wc -l < {{ inputs.batch }}),\"first\":\"$(head -n 1 {{ inputs.batch }})\"}}::"'
outputs:
  - id: lines
    type: INT
    value: "{{ outputs.count.vars.lines }}"
  - id: first
    type: STRING
    value: "{{ outputs.count.vars.first }}"
  - id: iteration
    type: INT
    value: "{{ inputs.n }}"
"#;

const PARENT: &str = r#"
id: items
namespace: dev
tasks:
  - id: make
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner: {type: io.kestra.plugin.core.runner.Process}
    outputFiles: [items.txt]
    commands:
      - seq 1 10000 > items.txt
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ outputs.make.outputFiles['items.txt'] }}"
    batch:
      rows: 100
    namespace: dev
    flowId: count
    wait: true
    transmitFailed: true
    inputs:
      batch: "{{ taskrun.items }}"
      n: "{{ taskrun.iteration }}"
"#;

#[test]
fn for_each_item_runs_one_subflow_per_batch_of_a_10000_line_file() {
    let dir = scratch("for-each-item");
    std::fs::write(dir.join("flows/count.yaml"), CHILD).unwrap();
    std::fs::write(dir.join("flows/items.yaml"), PARENT).unwrap();
    let (server, _) = start(&dir);
    let (exec, logs) = run_to_end(&server.base, "dev", "items", Duration::from_secs(240));
    assert_eq!(exec["state"]["current"], "SUCCESS", "{exec}\n{logs}");
    let each = outputs_of(&exec, "each");
    assert_eq!(each["numberOfBatches"], 100, "{each}");
    assert_eq!(each["iterations"]["SUCCESS"], 100, "{each}");
    let children = get_json(
        &server.base,
        "/api/v1/executions/search?namespace=dev&flowId=count&size=1",
    );
    assert_eq!(children["total"], 100, "one child per batch");
    // The merged outputs: one Ion line per child, each with its batch of 100 lines.
    let id = exec["id"].as_str().unwrap();
    let merged = stored(&server.base, id, each["uri"].as_str().unwrap());
    let lines: Vec<&str> = merged.lines().collect();
    assert_eq!(lines.len(), 100, "{merged}");
    let mut firsts: Vec<u64> = Vec::new();
    for line in &lines {
        assert!(line.contains("lines:100"), "{line}");
        let first = line.split("first:\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
        firsts.push(first.parse().unwrap());
    }
    firsts.sort_unstable();
    let expected: Vec<u64> = (0..100).map(|i| i * 100 + 1).collect();
    assert_eq!(firsts, expected, "every batch holds its own 100 lines, in order");
}

#[test]
fn for_each_item_with_a_failing_child_fails_unless_transmit_failed_is_false() {
    let dir = scratch("for-each-item-fail");
    let child = "id: picky\nnamespace: dev\ninputs: [{id: n, type: INT}]\ntasks:\n  - id: check\n    type: io.kestra.plugin.core.execution.Fail\n    condition: \"{{ inputs.n == 2 }}\"\n    errorMessage: batch two is bad\n";
    std::fs::write(dir.join("flows/picky.yaml"), child).unwrap();
    for (id, transmit) in [("strict", true), ("lenient", false)] {
        let parent = format!(
            "id: {id}\nnamespace: dev\ntasks:\n  - id: write\n    type: io.kestra.plugin.core.storage.Write\n    content: \"a\\nb\\nc\\n\"\n    extension: .txt\n  - id: each\n    type: ForEachItem\n    items: \"{{{{ outputs.write.uri }}}}\"\n    namespace: dev\n    flowId: picky\n    transmitFailed: {transmit}\n    inputs: {{n: \"{{{{ taskrun.iteration }}}}\"}}\n"
        );
        std::fs::write(dir.join(format!("flows/{id}.yaml")), parent).unwrap();
    }
    let (server, _) = start(&dir);
    let (exec, logs) = run_to_end(&server.base, "dev", "strict", Duration::from_secs(60));
    assert_eq!(exec["state"]["current"], "FAILED", "{logs}");
    let each = outputs_of(&exec, "each");
    assert_eq!(each["numberOfBatches"], 3, "rows default to 1: {each}");
    assert_eq!(each["iterations"]["FAILED"], 1, "{each}");
    assert_eq!(each["iterations"]["SUCCESS"], 2, "{each}");
    let (exec, logs) = run_to_end(&server.base, "dev", "lenient", Duration::from_secs(60));
    assert_eq!(exec["state"]["current"], "SUCCESS", "{logs}");
}

const EDITS: &str = r#"
id: edits
namespace: dev
variables:
  name: World
labels:
  team: data
tasks:
  - id: set_vars
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      message: Hello
      name: Loïc
  - id: label
    type: io.kestra.plugin.core.execution.Labels
    labels:
      stage: "{{ vars.message | lower }}"
  - id: templated
    type: io.kestra.plugin.core.templating.TemplatedTask
    spec: |
      type: io.kestra.plugin.core.debug.Return
      format: "{{ vars.message }} {{ vars.name }}"
  - id: warn
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: careful
  - id: fetch
    type: io.kestra.plugin.core.log.Fetch
    level: WARN
    tasksId: [warn]
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: on purpose
afterExecution:
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "ended {{ execution.state }}"
"#;

#[test]
fn set_variables_labels_templated_task_log_fetch_and_after_execution() {
    let dir = scratch("edits");
    std::fs::write(dir.join("flows/edits.yaml"), EDITS).unwrap();
    let (server, _) = start(&dir);
    let (exec, logs) = run_to_end(&server.base, "dev", "edits", Duration::from_secs(60));
    assert_eq!(exec["state"]["current"], "FAILED", "{logs}");
    assert_eq!(outputs_of(&exec, "templated")["value"], "Hello Loïc", "{exec}");
    let labels = exec["labels"].as_array().unwrap();
    assert!(
        labels.iter().any(|l| l["key"] == "stage" && l["value"] == "hello"),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l["key"] == "team" && l["value"] == "data"),
        "{labels:?}"
    );
    let fetch = outputs_of(&exec, "fetch");
    assert_eq!(fetch["size"], 1, "{fetch}");
    let fetched = stored(
        &server.base,
        exec["id"].as_str().unwrap(),
        fetch["uri"].as_str().unwrap(),
    );
    assert!(
        fetched.contains("message:\"careful\"") && fetched.contains("level:\"WARN\""),
        "{fetched}"
    );
    assert!(
        logs.contains("ended FAILED"),
        "afterExecution sees the final state: {logs}"
    );
    let after = exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["taskId"] == "after" && r["state"]["current"] == "SUCCESS");
    assert!(after, "{exec}");
}

const RESUME: &str = r#"
id: approve
namespace: dev
tasks:
  - id: both
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: wait
        type: io.kestra.plugin.core.flow.Pause
      - id: approver
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: pause_first
            type: io.kestra.plugin.core.flow.Sleep
            duration: PT1S
          - id: resume
            type: io.kestra.plugin.core.execution.Resume
            inputs:
              approved: "{{ 1 == 1 }}"
  - id: done
    type: io.kestra.plugin.core.log.Log
    message: "approved: {{ outputs.wait.onResume.approved }}"
  - id: resume_nothing
    type: io.kestra.plugin.core.execution.Resume
    allowFailure: true
"#;

#[test]
fn a_resume_task_resumes_a_paused_execution_with_inputs() {
    let dir = scratch("resume-task");
    std::fs::write(dir.join("flows/approve.yaml"), RESUME).unwrap();
    let (server, _) = start(&dir);
    let (exec, logs) = run_to_end(&server.base, "dev", "approve", Duration::from_secs(60));
    assert_eq!(exec["state"]["current"], "WARNING", "{exec}\n{logs}");
    assert!(logs.contains("approved: true"), "{logs}");
    let refused = exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["taskId"] == "resume_nothing")
        .map(|r| r["attempts"][0]["reason"].as_str().unwrap_or_default().to_string())
        .unwrap();
    assert!(refused.contains("only a PAUSED execution can be resumed"), "{refused}");
}

const CONTROL: &str = r#"
id: control
namespace: dev
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: first
  - id: flaky
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: flaky
  - id: last
    type: io.kestra.plugin.core.log.Log
    message: last
"#;

/// Kestra's execution control routes: change a task run's state, and replay from a task run.
#[test]
fn a_task_run_state_change_and_a_replay_from_a_task_run_over_http() {
    let dir = scratch("control");
    std::fs::write(dir.join("flows/control.yaml"), CONTROL).unwrap();
    let (server, _) = start(&dir);
    let base = &server.base;
    let (exec, logs) = run_to_end(base, "dev", "control", Duration::from_secs(30));
    assert_eq!(exec["state"]["current"], "FAILED", "{logs}");
    let id = exec["id"].as_str().unwrap().to_string();
    let run_of = |exec: &serde_json::Value, task: &str| {
        exec["taskRunList"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["taskId"] == task)
            .cloned()
    };
    let flaky = run_of(&exec, "flaky").unwrap()["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/executions/{id}/state");
    for bad in [
        r#"{"taskRunId": "nope", "state": "SUCCESS"}"#,
        &format!(r#"{{"taskRunId": "{flaky}", "state": "RUNNING"}}"#),
        "[]",
    ] {
        let (status, body) = http(base, "POST", &path, "application/json", bad);
        assert_eq!(status, 422, "{bad}: {body}");
    }
    // A replay from `flaky` keeps `first` as it ran and runs `flaky` again.
    let (status, body) = http(
        base,
        "POST",
        &format!("/api/v1/executions/{id}/replay?taskRunId={flaky}"),
        "text/plain",
        "",
    );
    assert_eq!(status, 200, "{body}");
    let replay: serde_json::Value = serde_json::from_str(&body).unwrap();
    let replay_id = replay["id"].as_str().unwrap().to_string();
    common::wait_for("the replay to end", Duration::from_secs(30), || {
        common::state_of(base, &replay_id) == "FAILED"
    });
    let replayed = get_json(base, &format!("/api/v1/executions/{replay_id}"));
    assert_eq!(replayed["originalId"], id.as_str());
    assert_eq!(
        run_of(&replayed, "first").unwrap()["state"]["histories"],
        run_of(&exec, "first").unwrap()["state"]["histories"],
        "`first` is kept, not run again"
    );
    // Marking `flaky` SUCCESS lets the original go on to `last`.
    let (status, body) = http(
        base,
        "POST",
        &path,
        "application/json",
        &format!(r#"{{"taskRunId": "{flaky}", "state": "SUCCESS"}}"#),
    );
    assert_eq!(status, 200, "{body}");
    common::wait_for("the execution to succeed", Duration::from_secs(30), || {
        common::state_of(base, &id) == "SUCCESS"
    });
    let done = get_json(base, &format!("/api/v1/executions/{id}"));
    assert_eq!(run_of(&done, "last").unwrap()["state"]["current"], "SUCCESS", "{done}");
}
