//! What the UI tests share: an app over a SQLite store in a temporary folder, requests, and
//! stored flows and executions to look at.
#![allow(dead_code)]

pub mod browser;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, json};
use sluice_engine::{Attempt, Event, Execution, State, StateInfo, TaskRun, task_run_id};
use sluice_server::AppState;
use sluice_store::prelude::*;
use sluice_store::{Level, LogLine, SqliteStore, StepCommit};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::Notify;
use tower::ServiceExt;

/// A flow with every kind of input, nested flowable tasks, errors and finally branches, a trigger,
/// and hostile text in its description and a message.
pub const ETL_FLOW: &str = r#"id: etl
namespace: company.team
description: "Loads <script>alert('flow')</script> data"
labels:
  owner: data
inputs:
  - id: count
    type: INT
    defaults: 3
  - id: ratio
    type: FLOAT
    required: false
  - id: dry
    type: BOOLEAN
    defaults: true
  - id: env
    type: SELECT
    values: [dev, prod]
    defaults: prod
  - id: when
    type: DATETIME
    defaults: "2026-05-01T10:00:00Z"
  - id: data
    type: FILE
    required: false
  - id: config
    type: JSON
    defaults: '{"a": 1}'
  - id: name
    type: STRING
    defaults: world
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "hello <b>world</b>"
  - id: both
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: left
        type: io.kestra.plugin.core.log.Log
        message: left
      - id: right
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: r1
            type: io.kestra.plugin.core.log.Log
            message: one
          - id: r2
            type: io.kestra.plugin.core.log.Log
            message: two
  - id: last_step_with_a_rather_long_name
    type: io.kestra.plugin.core.log.Log
    message: done
errors:
  - id: alert
    type: io.kestra.plugin.core.log.Log
    message: failed
finally:
  - id: cleanup
    type: io.kestra.plugin.core.log.Log
    message: bye
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
"#;

/// The smallest flow.
pub const TINY_FLOW: &str = r#"id: tiny
namespace: other
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello
"#;

/// When the test executions start (plus their offset in minutes).
pub fn base() -> Timestamp {
    "2026-05-01T10:00:00Z".parse().unwrap()
}

/// A folder removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let nanos = Timestamp::now().as_nanosecond();
        let path = std::env::temp_dir().join(format!("sluice-ui-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A response, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// A header's value, or "" when it is missing.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// Checks the status and that the page is a whole HTML page whose title contains `title`.
    pub fn assert_page(&self, status: StatusCode, title: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(self.header("content-type").starts_with("text/html"));
        let head = self.between("<title>", "</title>");
        assert!(head.contains(title), "title {head:?} lacks {title:?}");
    }

    /// The text between the first `start` and the next `end` after it.
    pub fn between(&self, start: &str, end: &str) -> &str {
        let from = self
            .body
            .find(start)
            .unwrap_or_else(|| panic!("no {start:?} in:\n{}", self.body))
            + start.len();
        let to = self.body[from..].find(end).map_or(self.body.len(), |i| from + i);
        &self.body[from..to]
    }
}

/// The app over a fresh store.
pub struct TestApp {
    pub dir: TempDir,
    pub store: Arc<SqliteStore>,
    pub app: Router,
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::waking(Arc::new(Notify::new())).await
    }

    /// The app over a fresh store, notifying `executor_wake` after each event the API posts (a
    /// real executor listens to it in the full-stack tests).
    pub async fn waking(executor_wake: Arc<Notify>) -> TestApp {
        let dir = TempDir::new();
        let store = Arc::new(SqliteStore::open(dir.path()).await.unwrap());
        let state = AppState::new(
            store.clone(),
            executor_wake,
            dir.path().to_path_buf(),
            sluice_store::Storage::local(dir.path()).unwrap(),
        );
        TestApp {
            app: sluice_server::app(state),
            store,
            dir,
        }
    }

    pub async fn get(&self, uri: &str) -> Page {
        self.request(Request::get(uri).body(Body::empty()).unwrap()).await
    }

    pub async fn get_with(&self, uri: &str, (name, value): (&str, &str)) -> Page {
        self.request(Request::get(uri).header(name, value).body(Body::empty()).unwrap())
            .await
    }

    /// Posts `body` as `content_type`.
    pub async fn post(&self, uri: &str, content_type: &str, body: &str) -> Page {
        let request = Request::post(uri)
            .header("content-type", content_type)
            .body(Body::from(body.to_string()))
            .unwrap();
        self.request(request).await
    }

    async fn request(&self, request: Request<Body>) -> Page {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// Stores an execution of the ETL flow's shape (six task runs, six attempts) that started
    /// `offset` minutes after [`base`] and is now in `state`.
    pub async fn execution(&self, flow_id: &str, namespace: &str, state: State, offset: i64) -> Execution {
        self.execution_at(flow_id, namespace, state, base() + SignedDuration::from_mins(offset))
            .await
    }

    /// Stores an execution like [`TestApp::execution`] that started at `start`.
    pub async fn execution_at(&self, flow_id: &str, namespace: &str, state: State, start: Timestamp) -> Execution {
        let execution = sample_execution(flow_id, namespace, state, start);
        self.store
            .create_execution(&execution, &Event::Start, execution.state.start().unwrap())
            .await
            .unwrap();
        self.store.commit(&StepCommit::new(&execution)).await.unwrap();
        execution
    }

    /// Ends an execution well: every unfinished task run and attempt, and the execution, SUCCESS.
    pub async fn finish(&self, mut execution: Execution) {
        let now = Timestamp::now();
        for run in &mut execution.task_run_list {
            if !run.state.current.is_terminal() {
                run.state.set(State::Success, now);
                for attempt in &mut run.attempts {
                    attempt.state.set(State::Success, now);
                }
            }
        }
        execution.state.set(State::Success, now);
        self.store.commit(&StepCommit::new(&execution)).await.unwrap();
    }

    /// Appends `count` lines (`{prefix} 1`, `{prefix} 2`…) in batches, as a task would.
    pub async fn append_many(&self, execution_id: &str, prefix: &str, count: usize) {
        let lines: Vec<String> = (1..=count).map(|i| format!("{prefix} {i}")).collect();
        for chunk in lines.chunks(1000) {
            self.append_logs(execution_id, &chunk.iter().map(String::as_str).collect::<Vec<_>>())
                .await;
        }
    }

    /// Appends lines to the first task run of an execution.
    pub async fn append_logs(&self, execution_id: &str, messages: &[&str]) {
        let lines: Vec<LogLine> = messages
            .iter()
            .map(|m| LogLine {
                execution_id: execution_id.to_string(),
                task_run_id: None,
                task_id: Some("hello".into()),
                attempt: Some(1),
                at: Timestamp::now(),
                level: Level::Info,
                message: m.to_string(),
            })
            .collect();
        self.store.append_logs(&lines).await.unwrap();
    }
}

fn history(states: &[(State, i64)], start: Timestamp) -> StateInfo {
    let mut info = StateInfo::new(states[0].0, start + SignedDuration::from_millis(states[0].1));
    for (s, ms) in &states[1..] {
        info.set(*s, start + SignedDuration::from_millis(*ms));
    }
    info
}

fn attempt(states: &[(State, i64)], start: Timestamp, exit_code: Option<i32>, reason: Option<&str>) -> Attempt {
    Attempt {
        state: history(states, start),
        exit_code,
        reason: reason.map(str::to_string),
        handle: Some("pid 4242".into()),
    }
}

/// An execution with task runs `hello`, `both` (Parallel) > `left`, `right` (Sequential) > `r1`,
/// and `alert`; `left` and `r1` have two attempts each. A running execution leaves `r1` running.
pub fn sample_execution(flow_id: &str, namespace: &str, state: State, start: Timestamp) -> Execution {
    use State::*;
    let id = sluice_store::new_execution_id();
    let running = !state.is_terminal();
    let run = |task_id: &str, parent: Option<&str>, states: &[(State, i64)], attempts: Vec<Attempt>| TaskRun {
        id: task_run_id(&id, task_id, parent, None),
        execution_id: id.clone(),
        task_id: task_id.to_string(),
        parent_task_run_id: parent.map(str::to_string),
        value: None,
        iteration: None,
        state: history(states, start),
        attempts,
        outputs: Map::new(),
    };
    let mut hello = run(
        "hello",
        None,
        &[(Created, 0), (Running, 100), (Success, 1200)],
        vec![attempt(&[(Running, 100), (Success, 1200)], start, Some(0), None)],
    );
    hello.outputs.insert("exitCode".into(), json!(0));
    let both = run(
        "both",
        None,
        &[(Created, 1300), (Running, 1300), (Failed, 9000)],
        vec![],
    );
    let left = run(
        "left",
        Some(&both.id),
        &[(Created, 1300), (Running, 1400), (Success, 5000)],
        vec![
            attempt(
                &[(Running, 1400), (Failed, 2000)],
                start,
                Some(1),
                Some("exited with code 1"),
            ),
            attempt(&[(Running, 3000), (Success, 5000)], start, Some(0), None),
        ],
    );
    let right = run(
        "right",
        Some(&both.id),
        &[(Created, 1300), (Running, 1300), (Failed, 9000)],
        vec![],
    );
    let r1_end = if running { Running } else { Failed };
    let r1 = run(
        "r1",
        Some(&right.id),
        &[(Created, 1300), (Running, 1500), (r1_end, 9000)],
        vec![
            attempt(
                &[(Running, 1500), (Failed, 4000)],
                start,
                Some(1),
                Some("exited with code 1"),
            ),
            attempt(
                &[(Running, 6000), (r1_end, 9000)],
                start,
                Some(1),
                Some("exited with code 1"),
            ),
        ],
    );
    let alert = run(
        "alert",
        None,
        &[(Created, 9100), (Running, 9200), (Success, 9800)],
        vec![attempt(&[(Running, 9200), (Success, 9800)], start, Some(0), None)],
    );
    let states: Vec<(State, i64)> = if state == Running || state == Created {
        vec![(Created, 0), (Running, 50)]
    } else {
        vec![(Created, 0), (Running, 50), (state, 10_000)]
    };
    // Built through `Execution::new` so fields added to the engine's model keep their defaults.
    let flow = sluice_tasks::check_flow(&TINY_FLOW.replace("tiny", flow_id).replace("other", namespace))
        .flow
        .expect("the tiny flow is valid");
    let inputs = json!({"count": 3, "name": "world"}).as_object().unwrap().clone();
    let mut execution = Execution::new(id, &flow, inputs, start);
    execution.state = history(&states, start);
    execution.task_run_list = vec![hello, both, left, right, r1, alert];
    execution
}
