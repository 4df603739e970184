//! Headless Chromium for the browser tests: find it (or fail saying how to install it), serve the
//! app on a loopback port, load a page, and read the DOM after its scripts ran.

use super::TempDir;
use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Html;
use axum::routing::get;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Where Chromium is: `SLUICE_CHROMIUM`, or the first of the usual names on the `PATH`.
pub fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("SLUICE_CHROMIUM") {
        return PathBuf::from(path);
    }
    let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for name in names {
        for dir in &dirs {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "the browser tests need headless Chromium, and none was found on the PATH: install it with \
         `apt-get install -y chromium` (or set SLUICE_CHROMIUM to the browser's path)"
    );
}

/// Serves the app on a free loopback port until the test ends.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// What the browser left behind: the DOM after the scripts ran, and its log (console messages).
pub struct Run {
    /// The DOM after the scripts ran.
    pub dom: String,
    /// Chromium's log, console messages included.
    pub log: String,
}

/// How long the browser stays on a page before it dumps the DOM.
#[derive(Debug, Clone, Copy)]
pub enum Wait {
    /// Page time (`--virtual-time-budget`): timers run fast while nothing loads, and time stands
    /// still while a request (an event stream too) is open; for pages whose streams end.
    Virtual(Duration),
    /// Until the page has loaded, at most this long (`--timeout`): for the harness, whose load
    /// waits for its scenario.
    Loaded(Duration),
}

/// Loads `url` in headless Chromium, waits as `wait` says, then dumps the DOM (and, with
/// `screenshot`, saves a picture of the page there instead, at a window size like `1280,900`).
pub async fn browse(url: &str, wait: Wait, screenshot: Option<(&Path, &str)>) -> Run {
    let profile = TempDir::new();
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--enable-logging=stderr",
        "--v=0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    let budget = match wait {
        Wait::Virtual(budget) => {
            args.push(format!("--virtual-time-budget={}", budget.as_millis()));
            budget
        }
        Wait::Loaded(budget) => {
            args.push(format!("--timeout={}", budget.as_millis()));
            budget
        }
    };
    match screenshot {
        Some((file, size)) => {
            args.push(format!("--screenshot={}", file.display()));
            args.push(format!("--window-size={size}"));
            args.push("--hide-scrollbars".to_string());
        }
        None => args.push("--dump-dom".to_string()),
    }
    args.push(url.to_string());
    let child = tokio::process::Command::new(chromium())
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start Chromium ({e}): install it with `apt-get install -y chromium`"));
    let output = tokio::time::timeout(budget + Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("Chromium did not finish in time")
        .unwrap();
    let run = Run {
        dom: String::from_utf8_lossy(&output.stdout).into_owned(),
        log: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(output.status.success(), "Chromium failed:\n{}", run.log);
    run
}

/// Console errors the pages' scripts raised.
pub fn script_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("Uncaught") || l.contains("TypeError")))
        .collect()
}

/// Where the screenshots go (kept after the test, to look at).
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The page that drives a scenario: it loads `target` in a same-origin frame and runs `script`,
/// which defines `async function step(doc, n)`, called with the frame's document on each of its
/// page loads (n = 1, 2, …). Helpers for the script: `log(text)` writes to `#result`,
/// `wait(() => cond)` waits until `cond` holds (up to 10 s), `done()` ends the
/// scenario. The harness page holds its load event (an image that answers only once the scenario
/// is done), so the browser dumps the DOM after the scenario, in real time.
fn harness_page(target: &str, script: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>harness</title></head><body>
<iframe id="frame" title="page under test" width="1280" height="900"></iframe>
<pre id="result">started</pre>
<img src="/test/hold" alt="">
<script>
const frame = document.getElementById('frame');
const result = document.getElementById('result');
let loads = 0, finished = false;
function log(text) {{ result.textContent += '\n' + text; }}
function done() {{
  if (finished) return;
  finished = true; log('DONE'); frame.src = 'about:blank';
  fetch('/test/done');
}}
function sleep(ms) {{ return new Promise(r => setTimeout(r, ms)); }}
async function wait(cond) {{
  for (let i = 0; i < 200 && !finished; i++) {{ try {{ if (cond()) return true; }} catch (e) {{}} await sleep(50); }}
  if (!finished) log('TIMEOUT waiting for ' + cond); return false;
}}
{script}
// A page of the frame is ready once its deferred script ran (DOMContentLoaded): its `load` may
// wait for event streams, so the harness watches for new documents instead.
let current = null;
setInterval(() => {{
  if (finished) return;
  const doc = frame.contentDocument;
  if (!doc || doc === current || doc.URL === 'about:blank' || doc.readyState === 'loading') return;
  current = doc;
  loads += 1;
  frame.contentWindow.confirm = () => true;
  const n = loads;
  sleep(100).then(() => step(doc, n)).catch(e => {{ log('ERROR ' + e); done(); }});
}}, 50);
frame.src = {target:?};
</script></body></html>"#
    )
}

/// Runs a scenario (see [`harness_page`]) against `app`, and returns what it logged.
pub async fn scenario(app: Router, target: &str, script: &str, timeout: Duration) -> String {
    let page = harness_page(target, script);
    let finished = Arc::new(Notify::new());
    let hold = finished.clone();
    let router = app
        .route("/test/harness", get(move || async move { Html(page) }))
        .route(
            "/test/done",
            get(move || async move {
                finished.notify_one();
            }),
        )
        .route(
            "/test/hold",
            get(move || async move {
                let _ = tokio::time::timeout(Duration::from_secs(60), hold.notified()).await;
                StatusCode::NO_CONTENT
            }),
        );
    let addr = serve(router).await;
    let run = browse(&format!("http://{addr}/test/harness"), Wait::Loaded(timeout), None).await;
    assert!(script_errors(&run.log).is_empty(), "script errors:\n{}", run.log);
    let start = run.dom.find("<pre id=\"result\">").expect("the harness page is there") + 17;
    let end = run.dom[start..].find("</pre>").map_or(run.dom.len(), |i| start + i);
    let result = run.dom[start..end].to_string();
    assert!(
        result.contains("DONE"),
        "the scenario did not finish:\n{result}\n{}",
        run.log
    );
    result
}

/// The app, and a signal given each time a page opens a log stream (`/api/v1/logs/{id}/follow`):
/// lines appended after it reach the page only through its script.
pub fn signal_log_follow(app: Router) -> (Router, Arc<Notify>) {
    let following = Arc::new(Notify::new());
    let signal = following.clone();
    let app = app.layer(middleware::from_fn(move |request: Request, next: Next| {
        let signal = signal.clone();
        async move {
            let path = request.uri().path();
            if path.starts_with("/api/v1/logs/") && path.ends_with("/follow") {
                signal.notify_one();
            }
            next.run(request).await
        }
    }));
    (app, following)
}

/// Waits for [`signal_log_follow`]'s signal.
pub async fn until_following(following: &Notify) {
    tokio::time::timeout(Duration::from_secs(30), following.notified())
        .await
        .expect("the page never opened its log stream (/api/v1/logs/{id}/follow)");
}

/// The opening tag of the element with this id.
pub fn tag_of<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in:\n{dom}"));
    let start = dom[..at].rfind('<').unwrap_or(0);
    let end = dom[at..].find('>').map_or(dom.len(), |i| at + i + 1);
    &dom[start..end]
}
