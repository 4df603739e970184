//! A `sluice server local` child process and a tiny HTTP client, shared by the end-to-end tests.
#![allow(dead_code)] // each test crate uses a different part

pub mod pg;
pub mod receiver;
pub mod run;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server, killed when dropped.
pub struct Server {
    /// The process.
    pub child: Child,
    /// `host:port` it listens on.
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    dir
}

/// Starts a server on a free port; returns it once it printed its URL.
pub fn start(dir: &Path) -> (Server, Duration) {
    start_with(dir, &[])
}

/// Starts a server with extra environment variables.
pub fn start_with(dir: &Path, env: &[(&str, &str)]) -> (Server, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["server", "local", "--port", "0", "--flows"])
        .arg(dir.join("flows"))
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sluice starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let took = started.elapsed();
    let base = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    (
        Server {
            child,
            base: base.to_string(),
        },
        took,
    )
}

/// A minimal HTTP/1.1 client: returns the status and the body.
pub fn http(base: &str, method: &str, path: &str, content_type: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(base).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {base}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, body)
}

pub fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

pub fn get_json(base: &str, path: &str) -> Value {
    let (status, body) = http(base, "GET", path, "text/plain", "");
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
}

pub fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn state_of(base: &str, id: &str) -> String {
    get_json(base, &format!("/api/v1/executions/{id}"))["state"]["current"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Triggers `namespace`/`flow`, waits up to `timeout` for it to end, and answers the execution
/// and its logs (as JSON text).
pub fn run_to_end(base: &str, namespace: &str, flow: &str, timeout: Duration) -> (Value, String) {
    let id = trigger(base, namespace, flow);
    wait_for("the execution to end", timeout, || {
        matches!(
            state_of(base, &id).as_str(),
            "SUCCESS" | "FAILED" | "WARNING" | "KILLED"
        )
    });
    let exec = get_json(base, &format!("/api/v1/executions/{id}"));
    let logs = get_json(base, &format!("/api/v1/logs/{id}")).to_string();
    (exec, logs)
}

/// The outputs of the first task run of task `id`.
pub fn outputs_of(exec: &Value, id: &str) -> Value {
    exec["taskRunList"]
        .as_array()
        .and_then(|runs| runs.iter().find(|t| t["taskId"] == id))
        .unwrap_or_else(|| panic!("no task run of {id}: {exec}"))["outputs"]
        .clone()
}

pub fn trigger(base: &str, namespace: &str, flow: &str) -> String {
    let (status, body) = http(
        base,
        "POST",
        &format!("/api/v1/executions/{namespace}/{flow}"),
        "text/plain",
        "",
    );
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}
