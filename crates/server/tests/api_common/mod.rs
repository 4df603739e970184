//! What the API tests share: the app over a real SQLite store in a temporary folder, and small
//! helpers to send requests with `oneshot` and read JSON answers.

#![allow(dead_code)]

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::Timestamp;
use serde_json::Value;
use sluice_engine::{Execution, State};
use sluice_server::{AppState, app};
use sluice_store::{SqliteStore, StepCommit, Store};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;
use tower::ServiceExt;

/// A flow with one input of each kind the tests need.
pub const FLOW: &str = "id: hello\nnamespace: dev.team\ninputs:\n  - {id: who, type: STRING, defaults: world}\n  \
                        - {id: count, type: INT, required: false}\ntasks:\n  - id: greet\n    \
                        type: io.kestra.plugin.core.log.Log\n    message: hi {{ inputs.who }}\n";

/// The app, its store and its data folder (removed on drop).
pub struct Env {
    /// The router under test.
    pub app: Router,
    /// The store behind it.
    pub store: Arc<dyn Store>,
    /// The data folder.
    pub dir: PathBuf,
    /// What the API notifies after posting an event.
    pub wake: Arc<Notify>,
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Env {
    /// A fresh app over an empty store.
    pub async fn new(name: &str) -> Env {
        let dir = std::env::temp_dir().join(format!("sluice-api-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir).await.expect("open store"));
        let wake = Arc::new(Notify::new());
        let state = AppState::new(
            store.clone(),
            wake.clone(),
            dir.clone(),
            sluice_store::Storage::local(&dir).unwrap(),
        );
        Env {
            app: app(state),
            store,
            dir,
            wake,
        }
    }

    /// Sends a request; returns status, headers and the whole body.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("body").to_bytes();
        (status, headers, body)
    }

    /// Sends a request and reads a JSON answer (asserting it is JSON).
    pub async fn json(&self, request: Request<Body>) -> (StatusCode, Value) {
        let (status, headers, body) = self.send(request).await;
        let kind = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            kind.starts_with("application/json"),
            "{status}: not JSON ({kind}): {}",
            String::from_utf8_lossy(&body)
        );
        (status, serde_json::from_slice(&body).expect("valid JSON"))
    }

    /// `GET uri` answered with JSON.
    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.json(request("GET", uri, Body::empty())).await
    }

    /// `GET uri` answered with text (a downloaded file, say).
    pub async fn text(&self, uri: &str) -> (StatusCode, String) {
        let (status, _, body) = self.send(request("GET", uri, Body::empty())).await;
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// `POST uri` with a YAML body, answered with JSON.
    pub async fn post_yaml(&self, uri: &str, yaml: &str) -> (StatusCode, Value) {
        self.json(yaml_request("POST", uri, yaml)).await
    }

    /// Stores [`FLOW`] through the API.
    pub async fn create_flow(&self) -> Value {
        let (status, body) = self.post_yaml("/api/v1/flows", FLOW).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Starts an execution of [`FLOW`] with no body; returns its id.
    pub async fn start(&self) -> String {
        let (status, body) = self
            .json(request("POST", "/api/v1/executions/dev.team/hello", Body::empty()))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["id"].as_str().expect("id").to_string()
    }

    /// Moves a stored execution to `state`, as the executor would.
    pub async fn set_state(&self, id: &str, state: State) -> Execution {
        let mut execution = self.store.get_execution(id).await.unwrap().unwrap();
        execution.state.set(state, Timestamp::now());
        self.store.commit(&StepCommit::new(&execution)).await.unwrap();
        execution
    }

    /// The kinds of the events waiting in the mailbox for `id`, oldest first.
    pub async fn events(&self, id: &str) -> Vec<String> {
        self.store
            .pending_events(1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.execution_id == id)
            .map(|e| {
                serde_json::to_value(&e.event).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }
}

/// A request with a body.
pub fn request(method: &str, uri: &str, body: Body) -> Request<Body> {
    Request::builder().method(method).uri(uri).body(body).unwrap()
}

/// A request with a YAML body.
pub fn yaml_request(method: &str, uri: &str, yaml: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-yaml")
        .body(Body::from(yaml.to_string()))
        .unwrap()
}

/// A part of a multipart body: a field, or a file when `file_name` is given.
pub struct Part<'a> {
    /// Field name.
    pub name: &'a str,
    /// File name, for a file part.
    pub file_name: Option<&'a str>,
    /// Content.
    pub data: &'a [u8],
}

/// A `multipart/form-data` request.
pub fn multipart(uri: &str, parts: &[Part<'_>]) -> Request<Body> {
    let boundary = "sluice-test-boundary-7d1c";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part.file_name {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{file}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n",
                    part.name
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", part.name).as_bytes(),
            ),
        }
        body.extend_from_slice(part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

/// The events of a Server-Sent Events body: `(event, id, data)` each.
pub fn sse_events(body: &[u8]) -> Vec<(String, Option<String>, String)> {
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let (mut event, mut id, mut data) = (String::new(), None, Vec::new());
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("event:") {
                event = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("id:") {
                id = Some(v.trim().to_string());
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
            }
        }
        if !event.is_empty() || !data.is_empty() {
            out.push((event, id, data.join("\n")));
        }
    }
    out
}
