//! Kestra's core tasks end to end through `sluice flow run`, with the examples of Kestra's own
//! documentation (each test names its page): the engine's walk, the worker's no-runner tasks,
//! the store and the CLI together.

mod common;

use common::run::{Env, task};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn logs(env: &Env, exec: &Value) -> String {
    let id = exec["id"].as_str().unwrap();
    String::from_utf8_lossy(&env.sluice(&["execution", "logs", id]).stdout).into_owned()
}

fn runs<'a>(exec: &'a Value, id: &str) -> Vec<&'a Value> {
    exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["taskId"] == id)
        .collect()
}

/// <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.foreach>, first example,
/// with the values' outputs read back by a later task and by the flow's outputs.
#[test]
fn for_each_if_and_return_as_in_kestras_example() {
    let env = Env::new("core-foreach");
    let yaml = r#"
id: for_loop_example
namespace: company.team
tasks:
  - id: for_each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["value 1", "value 2", "value 3"]
    tasks:
      - id: before_if
        type: io.kestra.plugin.core.debug.Return
        format: "Before if {{ taskrun.value }}"
      - id: if
        type: io.kestra.plugin.core.flow.If
        condition: '{{ taskrun.value == "value 2" }}'
        then:
          - id: after_if
            type: io.kestra.plugin.core.debug.Return
            format: "After if {{ parent.taskrun.value }}"
  - id: summary
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.before_if['value 3'].value }} / {{ outputs.after_if['value 2'].value }}"
outputs:
  - id: last
    type: STRING
    value: "{{ outputs.before_if['value 1'].value }}"
"#;
    let (code, exec, stderr) = env.run(yaml, &[]);
    assert_eq!(code, 0, "{stderr}\n{exec:#}");
    assert_eq!(exec["state"]["current"], "SUCCESS");
    assert_eq!(runs(&exec, "before_if").len(), 3);
    let after = runs(&exec, "after_if");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["outputs"]["value"], "After if value 2");
    assert_eq!(exec["outputs"]["last"], "Before if value 1");
    let text = logs(&env, &exec);
    assert!(text.contains("Before if value 3 / After if value 2"), "{text}");
}

/// <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.switch>
#[test]
fn switch_takes_the_case_of_the_input_or_the_defaults() {
    let env = Env::new("core-switch");
    let yaml = r#"
id: switch
namespace: company.team
inputs:
  - id: string
    type: STRING
    required: true
tasks:
  - id: switch
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ inputs.string }}"
    cases:
      FIRST:
        - id: first
          type: io.kestra.plugin.core.debug.Return
          format: "{{ task.id }} > {{ taskrun.startDate }}"
      SECOND:
        - id: second
          type: io.kestra.plugin.core.debug.Return
          format: "{{ task.id }} > {{ taskrun.startDate }}"
    defaults:
      - id: default
        type: io.kestra.plugin.core.debug.Return
        format: "{{ task.id }} > {{ taskrun.startDate }}"
"#;
    for (input, ran) in [("SECOND", "second"), ("nope", "default")] {
        let (code, exec, stderr) = env.run(yaml, &["--input", &format!("string={input}")]);
        assert_eq!(code, 0, "{stderr}");
        let value = task(&exec, ran)["outputs"]["value"].as_str().unwrap();
        assert!(value.starts_with(&format!("{ran} > 20")), "{value}");
        assert_eq!(task(&exec, "switch")["outputs"]["defaults"], json!(ran == "default"));
    }
}

/// <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.fail>, "Fail on a
/// condition" (written with `Log`, as Kestra's newer page does).
#[test]
fn fail_on_a_condition_stops_the_flow_with_its_message() {
    let env = Env::new("core-fail");
    let yaml = r#"
id: fail_on_condition
namespace: company.team
inputs:
  - id: param
    type: STRING
    required: true
tasks:
  - id: before
    type: io.kestra.plugin.core.log.Log
    message: I'm before the fail on condition
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
    condition: '{{ inputs.param == "fail" }}'
    errorMessage: "param was {{ inputs.param }}"
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: I'm after the fail on condition
"#;
    let (code, exec, stderr) = env.run(yaml, &["--input", "param=fail"]);
    assert_ne!(code, 0, "{exec:#}");
    assert_eq!(exec["state"]["current"], "FAILED", "{stderr}");
    assert!(runs(&exec, "after").is_empty());
    assert!(logs(&env, &exec).contains("param was fail"));

    let (code, exec, stderr) = env.run(yaml, &["--input", "param=ok"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(task(&exec, "after")["state"]["current"], "SUCCESS");
}

/// <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.assert>
#[test]
fn assert_logs_each_false_condition_and_fails() {
    let env = Env::new("core-assert");
    let yaml = r#"
id: assert
namespace: company.team
inputs:
  - id: param
    type: STRING
    required: true
tasks:
  - id: fail
    type: io.kestra.plugin.core.execution.Assert
    conditions:
      - "{{ inputs.param == 'ok' }}"
      - "{{ 1 + 1 == 3 }}"
"#;
    let (code, exec, _) = env.run(yaml, &["--input", "param=ok"]);
    assert_ne!(code, 0);
    let text = logs(&env, &exec);
    assert!(text.contains("Assertion `{{ 1 + 1 == 3 }}` failed!"), "{text}");
    assert!(!text.contains("inputs.param == 'ok' }}` failed"), "{text}");
    assert!(text.contains("1 of 2 assertions failed"), "{text}");
}

/// <https://kestra.io/plugins/core/output/io.kestra.plugin.core.output.outputvalues>: typed
/// values reach later tasks and the flow's outputs.
#[test]
fn output_values_keep_their_types() {
    let env = Env::new("core-outputvalues");
    let yaml = r#"
id: outputs_flow
namespace: company.team
inputs:
  - id: n
    type: INT
    defaults: 41
tasks:
  - id: output_values
    type: io.kestra.plugin.core.output.OutputValues
    values:
      taskrun_data: "{{ task.id }} > {{ taskrun.startDate }}"
      next: "{{ inputs.n + 1 }}"
      list: [a, "{{ inputs.n }}"]
  - id: log_values
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.output_values.values.next }}"
outputs:
  - id: next
    type: INT
    value: "{{ outputs.output_values.values.next }}"
"#;
    let (code, exec, stderr) = env.run(yaml, &[]);
    assert_eq!(code, 0, "{stderr}");
    let values = &task(&exec, "output_values")["outputs"]["values"];
    assert_eq!(values["next"], json!(42));
    assert_eq!(values["list"], json!(["a", 41]));
    assert_eq!(exec["outputs"]["next"], json!(42));
}

/// <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.sleep>; a `timeout` shorter
/// than the sleep fails it on time.
#[test]
fn sleep_waits_and_a_timeout_cuts_it_short() {
    let env = Env::new("core-sleep");
    let yaml = r#"
id: sleep
namespace: company.team
tasks:
  - id: sleep
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1S
"#;
    let start = Instant::now();
    let (code, _, stderr) = env.run(yaml, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(start.elapsed() >= Duration::from_secs(1));

    let yaml = r#"
id: sleep
namespace: company.team
tasks:
  - id: sleep
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT60S
    timeout: PT1S
"#;
    let start = Instant::now();
    let (code, exec, _) = env.run(yaml, &[]);
    assert_ne!(code, 0);
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    let reason = task(&exec, "sleep")["attempts"][0]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(reason.contains("timed out"), "{exec:#}");
}

/// A flow output that cannot render fails the execution and says which output and why.
#[test]
fn a_flow_output_that_does_not_render_fails_the_execution_and_says_why() {
    let env = Env::new("core-badoutput");
    let yaml = r#"
id: bad_output
namespace: company.team
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
outputs:
  - id: broken
    type: STRING
    value: "{{ 1 / 0 }}"
"#;
    let (code, exec, stderr) = env.run(yaml, &[]);
    assert_ne!(code, 0);
    assert_eq!(exec["state"]["current"], "FAILED");
    assert!(stderr.contains("flow output `broken`"), "{stderr}");
}

/// <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.workingdirectory>: what one
/// task writes, the next reads; `inputFiles` seed the directory; a deleted file stays deleted;
/// only a task's own `outputFiles` become its outputs.
#[test]
fn working_directory_shares_files_between_its_tasks() {
    let env = Env::new("core-workdir");
    let yaml = r#"
id: working_dir
namespace: company.team
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      seed.txt: "seeded {{ flow.id }}"
    tasks:
      - id: write
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner: {type: io.kestra.plugin.core.runner.Process}
        commands:
          - mkdir -p data && echo hello > data/greeting.txt
          - echo temporary > scratch.txt
      - id: change
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner: {type: io.kestra.plugin.core.runner.Process}
        outputFiles: ["*.out"]
        commands:
          - rm scratch.txt
          - cat seed.txt data/greeting.txt > result.out
      - id: read
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner: {type: io.kestra.plugin.core.runner.Process}
        commands:
          - test ! -e scratch.txt
          - echo "got $(cat result.out | tr '\n' ' ')"
"#;
    let (code, exec, stderr) = env.run(yaml, &[]);
    assert_eq!(code, 0, "{stderr}\n{}", logs(&env, &exec));
    let text = logs(&env, &exec);
    assert!(text.contains("got seeded working_dirhello"), "{text}");
    let files = task(&exec, "change")["outputs"]["outputFiles"].as_object().unwrap();
    assert_eq!(files.keys().collect::<Vec<_>>(), ["result.out"], "{files:?}");
    assert!(
        task(&exec, "write")["outputs"]["outputFiles"]
            .as_object()
            .unwrap()
            .is_empty()
    );
}

/// <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.pause>: a running
/// `sluice flow run` holds at the Pause until `sluice execution resume` (another process) lets it
/// go on, with the value given on resume.
#[test]
fn pause_holds_until_resumed_from_another_process() {
    let env = Env::new("core-pause");
    let yaml = r#"
id: human_in_the_loop
namespace: company.team
tasks:
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "approved={{ outputs.pause.onResume.approved }}"
"#;
    let path = env.flow(yaml);
    let run = env
        .command(&["flow", "run", path.to_str().unwrap(), "--output", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let id = loop {
        let out = env.sluice(&["execution", "list", "--state", "PAUSED"]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if let Some(line) = text.lines().find(|l| l.contains("human_in_the_loop")) {
            break line.split_whitespace().next().unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "never PAUSED: {text}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let refused = env.sluice(&["execution", "resume", "nope"]);
    assert!(!refused.status.success());
    let resumed = env.sluice(&["execution", "resume", &id, "--input", "approved=true"]);
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    let out = run.wait_with_output().unwrap();
    assert!(out.status.success());
    let exec: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(task(&exec, "pause")["outputs"]["onResume"]["approved"], json!(true));
    assert!(logs(&env, &exec).contains("approved=true"));
    let again = env.sluice(&["execution", "resume", &id]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("only a PAUSED execution can be resumed"), "{stderr}");
}

/// A `pauseDuration` resumes by itself through the executor's timers; `behavior: WARN` warns.
#[test]
fn pause_duration_resumes_by_itself() {
    let env = Env::new("core-pause-duration");
    let yaml = r#"
id: timed_pause
namespace: company.team
tasks:
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
    pauseDuration: PT1S
    behavior: WARN
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: after
"#;
    let start = Instant::now();
    let (code, exec, stderr) = env.run(yaml, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(start.elapsed() >= Duration::from_secs(1));
    assert_eq!(task(&exec, "pause")["state"]["current"], "WARNING");
    assert_eq!(exec["state"]["current"], "WARNING");
    let states: Vec<&str> = exec["state"]["histories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["state"].as_str().unwrap())
        .collect();
    assert!(states.contains(&"PAUSED"), "{states:?}");
}

const CHILD: &str = r#"
id: subflow
namespace: company.team
inputs:
  - id: user
    type: STRING
  - id: fail
    type: BOOLEAN
    defaults: false
tasks:
  - id: greet
    type: io.kestra.plugin.core.debug.Return
    format: "hello {{ inputs.user }}"
  - id: maybe_fail
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ inputs.fail }}"
outputs:
  - id: greeting
    type: STRING
    value: "{{ outputs.greet.value }}"
"#;

/// <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.subflow>: four children at
/// once on one worker slot (waiting parents hold none), each child's outputs back in the parent;
/// a failed child fails the parent unless `transmitFailed: false`.
#[test]
fn subflows_run_waited_for_and_pass_their_outputs_back() {
    let env = Env::new("core-subflow");
    let child = env.dir.join("child.yaml");
    std::fs::write(&child, CHILD).unwrap();
    let first = env.sluice(&["flow", "run", child.to_str().unwrap(), "--input", "user=first"]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));

    let parent = r#"
id: parent_flow
namespace: company.team
labels:
  team: data
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [ann, bob, cy, dee]
    concurrencyLimit: 0
    tasks:
      - id: call_subflow
        type: io.kestra.plugin.core.flow.Subflow
        namespace: company.team
        flowId: subflow
        inheritLabels: true
        labels: {caller: "{{ taskrun.value }}"}
        inputs:
          user: "{{ taskrun.value }}"
        wait: true
        transmitFailed: true
"#;
    let start = Instant::now();
    let (code, exec, stderr) = env.run(parent, &["--slots", "1"]);
    assert_eq!(code, 0, "{stderr}\n{exec:#}");
    assert!(start.elapsed() < Duration::from_secs(60));
    let calls = runs(&exec, "call_subflow");
    assert_eq!(calls.len(), 4);
    for call in &calls {
        let value = call["value"].as_str().unwrap();
        assert_eq!(call["outputs"]["state"], "SUCCESS");
        assert_eq!(call["outputs"]["outputs"]["greeting"], format!("hello {value}"));
        let child_id = call["outputs"]["executionId"].as_str().unwrap();
        let shown = env.sluice(&["execution", "show", child_id]);
        let child: Value = serde_json::from_slice(&shown.stdout).unwrap();
        assert_eq!(child["trigger"]["executionId"], exec["id"]);
        let labels = child["labels"].to_string();
        assert!(
            labels.contains("\"team\"") && labels.contains(&format!("\"{value}\"")),
            "{labels}"
        );
    }

    let failing = |transmit: bool| {
        format!(
            r#"
id: parent_failing
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: subflow
    inputs: {{user: x, fail: true}}
    transmitFailed: {transmit}
"#
        )
    };
    let (code, exec, _) = env.run(&failing(true), &[]);
    assert_ne!(code, 0);
    assert_eq!(task(&exec, "call")["outputs"]["state"], "FAILED");
    let (code, exec, stderr) = env.run(&failing(false), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(task(&exec, "call")["state"]["current"], "SUCCESS");

    let missing = "id: p\nnamespace: company.team\ntasks:\n  - {id: call, type: Subflow, namespace: company.team, flowId: nope}\n";
    let (code, exec, _) = env.run(missing, &[]);
    assert_ne!(code, 0);
    let reason = task(&exec, "call")["attempts"][0]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("company.team.nope does not exist"), "{reason}");
}

/// ForEach with `concurrencyLimit: 2` over 6 values: real processes, never more than two at
/// once, and two at once do happen.
#[test]
fn for_each_concurrency_limit_holds_with_real_processes() {
    let env = Env::new("core-foreach-limit");
    let journal = env.dir.join("journal");
    let yaml = format!(
        r#"
id: limited
namespace: company.team
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2, 3, 4, 5, 6]
    concurrencyLimit: 2
    tasks:
      - id: work
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner: {{type: io.kestra.plugin.core.runner.Process}}
        commands:
          - echo "+ {{{{ taskrun.value }}}}" >> {journal}
          - sleep 0.4
          - echo "- {{{{ taskrun.value }}}}" >> {journal}
"#,
        journal = journal.display()
    );
    let (code, exec, stderr) = env.run(&yaml, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(runs(&exec, "work").len(), 6);
    let text = std::fs::read_to_string(&journal).unwrap();
    let (mut now, mut most) = (0i32, 0i32);
    for line in text.lines() {
        now += if line.starts_with('+') { 1 } else { -1 };
        most = most.max(now);
    }
    assert_eq!(most, 2, "at most two values at once, and two did overlap:\n{text}");
    assert_eq!(text.lines().count(), 12);
}

/// <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.loopuntil>: Kestra's
/// example, with a short `checkFrequency.interval`, through the worker and the stored timers.
#[test]
fn loop_until_as_in_kestras_example() {
    let env = Env::new("core-loop");
    let yaml = r#"
id: loop_until
namespace: company.team
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.LoopUntil
    condition: "{{ outputs.return.value == '4' }}"
    checkFrequency:
      interval: PT0.2S
    tasks:
      - id: return
        type: io.kestra.plugin.core.debug.Return
        format: "{{ outputs.loop.iterationCount }}"
"#;
    let (code, exec, stderr) = env.run(yaml, &[]);
    assert_eq!(code, 0, "{stderr}\n{exec:#}");
    assert_eq!(runs(&exec, "return").len(), 4);
    assert_eq!(task(&exec, "loop")["outputs"]["iterationCount"], json!(4));
}
