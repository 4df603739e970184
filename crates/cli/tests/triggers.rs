//! What starts an execution besides a user: Flow triggers (an execution of another flow changing
//! state) against a real `sluice server local`.

mod common;

use common::{get_json, scratch, start, wait_for};
use serde_json::Value;
use std::time::Duration;

fn executions(base: &str, namespace: &str, flow: &str) -> Vec<Value> {
    let page = get_json(
        base,
        &format!("/api/v1/executions/search?namespace={namespace}&flowId={flow}&size=1000"),
    );
    page["results"].as_array().cloned().unwrap_or_default()
}

fn ended(base: &str, namespace: &str, flow: &str) -> Vec<Value> {
    executions(base, namespace, flow)
        .into_iter()
        .filter(|e| matches!(e["state"]["current"].as_str(), Some("SUCCESS" | "FAILED" | "WARNING")))
        .map(|e| get_json(base, &format!("/api/v1/executions/{}", e["id"].as_str().unwrap())))
        .collect()
}

const UPSTREAM_FAILS: &str = "id: fails\nnamespace: company.team\ntasks:\n  - id: boom\n    type: io.kestra.plugin.core.execution.Fail\n    errorMessage: broken on purpose\n";

const UPSTREAM_WORKS: &str = "id: works\nnamespace: company.team\nlabels:\n  owner: data\ntasks:\n  - id: count\n    type: io.kestra.plugin.core.debug.Return\n    format: \"42\"\noutputs:\n  - id: rows\n    type: STRING\n    value: \"{{ outputs.count.value }}\"\n";

// Kestra: https://kestra.io/plugins/core/triggers/io.kestra.plugin.core.trigger.flow and the
// conditions it cites (ExecutionStatus, ExecutionNamespace, ExecutionLabels, ExecutionOutputs).
const ON_FAILURE: &str = r#"id: on_failure
namespace: ops
inputs:
  - id: failed
    type: STRING
tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.flowId }} {{ trigger.state }}"
triggers:
  - id: any_failure
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      failed: "{{ trigger.executionId }}"
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [FAILED, WARNING]
      - type: io.kestra.plugin.core.condition.ExecutionNamespace
        namespace: company
        comparison: PREFIX
"#;

const AFTER_WORKS: &str = r#"id: after_works
namespace: ops
inputs:
  - id: rows
    type: INT
tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.rows }}"
triggers:
  - id: upstream
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      rows: "{{ trigger.outputs.rows }}"
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionLabels
        labels: {owner: data}
      - type: io.kestra.plugin.core.condition.ExecutionOutputs
        expression: "{{ trigger.outputs.rows == '42' }}"
    preconditions:
      id: works_succeeded
      flows:
        - namespace: company.team
          flowId: works
          states: [SUCCESS]
"#;

#[test]
fn flow_triggers_start_one_execution_per_matching_upstream_event() {
    let dir = scratch("flow-trigger");
    for (name, yaml) in [
        ("fails", UPSTREAM_FAILS),
        ("works", UPSTREAM_WORKS),
        ("on_failure", ON_FAILURE),
        ("after_works", AFTER_WORKS),
    ] {
        std::fs::write(dir.join("flows").join(format!("{name}.yaml")), yaml).unwrap();
    }
    let (server, _) = start(&dir);
    let base = &server.base;
    let failed: Vec<String> = (0..3).map(|_| common::trigger(base, "company.team", "fails")).collect();
    let worked = common::trigger(base, "company.team", "works");
    wait_for("the downstream executions", Duration::from_secs(60), || {
        ended(base, "ops", "on_failure").len() >= 3 && !ended(base, "ops", "after_works").is_empty()
    });
    // A moment more, to see that nothing fires twice.
    std::thread::sleep(Duration::from_secs(2));

    let on_failure = ended(base, "ops", "on_failure");
    let mut seen: Vec<String> = on_failure
        .iter()
        .map(|e| e["inputs"]["failed"].as_str().unwrap_or_default().to_string())
        .collect();
    seen.sort();
    let mut expected = failed.clone();
    expected.sort();
    assert_eq!(
        seen, expected,
        "one downstream execution per failure, none for the success"
    );
    let one = &on_failure[0];
    assert_eq!(one["state"]["current"], "SUCCESS", "{one}");
    assert_eq!(one["trigger"]["type"], "io.kestra.plugin.core.trigger.Flow");
    assert_eq!(one["trigger"]["id"], "any_failure");
    assert_eq!(one["trigger"]["namespace"], "company.team");
    assert_eq!(one["trigger"]["flowId"], "fails");
    assert_eq!(one["trigger"]["state"], "FAILED");

    let after = ended(base, "ops", "after_works");
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["trigger"]["executionId"], worked.as_str());
    assert_eq!(
        after[0]["inputs"]["rows"], 42,
        "the upstream's output, typed by the input"
    );
    assert_eq!(
        executions(base, "company.team", "fails").len(),
        3,
        "a Flow trigger never triggers its own flow, nor loops"
    );
}
