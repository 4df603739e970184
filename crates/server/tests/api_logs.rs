//! The logs API: pages and filters, the streamed download, and following with resume.

mod api_common;

use api_common::{Env, request, sse_events};
use axum::body::Body;
use axum::http::{StatusCode, header};
use jiff::Timestamp;
use serde_json::Value;
use sluice_engine::{Attempt, State, StateInfo, TaskRun};
use sluice_store::{Level, LogLine, StepCommit};
use std::time::Duration;

/// A log line of `task` (with task run `run-<task>`) or of the execution itself.
fn line(execution: &str, task: Option<&str>, attempt: u32, level: Level, message: String) -> LogLine {
    LogLine {
        execution_id: execution.to_string(),
        task_run_id: task.map(|t| format!("run-{t}")),
        task_id: task.map(str::to_string),
        attempt: task.map(|_| attempt),
        at: Timestamp::now(),
        level,
        message,
    }
}

/// Adds task runs `run-a` and `run-b` (tasks `a` and `b`) to a stored execution.
async fn add_task_runs(env: &Env, id: &str) {
    let mut execution = env.store.get_execution(id).await.unwrap().unwrap();
    for task in ["a", "b"] {
        let now = Timestamp::now();
        execution.task_run_list.push(TaskRun {
            id: format!("run-{task}"),
            execution_id: id.to_string(),
            task_id: task.to_string(),
            parent_task_run_id: None,
            value: None,
            iteration: None,
            state: StateInfo::new(State::Running, now),
            attempts: vec![Attempt {
                state: StateInfo::new(State::Running, now),
                exit_code: None,
                reason: None,
                handle: None,
            }],
            outputs: serde_json::Map::new(),
        });
    }
    env.store.commit(&StepCommit::new(&execution)).await.unwrap();
}

/// The `seq` of every line of a JSON page.
fn seqs(body: &Value) -> Vec<u64> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|l| l["seq"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn log_pages_and_filters() {
    let env = Env::new("logs-page").await;
    env.create_flow().await;
    let id = env.start().await;
    add_task_runs(&env, &id).await;
    let mut lines = Vec::new();
    for i in 1..=30u32 {
        let (task, level) = match i % 3 {
            0 => (Some("a"), Level::Error),
            1 => (Some("b"), Level::Info),
            _ => (None, Level::Debug),
        };
        lines.push(line(&id, task, 1 + i / 20, level, format!("line {i}")));
    }
    env.store.append_logs(&lines).await.unwrap();

    let (status, body) = env.get(&format!("/api/v1/logs/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seqs(&body), (1..=30).collect::<Vec<_>>());
    let first = &body[0];
    assert_eq!(first["executionId"], id.as_str());
    assert_eq!(first["namespace"], "dev.team");
    assert_eq!(first["flowId"], "hello");
    assert_eq!(first["taskId"], "b");
    assert_eq!(first["taskRunId"], "run-b");
    assert_eq!(first["attemptNumber"], 1);
    assert_eq!(first["level"], "INFO");
    assert_eq!(first["message"], "line 1");
    assert!(first["timestamp"].is_string());

    let (_, body) = env.get(&format!("/api/v1/logs/{id}?size=10&afterSeq=5")).await;
    assert_eq!(seqs(&body), (6..=15).collect::<Vec<_>>());
    let (_, body) = env.get(&format!("/api/v1/logs/{id}?size=10&page=3")).await;
    assert_eq!(seqs(&body), (21..=30).collect::<Vec<_>>());
    let (_, body) = env.get(&format!("/api/v1/logs/{id}?minLevel=ERROR")).await;
    assert_eq!(seqs(&body), (1..=10).map(|i| i * 3).collect::<Vec<_>>());
    let (_, body) = env.get(&format!("/api/v1/logs/{id}?minLevel=info&size=3&page=2")).await;
    assert_eq!(seqs(&body), [6, 7, 9], "pages of filtered lines");
    let (_, body) = env.get(&format!("/api/v1/logs/{id}?taskId=b&attempt=2")).await;
    assert_eq!(seqs(&body), [22, 25, 28]);
    let (_, body) = env
        .get(&format!("/api/v1/logs/{id}?taskRunId=run-a&size=2&afterSeq=10"))
        .await;
    assert_eq!(seqs(&body), [12, 15]);
    let (_, body) = env.get(&format!("/api/v1/logs/{id}?taskRunId=unknown")).await;
    assert_eq!(seqs(&body), Vec::<u64>::new());

    for bad in ["size=10001", "size=0", "minLevel=LOUD", "attempt=x", "afterSeq=-1"] {
        let (status, body) = env.get(&format!("/api/v1/logs/{id}?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, _) = env.get("/api/v1/logs/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_log_of_100000_lines_downloads_as_streamed_text() {
    let env = Env::new("logs-download").await;
    env.create_flow().await;
    let id = env.start().await;
    for chunk in 0..10u32 {
        let lines: Vec<LogLine> = (0..10_000u32)
            .map(|i| {
                line(
                    &id,
                    Some("a"),
                    1,
                    Level::Info,
                    format!("line {}", chunk * 10_000 + i + 1),
                )
            })
            .collect();
        env.store.append_logs(&lines).await.unwrap();
    }
    let (status, headers, body) = env
        .send(request("GET", &format!("/api/v1/logs/{id}/download"), Body::empty()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment") && disposition.contains(&id),
        "{disposition}"
    );
    let text = String::from_utf8(body.to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 100_000);
    assert!(lines[0].ends_with("INFO  [a] line 1"), "{}", lines[0]);
    assert!(lines[99_999].ends_with("[a] line 100000"));

    let (status, _, body) = env
        .send(request(
            "GET",
            &format!("/api/v1/logs/{id}/download?minLevel=ERROR"),
            Body::empty(),
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_empty());
}

#[tokio::test]
async fn following_logs_sends_every_line_once_and_resumes_after_last_event_id() {
    let env = Env::new("logs-follow").await;
    env.create_flow().await;
    let id = env.start().await;
    let first: Vec<LogLine> = (1..=1500)
        .map(|i| line(&id, None, 1, Level::Info, format!("early {i}")))
        .collect();
    env.store.append_logs(&first).await.unwrap();

    // Lines keep coming while the client follows; then the execution ends.
    let store = env.store.clone();
    let writer = {
        let id = id.clone();
        async move {
            for batch in 0..4 {
                tokio::time::sleep(Duration::from_millis(150)).await;
                let more: Vec<LogLine> = (1..=100)
                    .map(|i| line(&id, Some("a"), 1, Level::Warn, format!("late {batch}-{i}")))
                    .collect();
                store.append_logs(&more).await.unwrap();
            }
            let mut execution = store.get_execution(&id).await.unwrap().unwrap();
            execution.state.set(State::Success, Timestamp::now());
            store.commit(&StepCommit::new(&execution)).await.unwrap();
        }
    };
    let follow = env.send(request("GET", &format!("/api/v1/logs/{id}/follow"), Body::empty()));
    let ((status, headers, body), ()) =
        tokio::time::timeout(Duration::from_secs(20), async { tokio::join!(follow, writer) })
            .await
            .expect("the stream ends once the execution has ended");
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let events: Vec<_> = sse_events(&body).into_iter().filter(|(e, _, _)| e == "log").collect();
    let ids: Vec<u64> = events
        .iter()
        .map(|(_, id, _)| id.as_deref().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, (1..=1900).collect::<Vec<_>>(), "every line once, in order");
    let last: Value = serde_json::from_str(&events[1899].2).unwrap();
    assert_eq!(last["seq"], 1900);
    assert_eq!(last["message"], "late 3-100");

    // A reconnect resumes after the last id it saw.
    let resume = axum::http::Request::builder()
        .uri(format!("/api/v1/logs/{id}/follow"))
        .header("Last-Event-ID", "1850")
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = env.send(resume).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<u64> = sse_events(&body)
        .into_iter()
        .filter(|(e, _, _)| e == "log")
        .map(|(_, id, _)| id.unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, (1851..=1900).collect::<Vec<_>>());

    let (_, _, body) = env
        .send(request(
            "GET",
            &format!("/api/v1/logs/{id}/follow?minLevel=WARN"),
            Body::empty(),
        ))
        .await;
    assert_eq!(sse_events(&body).iter().filter(|(e, _, _)| e == "log").count(), 400);
    let (status, _) = env.get("/api/v1/logs/nope/follow").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
