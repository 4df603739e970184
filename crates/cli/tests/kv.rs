//! The KV store end to end on a real `sluice server local`: the `core.kv` tasks, `kv()` in task
//! properties and in input expressions, TTL expiry, and the `/api/v1/namespaces/{ns}/kv` API.
//!
//! Kestra: <https://kestra.io/docs/concepts/kv-store>,
//! <https://kestra.io/plugins/core/kv/io.kestra.plugin.core.kv.set> (and Get, GetKeys, Delete,
//! PurgeKV on the same site).

mod common;

use common::{get_json, http, scratch, start, wait_for};
use serde_json::{Value, json};
use std::time::Duration;

const KV_FLOW: &str = r#"id: kv_flow
namespace: company.team
tasks:
  - id: set_count
    type: io.kestra.plugin.core.kv.Set
    key: count
    value: "41"
    kvType: NUMBER
  - id: set_doc
    type: io.kestra.plugin.core.kv.Set
    key: doc
    value: '{"rows": [1, 2, 3]}'
    kvType: JSON
    description: three rows
  - id: set_short
    type: io.kestra.plugin.core.kv.Set
    key: short
    value: soon gone
    ttl: PT1S
  - id: get
    type: io.kestra.plugin.core.kv.Get
    key: doc
  - id: keys
    type: io.kestra.plugin.core.kv.GetKeys
    prefix: s
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: "count+1={{ kv('count') + 1 }} rows={{ outputs.get.value.rows | length }} keys={{ outputs.keys.keys }} api={{ kv('api_url') }}"
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT2S
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "short={{ kv('short', errorOnMissing=false) ?? 'expired' }}"
  - id: delete
    type: io.kestra.plugin.core.kv.Delete
    key: doc
  - id: delete_again
    type: io.kestra.plugin.core.kv.Delete
    key: doc
  - id: purge
    type: io.kestra.plugin.core.kv.PurgeKV
    expiredOnly: false
    namespaces: [company]
    keyPattern: "co*"
"#;

const STRICT: &str = r#"id: strict
namespace: company.team
inputs:
  - id: which
    type: STRING
tasks:
  - id: choose
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ inputs.which }}"
    cases:
      overwrite:
        - id: keep
          type: io.kestra.plugin.core.kv.Set
          key: api_url
          value: other
          overwrite: false
      missing:
        - id: read
          type: io.kestra.plugin.core.log.Log
          message: "{{ kv('nothing_here') }}"
"#;

const CHOOSE: &str = r#"id: choose
namespace: company.team
inputs:
  - id: color
    type: SELECT
    expression: "{{ kv('colors') }}"
tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.color }}"
"#;

fn run(base: &str, flow: &str, form: &str) -> Value {
    let path = format!("/api/v1/executions/company.team/{flow}");
    let (status, body) = http(base, "POST", &path, "application/x-www-form-urlencoded", form);
    assert_eq!(status, 200, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for("the execution to end", Duration::from_secs(60), || {
        matches!(common::state_of(base, &id).as_str(), "SUCCESS" | "FAILED" | "WARNING")
    });
    get_json(base, &format!("/api/v1/executions/{id}"))
}

fn task<'a>(exec: &'a Value, id: &str) -> &'a Value {
    exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["taskId"] == id)
        .unwrap()
}

fn logs(base: &str, exec: &Value) -> String {
    get_json(base, &format!("/api/v1/logs/{}", exec["id"].as_str().unwrap())).to_string()
}

#[test]
fn kv_tasks_the_function_and_the_api_share_one_store() {
    let dir = scratch("kv");
    for (name, yaml) in [("kv_flow", KV_FLOW), ("strict", STRICT), ("choose", CHOOSE)] {
        std::fs::write(dir.join(format!("flows/{name}.yaml")), yaml).unwrap();
    }
    let (server, _) = start(&dir);
    let base = &server.base;
    let kv = "/api/v1/namespaces/company.team/kv";

    // Set through the API, read by a task's kv().
    let (status, body) = http(
        base,
        "PUT",
        &format!("{kv}/api_url"),
        "application/json",
        "\"http://127.0.0.1:1\"",
    );
    assert_eq!(status, 200, "{body}");
    let exec = run(base, "kv_flow", "");
    assert_eq!(exec["state"]["current"], "SUCCESS", "{}", logs(base, &exec));
    let text = logs(base, &exec);
    assert!(
        text.contains(r#"count+1=42 rows=3 keys=[\"short\"] api=http://127.0.0.1:1"#),
        "{text}"
    );
    assert!(text.contains("short=expired"), "the ttl ran out: {text}");
    assert_eq!(task(&exec, "get")["outputs"]["value"], json!({"rows": [1, 2, 3]}));
    assert_eq!(task(&exec, "delete")["outputs"]["deleted"], json!(true));
    assert_eq!(task(&exec, "delete_again")["outputs"]["deleted"], json!(false));
    assert_eq!(
        task(&exec, "purge")["outputs"]["size"],
        json!(1),
        "`count`; `api_url` does not match co*"
    );

    // What is left, through the API.
    let listed = get_json(base, kv);
    let keys: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["api_url"], "{listed}");
    assert_eq!(
        get_json(base, &format!("{kv}/api_url")),
        json!({"type": "STRING", "value": "http://127.0.0.1:1"})
    );
    let (status, body) = http(base, "GET", &format!("{kv}/doc"), "text/plain", "");
    assert_eq!(status, 404, "{body}");
    let (status, body) = http(base, "PUT", &format!("{kv}/..%2Fetc"), "application/json", "1");
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("not a valid KV key"), "{body}");

    // overwrite: false on a live pair, and kv() of a missing key, fail with what to do.
    let exec = run(base, "strict", "which=overwrite");
    assert_eq!(exec["state"]["current"], "FAILED");
    assert!(
        logs(base, &exec).contains("it already exists and `overwrite` is false"),
        "{}",
        logs(base, &exec)
    );
    let exec = run(base, "strict", "which=missing");
    assert_eq!(exec["state"]["current"], "FAILED");
    assert!(
        logs(base, &exec).contains("the key 'nothing_here' does not exist in the namespace 'company.team'"),
        "{}",
        logs(base, &exec)
    );

    // A SELECT input's values from kv(), resolved by the server.
    let (status, body) = http(
        base,
        "PUT",
        &format!("{kv}/colors"),
        "application/json",
        r#"["red", "blue"]"#,
    );
    assert_eq!(status, 200, "{body}");
    let exec = run(base, "choose", "color=blue");
    assert_eq!(exec["state"]["current"], "SUCCESS", "{exec}");
    let path = "/api/v1/executions/company.team/choose";
    let (status, body) = http(base, "POST", path, "application/x-www-form-urlencoded", "color=green");
    assert_eq!(status, 422, "{body}");

    // Bulk delete answers the keys it deleted.
    let (status, body) = http(
        base,
        "DELETE",
        kv,
        "application/json",
        r#"{"keys": ["colors", "nope"]}"#,
    );
    assert_eq!(
        (status, serde_json::from_str::<Value>(&body).unwrap()),
        (200, json!({"keys": ["colors"]}))
    );
}
