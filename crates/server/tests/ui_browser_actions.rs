//! The web UI's actions in a real browser: a harness page loads a UI page in a frame, fills and
//! submits its forms or follows its links as a person would, and logs what happened; the tests
//! then check the page's log and the store.
//!
//! Chromium must be installed (`apt-get install -y chromium`, or `SLUICE_CHROMIUM=<path>`); without
//! it these tests fail and say so, they never skip.

mod ui_support;

use serde_json::json;
use sluice_engine::{Event, State};
use sluice_store::ExecutionFilter;
use sluice_store::prelude::*;
use std::time::Duration;
use ui_support::browser::*;
use ui_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_form_posts_typed_inputs_and_opens_the_new_execution() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let script = r#"
async function step(doc, n) {
  if (n === 1) {
    doc.getElementById('input-count').value = '5';
    doc.getElementById('input-ratio').value = '0.5';
    doc.getElementById('input-dry').checked = false;
    doc.getElementById('input-env').value = 'dev';
    doc.getElementById('input-when').value = '2026-06-01T12:30:00';
    doc.getElementById('input-config').value = '{"b": 2}';
    doc.getElementById('run-form').requestSubmit();
    const status = doc.querySelector('#run-form .form-status');
    await wait(() => status.classList.contains('error'));
    if (status.classList.contains('error')) { log('error: ' + status.textContent); done(); }
    return;
  }
  log('landed on ' + frame.contentWindow.location.pathname);
  done();
}"#;
    let result = scenario(
        t.app.clone(),
        "/ui/flows/company.team/etl",
        script,
        Duration::from_secs(10),
    )
    .await;

    let found = t.store.list_executions(&ExecutionFilter::default()).await.unwrap();
    assert_eq!(found.total, 1, "one execution was created: {result}");
    let execution = t.store.get_execution(&found.results[0].id).await.unwrap().unwrap();
    assert!(
        result.contains(&format!("landed on /ui/executions/{}", execution.id)),
        "{result}"
    );
    let inputs = serde_json::Value::Object(execution.inputs);
    assert_eq!(
        inputs,
        json!({
            "count": 5, "ratio": 0.5, "dry": false, "env": "dev", "when": "2026-06-01T12:30:00Z",
            "config": {"b": 2}, "name": "world",
            // An optional FILE left empty is kept as null, as Kestra keeps optional inputs.
            "data": null
        }),
        "{result}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_lists_diagnostics_then_saves_a_new_revision() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let script = r#"
async function step(doc, n) {
  const form = doc.getElementById('edit-form');
  const text = doc.getElementById('source-editor');
  if (n === 1) {
    text.value = text.value.replace('message: left', 'mesage: left');
    form.requestSubmit();
    const list = doc.getElementById('save-diagnostics');
    await wait(() => !list.hidden);
    log('diagnostics: ' + list.textContent);
    log('status: ' + form.querySelector('.form-status').textContent);
    list.querySelector('button.pos').click();
    log('selected: ' + text.value.substring(text.selectionStart, text.selectionEnd).trim());
    text.value = text.value.replace('mesage: left', 'message: left, edited');
    form.requestSubmit();
    return;
  }
  log('reloaded: ' + doc.querySelector('.meta').textContent.trim());
  done();
}"#;
    let result = scenario(
        t.app.clone(),
        "/ui/flows/company.team/etl",
        script,
        Duration::from_secs(10),
    )
    .await;

    let line = ETL_FLOW.lines().position(|l| l.contains("message: left")).unwrap() + 1;
    assert!(
        result.contains(&format!("diagnostics: {line}:")),
        "a diagnostic points at line {line}: {result}"
    );
    assert!(result.contains("mesage"), "{result}");
    assert!(
        result.contains("selected: mesage: left"),
        "the diagnostic selects its line: {result}"
    );
    assert!(result.contains("reloaded: Revision 2"), "{result}");
    let flow = t.store.get_flow("company.team", "etl", None).await.unwrap().unwrap();
    assert_eq!(flow.revision, 2);
    assert!(flow.source.contains("message: left, edited"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_pages_load_earlier_and_later_lines_through_the_api() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let execution = t.execution("etl", "company.team", State::Success, 0).await;
    t.append_many(&execution.id, "old line", 3000).await;
    let earlier = r#"
async function step(doc, n) {
  const count = () => doc.querySelectorAll('.log-line').length;
  const first = () => doc.querySelector('.log-line').getAttribute('data-seq');
  const link = doc.getElementById('log-earlier');
  log('start ' + count() + ' from ' + first());
  link.click();
  await wait(() => count() === 2000);
  log('then ' + count() + ' from ' + first());
  link.click();
  await wait(() => count() === 3000);
  log('then ' + count() + ' from ' + first() + ', more earlier: ' + !link.hidden);
  log('still on ' + frame.contentWindow.location.search);
  done();
}"#;
    let target = format!("/ui/executions/{}?tail=1", execution.id);
    let result = scenario(t.app.clone(), &target, earlier, Duration::from_secs(20)).await;
    assert!(result.contains("start 1000 from 2001"), "{result}");
    assert!(result.contains("then 2000 from 1001"), "{result}");
    assert!(result.contains("then 3000 from 1, more earlier: false"), "{result}");
    assert!(
        result.contains("still on ?tail=1"),
        "paging did not reload the page: {result}"
    );

    let later = r#"
async function step(doc, n) {
  const count = () => doc.querySelectorAll('.log-line').length;
  const last = () => doc.querySelector('.log-line:last-child').getAttribute('data-seq');
  const link = doc.getElementById('log-later');
  log('start ' + count() + ' to ' + last());
  link.click();
  await wait(() => count() === 2000);
  link.click();
  await wait(() => count() === 3000);
  link.click();
  await wait(() => link.hidden);
  log('then ' + count() + ' to ' + last() + ', more later: ' + !link.hidden);
  done();
}"#;
    let target = format!("/ui/executions/{}", execution.id);
    let result = scenario(t.app.clone(), &target, later, Duration::from_secs(20)).await;
    assert!(result.contains("start 1000 to 1000"), "{result}");
    assert!(result.contains("then 3000 to 3000, more later: false"), "{result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_and_replay_buttons_call_the_api() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let started = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(5);
    let running = t.execution_at("etl", "company.team", State::Running, started).await;
    let kill = r#"
async function step(doc, n) {
  await wait(() => doc.readyState === 'complete');
  log('page load: ' + doc.readyState);
  doc.querySelector('form[action$="/kill"]').requestSubmit();
  await wait(() => /Requested/.test(doc.body.textContent));
  log('kill: ' + (/Requested/.test(doc.body.textContent) ? 'requested' : 'no answer'));
  done();
}"#;
    let target = format!("/ui/executions/{}", running.id);
    let result = scenario(t.app.clone(), &target, kill, Duration::from_secs(20)).await;
    assert!(result.contains("kill: requested"), "{result}");
    assert!(
        result.contains("page load: complete"),
        "the event streams hold the page's load: {result}"
    );
    let events = t.store.pending_events(100).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.execution_id == running.id && e.event == Event::Kill),
        "no kill event was posted: {events:?}"
    );

    let failed = t.execution("etl", "company.team", State::Failed, 0).await;
    let replay = r#"
async function step(doc, n) {
  if (n === 1) { doc.querySelector('form[action$="/replay"]').requestSubmit(); return; }
  log('landed on ' + frame.contentWindow.location.pathname);
  done();
}"#;
    let target = format!("/ui/executions/{}", failed.id);
    let result = scenario(t.app.clone(), &target, replay, Duration::from_secs(20)).await;
    let all = t.store.list_executions(&ExecutionFilter::default()).await.unwrap();
    let new = all
        .results
        .iter()
        .find(|e| e.id != failed.id && e.id != running.id)
        .expect("replay created an execution");
    assert!(
        result.contains(&format!("landed on /ui/executions/{}", new.id)),
        "{result}"
    );
    let new = t.store.get_execution(&new.id).await.unwrap().unwrap();
    assert_eq!(new.original_id.as_deref(), Some(failed.id.as_str()));
}

/// Each task run of an ended execution has Kestra's "change state" and "replay from here".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_runs_state_is_set_from_its_row() {
    let t = TestApp::new().await;
    t.store.put_flow("company.team", "etl", ETL_FLOW).await.unwrap();
    let failed = t.execution("etl", "company.team", State::Failed, 0).await;
    let run = failed.task_run_list[0].id.clone();
    let set = format!(
        r#"
async function step(doc, n) {{
  await wait(() => doc.readyState === 'complete');
  const form = doc.querySelector('#run-{run} form[action$="/state"]');
  log('replay from here: ' + !!doc.querySelector('#run-{run} form[action*="/replay?taskRunId={run}"]'));
  form.querySelector('select').value = 'WARNING';
  form.requestSubmit();
  await wait(() => /Requested/.test(doc.body.textContent));
  log('state: requested');
  done();
}}"#
    );
    let target = format!("/ui/executions/{}", failed.id);
    let result = scenario(t.app.clone(), &target, &set, Duration::from_secs(20)).await;
    assert!(result.contains("replay from here: true"), "{result}");
    assert!(result.contains("state: requested"), "{result}");
    let events = t.store.pending_events(100).await.unwrap();
    let wanted = Event::ChangeTaskRunState {
        task_run_id: run,
        state: State::Warning,
    };
    assert!(
        events.iter().any(|e| e.execution_id == failed.id && e.event == wanted),
        "no state change was posted: {events:?}"
    );
}
