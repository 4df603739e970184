//! The web UI's pages, rendered through the whole app over a real SQLite store.

mod ui_support;

use axum::http::StatusCode;
use jiff::Timestamp;
use serde_json::json;
use sluice_engine::State;
use sluice_store::prelude::*;
use sluice_store::{Level, LogLine, Metric, MetricKind};
use std::time::{Duration, Instant};
use ui_support::*;

#[tokio::test]
async fn home_redirects_to_the_flow_list() {
    let t = TestApp::new().await;
    let r = t.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/ui/flows");
}

#[tokio::test]
async fn flow_list_shows_flows_triggers_and_last_state() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    t.store.put_flow("other", "tiny", TINY_FLOW).await.unwrap();
    t.store
        .put_flow("other", "tiny", &TINY_FLOW.replace("hello", "hello again"))
        .await
        .unwrap();
    let execution = t.execution("etl", "company.team", State::Failed, 0).await;

    let r = t.get("/ui/flows").await;
    r.assert_page(StatusCode::OK, "Flows");
    for text in [
        "company.team",
        "etl",
        "other",
        "tiny",
        "nightly (Schedule)",
        "FAILED",
        "never run",
    ] {
        assert!(r.body.contains(text), "flow list lacks {text:?}:\n{}", r.body);
    }
    assert!(r.body.contains(&format!("/ui/executions/{}", execution.id)));
    assert!(
        r.body.contains(r#"<td class="num">2</td>"#),
        "the revision of `tiny` is 2"
    );
    assert!(r.body.contains(r#"<label for="flow-filter">"#));

    let r = t.get("/ui/flows?q=TINY").await;
    assert!(r.body.contains("/ui/flows/other/tiny"));
    assert!(!r.body.contains("/ui/flows/company.team/etl"));
}

#[tokio::test]
async fn flow_page_shows_source_topology_run_form_and_editor() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let execution = t.execution("etl", "company.team", State::Success, 0).await;

    let r = t.get("/ui/flows/company.team/etl").await;
    r.assert_page(StatusCode::OK, "company.team/etl");
    // The source, escaped, in a <pre>.
    assert!(r.body.contains(r#"<pre class="source""#));
    assert!(
        r.body.contains("message: &quot;hello &lt;b&gt;world&lt;/b&gt;&quot;"),
        "{}",
        r.body
    );
    // The topology: one box per task, nested containers, lanes for errors and finally.
    let svg = r.between(r#"<svg class="topology""#, "</svg>");
    assert_eq!(svg.matches(r#"<g class="topo-task"#).count(), 7, "{svg}");
    assert_eq!(svg.matches(r#"<g class="topo-parallel"#).count(), 1);
    assert_eq!(svg.matches(r#"<g class="topo-sequential"#).count(), 1);
    assert!(svg.contains("Errors (when a task fails)") && svg.contains("Finally (always)"));
    assert!(svg.matches("topo-arrow").count() >= 3);
    // Recent executions.
    assert!(r.body.contains(&format!("/ui/executions/{}", execution.id)));
    // One typed, labelled control per input, defaults filled in.
    for control in [
        r#"<label for="input-count">"#,
        r#"id="input-count" name="count" type="number" value="3" step="1""#,
        r#"id="input-ratio" name="ratio" type="number" value="" step="any""#,
        r#"type="checkbox" id="input-dry" name="dry" value="true" checked"#,
        r#"<select id="input-env" name="env""#,
        "<option selected>prod</option>",
        r#"id="input-when" name="when" type="datetime-local" value="2026-05-01T10:00:00""#,
        r#"id="input-data" name="data" type="file""#,
        r#"<textarea id="input-config" name="config""#,
        r#"id="input-name" name="name" type="text" value="world""#,
    ] {
        assert!(r.body.contains(control), "flow page lacks {control:?}");
    }
    assert!(
        r.body
            .contains(r#"enctype="multipart/form-data" action="/api/v1/executions/company.team/etl""#)
    );
    // The editor.
    assert!(r.body.contains(r#"<label for="source-editor">"#));
    assert!(
        r.body
            .contains(r#"action="/api/v1/flows/company.team/etl" data-api="save""#)
    );
}

/// Kestra's input properties in the run form (https://kestra.io/docs/workflow-components/inputs):
/// `displayName` labels the control, a templated default is a hint the server fills in,
/// an input under `dependsOn` is never `required` in the browser (the server decides), and a
/// SELECT whose choices come from an `expression` is typed in.
#[tokio::test]
async fn the_run_form_follows_display_names_templated_defaults_and_depends_on() {
    let t = TestApp::new().await;
    let flow = r#"id: forms
namespace: company.team
inputs:
  - {id: day, type: STRING, displayName: "Day to load", defaults: "{{ execution.startDate }}"}
  - {id: cloud, type: SELECT, values: [aws, gcp]}
  - id: region
    type: SELECT
    expression: "{{ inputs.cloud == 'aws' ? ['us-east-1'] : ['europe-west1'] }}"
    dependsOn: {inputs: [cloud]}
tasks:
  - {id: t, type: io.kestra.plugin.core.log.Log, message: "{{ inputs.day }}"}
"#;
    t.store.put_flow("company.team", "forms", flow).await.unwrap();
    let r = t.get("/ui/flows/company.team/forms").await;
    r.assert_page(StatusCode::OK, "company.team/forms");
    assert!(
        r.body
            .contains(r#"<label for="input-day">Day to load <span class="type">STRING"#),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(
            r#"id="input-day" name="day" type="text" value="" placeholder="default: {{ execution.startDate }}""#
        ),
        "{}",
        r.body
    );
    let region = r.between(r#"id="input-region""#, ">");
    assert!(!region.contains("required"), "{region}");
    assert!(
        r.body.contains(r#"id="input-region" name="region" type="text""#),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_stored_flow_that_no_longer_validates_shows_its_problems() {
    let t = TestApp::new().await;
    let broken = "id: broken\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    mesage: hi\n";
    t.store.put_flow("company.team", "broken", broken).await.unwrap();
    let r = t.get("/ui/flows").await;
    assert!(r.body.contains(r#"<span class="tag warn">invalid</span>"#));
    let r = t.get("/ui/flows/company.team/broken").await;
    r.assert_page(StatusCode::OK, "company.team/broken");
    assert!(r.body.contains("This revision does not validate"));
    assert!(r.body.contains(r#"<span class="pos">6:5</span>"#), "{}", r.body);
    assert!(r.body.contains("mesage"));
    assert!(!r.body.contains("id=\"run-form\""), "an invalid flow cannot be run");
    assert!(r.body.contains("id=\"source-editor\""), "but it can be fixed");
}

#[tokio::test]
async fn hostile_flow_and_log_content_is_escaped() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let execution = t.execution("etl", "company.team", State::Running, 0).await;
    t.append_logs(
        &execution.id,
        &["<script>alert('log')</script>", "<img src=x onerror=alert(1)>"],
    )
    .await;

    for uri in ["/ui/flows", "/ui/flows/company.team/etl"] {
        let r = t.get(uri).await;
        assert!(!r.body.contains("<script>alert"), "{uri} has a raw script:\n{}", r.body);
        assert!(
            r.body.contains("&lt;script&gt;alert("),
            "{uri} shows the description escaped"
        );
    }
    let r = t.get(&format!("/ui/executions/{}", execution.id)).await;
    assert!(!r.body.contains("<script>alert"));
    assert!(!r.body.contains("<img src=x"));
    assert!(r.body.contains("&lt;script&gt;alert(&#39;log&#39;)&lt;/script&gt;"));
}

#[tokio::test]
async fn unknown_things_get_404_pages_that_say_what() {
    let t = TestApp::new().await;
    let r = t.get("/ui/flows/nope/missing").await;
    r.assert_page(StatusCode::NOT_FOUND, "Not found");
    assert!(r.body.contains("Flow “nope/missing” was not found"));
    let r = t.get("/ui/executions/doesNotExist").await;
    r.assert_page(StatusCode::NOT_FOUND, "Not found");
    assert!(r.body.contains("Execution “doesNotExist” was not found"));
    let r = t.get("/ui/executions/doesNotExist/gantt").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.get("/ui/nothing/here").await;
    r.assert_page(StatusCode::NOT_FOUND, "Not found");
    assert!(r.body.contains("/ui/nothing/here"));
    let r = t.get("/ui/assets/nothing.js").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn store_errors_give_a_500_page_without_internals() {
    let t = TestApp::new().await;
    t.store.close().await;
    for uri in ["/ui/flows", "/ui/executions", "/ui/executions/x", "/ui/flows/a/b"] {
        let r = t.get(uri).await;
        r.assert_page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong");
        for secret in ["sqlx", "sqlite", "database error", "pool", ".db"] {
            assert!(!r.body.to_lowercase().contains(secret), "{uri} leaks {secret:?}");
        }
    }
}

#[tokio::test]
async fn execution_page_has_one_gantt_row_per_task_run_and_one_bar_per_attempt() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let execution = t.execution("etl", "company.team", State::Failed, 0).await;
    let runs = execution.task_run_list.len();
    let attempts: usize = execution.task_run_list.iter().map(|r| r.attempts.len()).sum();
    assert_eq!((runs, attempts), (6, 6));
    t.store
        .add_metrics(
            &execution.id,
            &execution.task_run_list[0].id,
            &[Metric {
                name: "rows.loaded".into(),
                kind: MetricKind::Counter,
                value: 42.0,
                tags: serde_json::Map::new(),
            }],
        )
        .await
        .unwrap();

    let r = t.get(&format!("/ui/executions/{}", execution.id)).await;
    r.assert_page(StatusCode::OK, &execution.id);
    let svg = r.between(r#"<svg class="gantt""#, "</svg>");
    assert_eq!(svg.matches(r#"<g class="gantt-row"#).count(), runs, "{svg}");
    assert_eq!(svg.matches(r#"class="gantt-attempt"#).count(), attempts);
    assert_eq!(
        svg.matches(r#"class="gantt-span"#).count(),
        2,
        "the two flowable runs have spans"
    );
    assert!(svg.contains("fill-failed") && svg.contains("fill-success"));
    // Nested: a child row is indented more than its parent.
    assert!(svg.contains(r#"x="22" "#) && svg.contains(r#"x="36" "#), "{svg}");
    // Outputs, metrics, attempts, the actions.
    assert!(r.body.contains("rows.loaded") && r.body.contains("= 42"));
    assert!(r.body.contains("&quot;exitCode&quot;: 0"));
    assert!(r.body.contains("exited with code 1"));
    assert!(r.body.contains("Restart failed tasks") && r.body.contains("Replay"));
    assert!(!r.body.contains(">Kill<"), "a failed execution cannot be killed");
    assert!(!r.body.contains(">Resume<"), "only a paused execution can be resumed");
    assert!(r.body.contains(&format!("/api/v1/logs/{}/download", execution.id)));

    // The live fragment is the same part alone.
    let fragment = t.get(&format!("/ui/executions/{}/gantt", execution.id)).await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert_eq!(fragment.header("cache-control"), "no-store");
    assert!(fragment.body.starts_with("<div id=\"live\""));
    assert_eq!(fragment.body.matches(r#"<g class="gantt-row"#).count(), runs);
    assert!(!fragment.body.contains("<html"));
}

#[tokio::test]
async fn execution_list_filters_and_pages() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    t.store.put_flow("other", "tiny", TINY_FLOW).await.unwrap();
    let mut failed = Vec::new();
    for i in 0..3 {
        failed.push(t.execution("etl", "company.team", State::Failed, i).await.id);
    }
    let ok = t.execution("tiny", "other", State::Success, 5).await.id;

    let r = t.get("/ui/executions").await;
    r.assert_page(StatusCode::OK, "Executions");
    assert!(r.body.contains("4 executions"));
    for label in ["f-namespace", "f-flow", "f-state", "f-from", "f-to"] {
        assert!(r.body.contains(&format!(r#"<label for="{label}">"#)));
    }

    let r = t.get("/ui/executions?state=SUCCESS").await;
    assert!(r.body.contains(&ok) && !r.body.contains(&failed[0]));
    let r = t.get("/ui/executions?namespace=company.team&flowId=etl").await;
    assert!(r.body.contains("3 executions") && !r.body.contains(&ok));

    let r = t.get("/ui/executions?size=2").await;
    assert!(r.body.contains("page 1 of 2"));
    assert!(
        r.body.contains(r#"href="/ui/executions?size=2&amp;page=2""#),
        "{}",
        r.body
    );
    let r = t.get("/ui/executions?size=2&page=2").await;
    assert!(r.body.contains("page 2 of 2") && r.body.contains("rel=\"prev\""));

    // Times are read as UTC; executions started at BASE + i minutes.
    let r = t.get("/ui/executions?from=2026-05-01T10:02&to=2026-05-01T10:30").await;
    assert!(r.body.contains("2 executions"), "{}", r.body);
    let r = t.get("/ui/executions?from=yesterday").await;
    assert!(r.body.contains("is not a time"));
}

#[tokio::test]
async fn a_million_log_lines_render_only_the_first_page_quickly() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let execution = t.execution("etl", "company.team", State::Running, 0).await;
    let start = Timestamp::now();
    for chunk in 0..10 {
        let lines: Vec<LogLine> = (0..100_000)
            .map(|i| LogLine {
                execution_id: execution.id.clone(),
                task_run_id: Some(execution.task_run_list[0].id.clone()),
                task_id: Some("hello".into()),
                attempt: Some(1),
                at: start,
                level: if i % 100 == 99 { Level::Warn } else { Level::Info },
                message: format!("line number {}", chunk * 100_000 + i + 1),
            })
            .collect();
        t.store.append_logs(&lines).await.unwrap();
    }
    assert_eq!(t.store.log_count(&execution.id).await.unwrap(), 1_000_000);

    let uri = format!("/ui/executions/{}", execution.id);
    t.get(&uri).await; // warm up the connections
    let started = Instant::now();
    let r = t.get(&uri).await;
    let took = started.elapsed();
    eprintln!("first page of 1,000,000 lines: {took:?}");
    assert_eq!(r.status, StatusCode::OK);
    assert!(took < Duration::from_millis(500), "the page took {took:?}");
    assert_eq!(r.body.matches(r#"<div class="log-line lv-"#).count(), 1000);
    assert!(r.body.contains(">line number 1<") && r.body.contains(">line number 1000<"));
    assert!(!r.body.contains(">line number 1001<"));
    assert!(r.body.contains("of 1000000 stored"));
    // Too much follows the first page to stream it: the page says so instead of following.
    assert!(r.body.contains(r#"data-follow="false""#));
    assert!(
        r.body
            .contains(&format!(r#"href="/ui/executions/{}?afterSeq=1000#logs""#, execution.id))
    );

    // The last page, and a filtered page, are as quick.
    for query in ["?tail=1", "?level=WARN", "?afterSeq=500000"] {
        let started = Instant::now();
        let r = t.get(&format!("{uri}{query}")).await;
        let took = started.elapsed();
        eprintln!("{query}: {took:?}");
        assert!(took < Duration::from_millis(500), "{query} took {took:?}");
        let lines = r.body.matches(r#"<div class="log-line lv-"#).count();
        assert_eq!(lines, 1000, "{query}");
    }
    let r = t.get(&format!("{uri}?tail=1")).await;
    assert!(r.body.contains(">line number 1000000<") && r.body.contains(r#"data-follow="true""#));
    let r = t.get(&format!("{uri}?level=WARN")).await;
    assert!(r.body.contains(">line number 100<") && r.body.contains(">line number 100000<"));
    assert!(!r.body.contains(">line number 99<") && !r.body.contains(">line number 100100<"));
}

#[tokio::test]
async fn assets_are_served_with_cache_headers() {
    let t = TestApp::new().await;
    let r = t.get("/ui/flows").await;
    let css = r.between(r#"<link rel="stylesheet" href=""#, "\"").to_string();
    assert!(css.starts_with("/ui/assets/app.css?v="), "{css}");
    let r = t.get(&css).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "text/css; charset=utf-8");
    assert!(r.header("cache-control").contains("max-age"));
    assert!(r.body.contains(":focus-visible"));
    let r = t.get("/ui/assets/app.js").await;
    assert_eq!(r.header("content-type"), "text/javascript; charset=utf-8");
    assert!(r.body.contains("EventSource"));
    let etag = r.header("etag").to_string();
    let r = t.get_with("/ui/assets/app.js", ("if-none-match", &etag)).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn pages_have_landmarks_titles_and_navigation() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let execution = t.execution("etl", "company.team", State::Success, 0).await;
    let ex = format!("/ui/executions/{}", execution.id);
    for uri in ["/ui/flows", "/ui/flows/company.team/etl", "/ui/executions", ex.as_str()] {
        let r = t.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        for landmark in [
            "<main id=\"main\"",
            "<nav aria-label=\"Main\">",
            "<title>",
            "<html lang=\"en\">",
        ] {
            assert!(r.body.contains(landmark), "{uri} lacks {landmark}");
        }
        assert_eq!(r.body.matches("aria-current=\"page\"").count(), 1, "{uri}");
    }
    let _ = json!({});
}

/// A paused execution's page offers Resume (Kestra's resume route) and Kill, not Restart.
#[tokio::test]
async fn a_paused_execution_offers_resume() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let execution = t.execution("etl", "company.team", State::Paused, 0).await;
    let r = t.get(&format!("/ui/executions/{}", execution.id)).await;
    r.assert_page(StatusCode::OK, &execution.id);
    assert!(r.body.contains(">Resume<") && r.body.contains(">Kill<"), "{}", r.body);
    assert!(r.body.contains(&format!("/api/v1/executions/{}/resume", execution.id)));
    assert!(!r.body.contains("Restart failed tasks"));
}

/// An If draws both branches side by side, a ForEach its tasks, a Switch each case.
#[tokio::test]
async fn the_topology_draws_branches_of_if_switch_and_for_each() {
    let t = TestApp::new().await;
    let flow = r#"
id: branches
namespace: company.team
tasks:
  - id: if
    type: io.kestra.plugin.core.flow.If
    condition: "{{ true }}"
    then: [{id: yes_task, type: io.kestra.plugin.core.log.Log, message: y}]
    else: [{id: no_task, type: io.kestra.plugin.core.log.Log, message: n}]
  - id: switch
    type: io.kestra.plugin.core.flow.Switch
    value: a
    cases:
      a: [{id: case_a, type: io.kestra.plugin.core.log.Log, message: a}]
      b: [{id: case_b, type: io.kestra.plugin.core.log.Log, message: b}]
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2]
    tasks: [{id: per_value, type: io.kestra.plugin.core.log.Log, message: v}]
"#;
    t.store.put_flow("company.team", "branches", flow).await.unwrap();
    let r = t.get("/ui/flows/company.team/branches").await;
    r.assert_page(StatusCode::OK, "company.team/branches");
    let svg = r.between(r#"<svg class="topology""#, "</svg>");
    for id in ["yes_task", "no_task", "case_a", "case_b", "per_value"] {
        assert!(svg.contains(id), "{id} is not drawn:\n{svg}");
    }
    assert_eq!(
        svg.matches(r#"<g class="topo-parallel"#).count(),
        2,
        "If and Switch side by side"
    );
    assert_eq!(
        svg.matches(r#"<g class="topo-sequential"#).count(),
        1,
        "ForEach as a stack"
    );
}

/// The Gantt chart groups a loop's task runs by value (ForEach with `concurrencyLimit` above 1
/// starts them interleaved) and links a Subflow's row to the execution it started.
#[tokio::test]
async fn the_gantt_groups_loop_iterations_by_value_and_links_subflows() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let mut execution = sample_execution("etl", "company.team", State::Success, base());
    let parent = execution.task_run_list[0].clone();
    let child = |task: &str, value: &str| {
        let mut run = parent.clone();
        run.id = format!("{task}-{value}");
        run.task_id = task.to_string();
        run.value = Some(value.to_string());
        run.parent_task_run_id = Some(parent.id.clone());
        run
    };
    // Started interleaved: a1 b1 a2 b2.
    let interleaved = [
        child("one", "a"),
        child("one", "b"),
        child("two", "a"),
        child("two", "b"),
    ];
    execution.task_run_list.extend(interleaved);
    execution.task_run_list[0]
        .outputs
        .insert("executionId".into(), json!("childExec1"));
    t.store
        .create_execution(&execution, &sluice_engine::Event::Start, base())
        .await
        .unwrap();
    let r = t.get(&format!("/ui/executions/{}", execution.id)).await;
    let svg = r.between(r#"<svg class="gantt""#, "</svg>");
    let order: Vec<usize> = ["one-a", "two-a", "one-b", "two-b"]
        .iter()
        .map(|id| {
            svg.find(&format!(r#"data-task-run="{id}""#))
                .unwrap_or_else(|| panic!("{id}: {svg}"))
        })
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "rows of a value together: {order:?}"
    );
    assert!(svg.contains(r#"<a href="/ui/executions/childExec1">"#), "{svg}");
}
