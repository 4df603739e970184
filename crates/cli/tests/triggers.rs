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

/// One HTTP/1.1 request with extra headers; the status and the body.
fn call(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(base).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    // A server that refuses a large body may answer and close before reading it all: what it
    // answered is still read.
    let _ = write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {base}\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        common::dechunk(body)
    } else {
        body.to_string()
    };
    (status, body)
}

// Kestra: https://kestra.io/plugins/core/triggers/io.kestra.plugin.core.trigger.webhook and
// https://kestra.io/docs/workflow-components/triggers/webhook-trigger
const HOOKED: &str = r#"id: hooked
namespace: company.team
inputs:
  - id: who
    type: STRING
    defaults: nobody
tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.body.user }}"
outputs:
  - id: greeting
    type: STRING
    value: "hello {{ inputs.who }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: "{{ secret('WEBHOOK_KEY') }}"
    inputs:
      who: "{{ trigger.body.user ?? 'anonymous' }}"
    conditions:
      - type: io.kestra.plugin.core.condition.Expression
        expression: "{{ trigger.parameters.skip is not defined }}"
  - id: sync
    type: io.kestra.plugin.core.trigger.Webhook
    key: wait-for-it
    wait: true
    returnOutputs: true
    inputs:
      who: "{{ trigger.body.user }}"
"#;

#[test]
fn a_webhook_call_starts_an_execution_with_the_body_headers_and_parameters() {
    let dir = scratch("webhook");
    std::fs::write(dir.join("flows/hooked.yaml"), HOOKED).unwrap();
    // `c3VwZXItc2VjcmV0LWtleQ==` is base64 for `super-secret-key`; the server also requires
    // credentials, which webhooks do not need: their key is theirs.
    let env = [
        ("SECRET_WEBHOOK_KEY", "c3VwZXItc2VjcmV0LWtleQ=="),
        ("SLUICE_AUTH_BASIC", "admin:s3cret"),
    ];
    let (server, _) = common::start_with(&dir, &env);
    let base = &server.base;
    let auth = [("Authorization", "Basic YWRtaW46czNjcmV0")];
    let path = "/api/v1/executions/webhook/company.team/hooked/super-secret-key?source=ci&tag=a&tag=b";
    let headers = [("Content-Type", "application/json"), ("X-Event", "push")];
    let (status, body) = call(base, "POST", path, &headers, r#"{"user": "ada", "n": 3}"#);
    assert_eq!(status, 200, "{body}");
    let exec: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(exec["trigger"]["id"], "hook");
    assert_eq!(exec["trigger"]["type"], "io.kestra.plugin.core.trigger.Webhook");
    assert_eq!(exec["trigger"]["body"]["n"], 3, "a JSON body is JSON");
    assert_eq!(exec["trigger"]["headers"]["x-event"][0], "push");
    assert_eq!(exec["trigger"]["parameters"]["tag"], serde_json::json!(["a", "b"]));
    assert_eq!(exec["inputs"]["who"], "ada");
    let id = exec["id"].as_str().unwrap().to_string();
    let (status, _) = call(base, "GET", &format!("/api/v1/executions/{id}"), &[], "");
    assert_eq!(status, 401, "the rest of the API still needs credentials");
    wait_for("the webhook's execution", Duration::from_secs(30), || {
        let (_, body) = call(base, "GET", &format!("/api/v1/executions/{id}"), &auth, "");
        serde_json::from_str::<Value>(&body).is_ok_and(|e| e["state"]["current"] == "SUCCESS")
    });

    // Kestra 1.x's path, a text body, GET and PUT.
    let text_path = "/api/v1/main/executions/webhook/company.team/hooked/super-secret-key";
    let (status, body) = call(base, "PUT", text_path, &[("Content-Type", "text/plain")], "just text");
    assert_eq!(status, 200, "{body}");
    let exec: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(exec["trigger"]["body"], "just text");
    assert_eq!(exec["inputs"]["who"], "anonymous");
    let (status, _) = call(base, "GET", text_path, &[], "");
    assert_eq!(status, 200);

    // A false condition answers 204 and starts nothing.
    let (status, body) = call(base, "POST", &format!("{text_path}?skip=1"), &[], "{}");
    assert_eq!(status, 204, "{body}");

    // Wrong key, unknown flow, unknown namespace: the same 404.
    for wrong in [
        "/api/v1/executions/webhook/company.team/hooked/super-secret-kez",
        "/api/v1/executions/webhook/company.team/hooked/wait-for-it-not",
        "/api/v1/executions/webhook/company.team/nope/super-secret-key",
        "/api/v1/executions/webhook/elsewhere/hooked/super-secret-key",
    ] {
        let (status, body) = call(base, "POST", wrong, &[], "{}");
        assert_eq!(status, 404, "{wrong}: {body}");
        assert!(body.contains("no webhook trigger answers at this URL"), "{body}");
    }
    let huge = "x".repeat(11 * 1024 * 1024);
    let (status, _) = call(base, "POST", path, &[], &huge);
    assert_eq!(status, 413, "a body past the limit is refused");

    // `wait` with `returnOutputs`: the answer is the flow's outputs once it has ended.
    let sync = "/api/v1/executions/webhook/company.team/hooked/wait-for-it";
    let (status, body) = call(
        base,
        "POST",
        sync,
        &[("Content-Type", "application/json")],
        r#"{"user": "grace"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let outputs: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(outputs, serde_json::json!({"greeting": "hello grace"}));
}

/// 1,000 webhook calls at once (16 callers) make 1,000 executions, with no 5xx.
#[test]
fn a_thousand_parallel_webhook_calls_make_a_thousand_executions() {
    const CALLS: usize = 1000;
    let dir = scratch("webhook-burst");
    let flow = "id: burst\nnamespace: company.team\ntasks:\n  - {id: say, type: io.kestra.plugin.core.log.Log, message: \"{{ trigger.body.n }}\"}\n\
                triggers:\n  - {id: hook, type: io.kestra.plugin.core.trigger.Webhook, key: burst-key}\n";
    std::fs::write(dir.join("flows/burst.yaml"), flow).unwrap();
    let (server, _) = start(&dir);
    let base = server.base.clone();
    let callers: Vec<_> = (0..16)
        .map(|t| {
            let base = base.clone();
            std::thread::spawn(move || {
                let mut statuses = Vec::new();
                for n in (t..CALLS).step_by(16) {
                    let body = format!("{{\"n\": {n}}}");
                    let path = "/api/v1/executions/webhook/company.team/burst/burst-key";
                    statuses.push(call(&base, "POST", path, &[("Content-Type", "application/json")], &body).0);
                }
                statuses
            })
        })
        .collect();
    let statuses: Vec<u16> = callers.into_iter().flat_map(|c| c.join().unwrap()).collect();
    assert_eq!(statuses.len(), CALLS);
    let bad: Vec<&u16> = statuses.iter().filter(|s| **s != 200).collect();
    assert!(bad.is_empty(), "every call answers 200: {bad:?}");
    let total = || {
        get_json(
            &base,
            "/api/v1/executions/search?namespace=company.team&flowId=burst&size=1",
        )["total"]
            .as_u64()
            .unwrap_or(0)
    };
    assert_eq!(total(), CALLS as u64);
    wait_for("every execution to end", Duration::from_secs(120), || {
        get_json(
            &base,
            "/api/v1/executions/search?namespace=company.team&flowId=burst&state=SUCCESS&size=1",
        )["total"]
            .as_u64()
            == Some(CALLS as u64)
    });
}

/// Each execution's RUNNING interval (first RUNNING to its end), in creation order.
/// Every trigger is listed, in Kestra's `{abstractTrigger, triggerContext}` shape, with the
/// schedule's next fire date once the scheduler has planned it.
#[test]
fn triggers_are_listed_with_their_next_fire() {
    let dir = scratch("trigger-list");
    let flow = "id: listed\nnamespace: company.team\ntasks:\n  - {id: say, type: io.kestra.plugin.core.log.Log, message: hi}\n\
                triggers:\n  - {id: hourly, type: io.kestra.plugin.core.trigger.Schedule, cron: \"0 * * * *\"}\n  \
                - {id: hook, type: io.kestra.plugin.core.trigger.Webhook, key: k, disabled: true}\n";
    std::fs::write(dir.join("flows/listed.yaml"), flow).unwrap();
    std::fs::write(dir.join("flows/other.yaml"), UPSTREAM_FAILS).unwrap();
    let (server, _) = start(&dir);
    let base = &server.base;
    let mut page = Value::Null;
    wait_for("the schedule to be planned", Duration::from_secs(10), || {
        page = get_json(base, "/api/v1/triggers/search?namespace=company&size=100");
        page["results"][0]["triggerContext"]["nextExecutionDate"].is_string()
    });
    assert_eq!(page["total"], 2, "{page}");
    let hourly = &page["results"][0];
    assert_eq!(hourly["abstractTrigger"]["id"], "hourly");
    assert_eq!(hourly["abstractTrigger"]["cron"], "0 * * * *");
    let next: jiff::Timestamp = hourly["triggerContext"]["nextExecutionDate"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(next > jiff::Timestamp::now(), "{next}");
    let hook = &page["results"][1];
    assert_eq!(hook["abstractTrigger"]["type"], "io.kestra.plugin.core.trigger.Webhook");
    assert_eq!(hook["triggerContext"]["disabled"], true);
    let none = get_json(base, "/api/v1/triggers/search?flowId=fails");
    assert_eq!(none["total"], 0, "a flow without triggers lists none: {none}");
}
