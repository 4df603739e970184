//! Flow concurrency limits (`concurrency: {limit, behavior}`) against a real `sluice server
//! local`: what waits, what is refused, and what a restart or a held webhook call does at the
//! limit.
//!
//! Kestra: <https://kestra.io/docs/workflow-components/concurrency>

mod common;

use common::{get_json, http, scratch, start, start_with, wait_for};
use serde_json::Value;
use std::time::Duration;

fn running_intervals(base: &str, ids: &[String]) -> Vec<(jiff::Timestamp, jiff::Timestamp)> {
    ids.iter()
        .map(|id| {
            let e = get_json(base, &format!("/api/v1/executions/{id}"));
            let histories = e["state"]["histories"].as_array().unwrap().clone();
            let date = |h: &Value| h["date"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap();
            let start = histories.iter().find(|h| h["state"] == "RUNNING").map(date).unwrap();
            (start, date(histories.last().unwrap()))
        })
        .collect()
}

// Kestra: https://kestra.io/docs/workflow-components/concurrency
#[test]
fn a_concurrency_limit_queues_cancels_or_fails_what_is_past_it() {
    let dir = scratch("concurrency");
    let flow = |id: &str, limit: u32, behavior: &str| {
        format!(
            "id: {id}\nnamespace: company.team\nconcurrency:\n  limit: {limit}\n  behavior: {behavior}\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1S\n"
        )
    };
    for (id, limit, behavior) in [
        ("queued", 2, "QUEUE"),
        ("cancelled", 1, "CANCEL"),
        ("failed", 1, "FAIL"),
    ] {
        std::fs::write(dir.join(format!("flows/{id}.yaml")), flow(id, limit, behavior)).unwrap();
    }
    let (server, _) = start(&dir);
    let base = &server.base;

    let queued: Vec<String> = (0..10)
        .map(|_| common::trigger(base, "company.team", "queued"))
        .collect();
    let cancelled: Vec<String> = (0..3)
        .map(|_| common::trigger(base, "company.team", "cancelled"))
        .collect();
    let failed: Vec<String> = (0..3)
        .map(|_| common::trigger(base, "company.team", "failed"))
        .collect();
    let all: Vec<&String> = queued.iter().chain(&cancelled).chain(&failed).collect();
    wait_for("every execution to end", Duration::from_secs(60), || {
        all.iter().all(|id| {
            matches!(
                common::state_of(base, id).as_str(),
                "SUCCESS" | "FAILED" | "CANCELLED" | "KILLED" | "WARNING"
            )
        })
    });
    let states = |ids: &[String]| ids.iter().map(|id| common::state_of(base, id)).collect::<Vec<_>>();
    assert!(states(&queued).iter().all(|s| s == "SUCCESS"), "{:?}", states(&queued));
    let intervals = running_intervals(base, &queued);
    for (i, (start, _)) in intervals.iter().enumerate() {
        let overlapping = intervals.iter().filter(|(s, e)| s <= start && start < e).count();
        assert!(
            overlapping <= 2,
            "execution {i} started with {overlapping} running: {intervals:?}"
        );
    }
    // Slots go in creation order; two handed on by one commit are stepped side by side, so their
    // RUNNING times may differ by a few milliseconds either way, never by a whole task (1 s).
    let slack = jiff::SignedDuration::from_millis(200);
    for (i, (older, _)) in intervals.iter().enumerate() {
        for (j, (newer, _)) in intervals.iter().enumerate().skip(i + 1) {
            assert!(
                *newer + slack >= *older,
                "execution {j} started before the older execution {i}: {intervals:?}"
            );
        }
    }
    let queued_history = get_json(base, &format!("/api/v1/executions/{}", queued[9]));
    assert!(
        queued_history["state"]["histories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["state"] == "QUEUED"),
        "the last one waited in QUEUED: {queued_history}"
    );

    assert_eq!(states(&cancelled), ["SUCCESS", "CANCELLED", "CANCELLED"]);
    assert_eq!(states(&failed), ["SUCCESS", "FAILED", "FAILED"]);
    let logs = get_json(base, &format!("/api/v1/logs/{}", failed[1]));
    let text = logs.to_string();
    assert!(
        text.contains("already runs 1 execution") && text.contains("behavior: QUEUE"),
        "the log says why and what to do: {text}"
    );
}

// A restart in place runs the execution again, so it needs a slot like a start; one that finds
// none is refused with a line saying so, and works once a slot is free.
#[test]
fn a_restart_at_the_limit_is_refused_until_a_slot_is_free() {
    let dir = scratch("concurrency-restart");
    std::fs::write(
        dir.join("flows/single.yaml"),
        "id: single\nnamespace: company.team\nconcurrency:\n  limit: 1\n  behavior: CANCEL\ninputs:\n  - id: fail\n    type: BOOLEAN\n    defaults: false\n  - id: nap\n    type: DURATION\n    defaults: PT0S\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: \"{{ inputs.nap }}\"\n  - id: maybe\n    type: io.kestra.plugin.core.execution.Fail\n    condition: \"{{ inputs.fail }}\"\n",
    )
    .unwrap();
    let (server, _) = start(&dir);
    let base = &server.base;
    let run = |form: &str| {
        let path = "/api/v1/executions/company.team/single";
        let (status, body) = http(base, "POST", path, "application/x-www-form-urlencoded", form);
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let ended = |id: &str| matches!(common::state_of(base, id).as_str(), "SUCCESS" | "FAILED" | "CANCELLED");
    let failed = run("fail=true");
    wait_for("the first execution to fail", Duration::from_secs(30), || {
        ended(&failed)
    });
    assert_eq!(common::state_of(base, &failed), "FAILED");
    let long = run("nap=PT4S");
    wait_for("the long one to run", Duration::from_secs(30), || {
        common::state_of(base, &long) == "RUNNING"
    });
    let restart = format!("/api/v1/executions/{failed}/restart");
    let (status, body) = http(base, "POST", &restart, "text/plain", "");
    assert_eq!(status, 200, "{body}");
    wait_for("the refusal in the log", Duration::from_secs(30), || {
        get_json(base, &format!("/api/v1/logs/{failed}"))
            .to_string()
            .contains("not restarted")
    });
    assert_eq!(common::state_of(base, &failed), "FAILED", "it did not run again");
    wait_for("the long one to end", Duration::from_secs(30), || ended(&long));
    let (status, body) = http(base, "POST", &restart, "text/plain", "");
    assert_eq!(status, 200, "{body}");
    wait_for(
        "the restarted one to run its tasks again",
        Duration::from_secs(30),
        || {
            let e = get_json(base, &format!("/api/v1/executions/{failed}"));
            e["state"]["histories"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["state"] == "RESTARTED")
                && e["state"]["current"] == "FAILED"
        },
    );
}

// Kestra: https://kestra.io/plugins/core/triggers/io.kestra.plugin.core.trigger.webhook (`wait`)
#[test]
fn a_waiting_webhook_call_is_answered_at_the_servers_limit() {
    let dir = scratch("webhook-wait");
    std::fs::write(
        dir.join("flows/slow.yaml"),
        "id: slow\nnamespace: company.team\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT10S\ntriggers:\n  - id: hook\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: patience\n    wait: true\n",
    )
    .unwrap();
    let (server, _) = start_with(&dir, &[("SLUICE_WEBHOOK_WAIT", "PT1S")]);
    let started = std::time::Instant::now();
    let (status, body) = http(
        &server.base,
        "POST",
        "/api/v1/executions/webhook/company.team/slow/patience",
        "application/json",
        "{}",
    );
    let took = started.elapsed();
    assert_eq!(status, 202, "{body}");
    let exec: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(exec["state"]["current"], "RUNNING", "{exec}");
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(5),
        "answered after {took:?}"
    );
}
