//! The whole stack in a real browser: the REST API and the UI served on a loopback port over a
//! SQLite store, with the real executor and worker running in the test process, and headless
//! Chromium driving the pages as a person would. A flow is deployed, run from its form with typed
//! inputs, its log lines arrive live on the execution page, the Gantt chart shows one bar per
//! attempt; a second, long execution is killed from its page and no process of it is left.
//!
//! Screenshots of the main pages are written to `target/ui-screenshots/` of the workspace.
//!
//! Chromium must be installed (`apt-get install -y chromium`, or `SLUICE_CHROMIUM=<path>`); without
//! it this test fails and says so, it never skips.

mod ui_support;

use axum::routing::get;
use sluice_engine::{Execution, State};
use sluice_flow::template::SecretSource;
use sluice_store::prelude::*;
use sluice_store::{ExecutionFilter, Store};
use sluice_worker::{ExecutionCache, Executor, Flows, Kills, Wakers, Worker, WorkerConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_util::sync::{CancellationToken, DropGuard};
use ui_support::browser::*;
use ui_support::*;

/// A flow with typed inputs, a task that fails once then succeeds on retry (two attempts), and a
/// task printing a line every 100 ms. `MARKER` becomes a file of the test's folder.
const LIVE_FLOW: &str = r#"id: live
namespace: e2e.ui
description: Prints numbered lines, slowly
labels:
  suite: fullstack
inputs:
  - id: count
    type: INT
    defaults: 3
  - id: who
    type: STRING
    defaults: nobody
  - id: loud
    type: BOOLEAN
    defaults: false
tasks:
  - id: greet
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.who }}, loud {{ inputs.loud }}"
  - id: flaky
    type: io.kestra.plugin.scripts.shell.Commands
    retry:
      type: constant
      interval: PT0.2S
      maxAttempts: 3
    commands:
      - test -f MARKER || { touch MARKER; echo first attempt fails; exit 1; }
  - id: count
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - for i in $(seq 1 {{ inputs.count }}); do echo line-$i; sleep 0.1; done
"#;

/// A flow whose task sleeps 30 s in a grandchild shell; `SLEEP` becomes the test's marker.
const SLEEPER_FLOW: &str = r#"id: sleeper
namespace: e2e.ui
tasks:
  - id: nap
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo going to sleep
      - sh -c 'SLEEP'
"#;

/// No secrets.
struct NoSecrets;

impl SecretSource for NoSecrets {
    fn secret(&self, _name: &str) -> Option<String> {
        None
    }
}

/// An executor and a worker over the test's store, stopped when dropped.
struct Runtime {
    shutdown: CancellationToken,
    tasks: JoinSet<String>,
    _guard: DropGuard,
}

impl Runtime {
    fn start(store: Arc<dyn Store>, data_dir: &Path, wakers: Wakers) -> Runtime {
        let shutdown = CancellationToken::new();
        let flows = Arc::new(Flows::default());
        let kills = Kills::default();
        let cache = ExecutionCache::default();
        let mut tasks = JoinSet::new();
        let executor = Executor::new(
            store.clone(),
            flows.clone(),
            kills.clone(),
            wakers.clone(),
            cache.clone(),
        );
        let token = shutdown.clone();
        tasks.spawn(async move { format!("executor: {:?}", executor.run(token).await) });
        let config = WorkerConfig {
            id: "ui-fullstack".into(),
            data_dir: data_dir.to_path_buf(),
            slots: 4,
            lease: Duration::from_secs(30),
            docker_volumes: false,
            public_url: None,
            storage: sluice_store::Storage::local(data_dir).unwrap(),
        };
        let worker = Arc::new(Worker::new(
            config,
            store,
            flows,
            kills,
            wakers,
            Arc::new(NoSecrets),
            cache,
        ));
        let token = shutdown.clone();
        tasks.spawn(async move { format!("worker: {:?}", worker.run(token).await) });
        Runtime {
            _guard: shutdown.clone().drop_guard(),
            shutdown,
            tasks,
        }
    }

    /// Fails when the executor or the worker stopped early (an error or a panic).
    fn assert_running(&mut self) {
        if let Some(joined) = self.tasks.try_join_next() {
            panic!("the runtime stopped: {joined:?}");
        }
    }

    /// Stops both and checks that they ended well, within 10 s.
    async fn stop(mut self) {
        self.shutdown.cancel();
        let ended = tokio::time::timeout(Duration::from_secs(10), async {
            let mut ends = Vec::new();
            while let Some(joined) = self.tasks.join_next().await {
                ends.push(joined.expect("a runtime task panicked"));
            }
            ends
        })
        .await
        .expect("the runtime did not stop within 10 s");
        for end in ended {
            assert!(end.ends_with("Ok(())"), "the runtime stopped badly: {end}");
        }
    }
}

/// Command lines of the live (not zombie) processes whose command line contains `marker`.
fn processes_with(marker: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|e| {
            let raw = std::fs::read(e.path().join("cmdline")).ok()?;
            let line = String::from_utf8_lossy(&raw).replace('\0', " ");
            let status = std::fs::read_to_string(e.path().join("status")).unwrap_or_default();
            let zombie = status.lines().any(|l| l.starts_with("State:") && l.contains('Z'));
            (line.contains(marker) && !zombie).then_some(line)
        })
        .collect()
}

/// Polls `check` every 50 ms until it gives a value, failing with `what` after `limit`.
async fn eventually<T, F: AsyncFnMut() -> Option<T>>(what: &str, limit: Duration, mut check: F) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "after {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `target/ui-screenshots` of the workspace, created.
fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ui-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

/// The one execution of flow `flow_id`.
async fn execution_of(t: &TestApp, flow_id: &str) -> Execution {
    let all = t.store.list_executions(&ExecutionFilter::default()).await.unwrap();
    let found: Vec<_> = all.results.iter().filter(|e| e.flow_id == flow_id).collect();
    assert_eq!(found.len(), 1, "one execution of {flow_id}: {:?}", all.results);
    t.store.get_execution(&found[0].id).await.unwrap().unwrap()
}

/// The text after `prefix` on the first line of `result` that starts with it.
fn logged<'a>(result: &'a str, prefix: &str) -> &'a str {
    result
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{result}"))
}

/// From the flow list to the flow page, its run form, and the new execution: lines arrive live,
/// then the state and the Gantt chart follow the execution to its end.
const RUN_SCRIPT: &str = r#"
async function step(doc, n) {
  log('page ' + n + ': ' + frame.contentWindow.location.pathname);
  if (n === 1) {
    const links = Array.from(doc.querySelectorAll('#flow-table tbody a')).map(a => a.textContent.trim());
    log('flows: ' + links.join(' '));
    doc.querySelector('#flow-table a[href="/ui/flows/e2e.ui/live"]').click();
    return;
  }
  if (n === 2) {
    doc.getElementById('input-count').value = '20';
    doc.getElementById('input-who').value = 'browser';
    doc.getElementById('input-loud').checked = true;
    doc.getElementById('run-form').requestSubmit();
    const status = doc.querySelector('#run-form .form-status');
    await wait(() => frame.contentDocument !== doc || status.classList.contains('error'));
    if (status.classList.contains('error')) { log('run error: ' + status.textContent); done(); }
    return;
  }
  const state = () => doc.getElementById('execution-state').textContent.trim();
  const lines = () => Array.from(doc.querySelectorAll('#log-lines .log-line .msg'))
    .map(m => m.textContent).filter(t => /^line-\d+$/.test(t));
  log('following: ' + !doc.getElementById('log-live').hidden);
  const counts = [lines().length];
  await wait(() => {
    const c = lines().length;
    if (c !== counts[counts.length - 1]) counts.push(c);
    return c >= 20;
  });
  log('counts: ' + counts.join(','));
  log('lines: ' + lines().join(' '));
  await wait(() => state() === 'SUCCESS' && doc.getElementById('live').getAttribute('data-terminal') === 'true');
  log('state: ' + state());
  const rows = Array.from(doc.querySelectorAll('#live svg.gantt g.gantt-row')).map(g => {
    const name = g.querySelector('.row-label title').textContent.trim();
    const bars = Array.from(g.querySelectorAll('rect.gantt-attempt'))
      .map(r => r.getAttribute('class').replace(/.*fill-/, ''));
    return name + '=' + bars.join(',');
  });
  log('gantt: ' + rows.join(' '));
  log('following at the end: ' + !doc.getElementById('log-live').hidden);
  done();
}"#;

/// From the flow page to the new execution's page; once its task sleeps, press Kill.
const KILL_SCRIPT: &str = r#"
async function until(check) {
  for (let i = 0; i < 200 && !finished; i++) {
    try { if (await check()) return true; } catch (e) {}
    await sleep(50);
  }
  log('TIMEOUT waiting for ' + check); return false;
}
async function step(doc, n) {
  log('page ' + n + ': ' + frame.contentWindow.location.pathname);
  if (n === 1) {
    doc.getElementById('run-form').requestSubmit();
    const status = doc.querySelector('#run-form .form-status');
    await wait(() => frame.contentDocument !== doc || status.classList.contains('error'));
    if (status.classList.contains('error')) { log('run error: ' + status.textContent); done(); }
    return;
  }
  const state = () => doc.getElementById('execution-state').textContent.trim();
  await until(async () => (await (await fetch('/test/sleeping')).text()) === 'yes');
  await wait(() => state() === 'RUNNING');
  log('before kill: ' + state());
  const button = doc.querySelector('form[action$="/kill"] button');
  log('button: ' + button.textContent);
  button.click();
  await wait(() => state() === 'KILLED');
  log('after kill: ' + state());
  await wait(() => doc.getElementById('action-status').textContent !== '');
  log('status: ' + doc.getElementById('action-status').textContent);
  log('kill offered: ' + !!doc.querySelector('form[action$="/kill"]'));
  done();
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_run_watch_and_kill_through_the_ui_with_the_real_runtime() {
    let started = Instant::now();
    chromium();
    let wakers = Wakers::default();
    let t = TestApp::waking(wakers.executor.clone()).await;
    let mut runtime = Runtime::start(t.store.clone(), t.dir.path(), wakers);
    let marker = t.dir.path().join("flaky-failed-once");
    let sleep = format!("sleep 30.{}", std::process::id());

    // Deploy both flows through the API, as YAML.
    for yaml in [
        LIVE_FLOW.replace("MARKER", &marker.display().to_string()),
        SLEEPER_FLOW.replace("SLEEP", &sleep),
    ] {
        let page = t.post("/api/v1/flows", "application/x-yaml", &yaml).await;
        assert!(page.status.is_success(), "{}: {}", page.status, page.body);
    }

    // Run `live` from its form and watch it.
    let result = scenario(t.app.clone(), "/ui/flows", RUN_SCRIPT, Duration::from_secs(40)).await;
    eprintln!("run scenario:\n{result}");
    runtime.assert_running();
    let execution = execution_of(&t, "live").await;
    assert!(logged(&result, "flows: ").contains("live"), "{result}");
    assert!(
        result.contains(&format!("page 3: /ui/executions/{}", execution.id)),
        "{result}"
    );
    assert!(!result.contains("page 4"), "the execution page reloaded: {result}");
    assert!(!result.contains("TIMEOUT"), "{result}");
    assert_eq!(
        serde_json::Value::Object(execution.inputs.clone()),
        serde_json::json!({"count": 20, "who": "browser", "loud": true}),
        "typed inputs"
    );
    assert_eq!(logged(&result, "following: "), "true", "{result}");
    let counts: Vec<usize> = logged(&result, "counts: ")
        .split(',')
        .map(|c| c.parse().unwrap())
        .collect();
    assert!(
        counts[0] < 20 && counts.len() >= 3,
        "the lines did not arrive one batch after another: {counts:?}"
    );
    let expected: Vec<String> = (1..=20).map(|i| format!("line-{i}")).collect();
    assert_eq!(logged(&result, "lines: "), expected.join(" "), "{result}");
    assert_eq!(logged(&result, "state: "), "SUCCESS", "{result}");
    assert_eq!(logged(&result, "following at the end: "), "false", "{result}");
    assert_eq!(execution.state.current, State::Success);
    let mut bars: Vec<String> = execution
        .task_run_list
        .iter()
        .map(|run| {
            let states: Vec<String> = run
                .attempts
                .iter()
                .map(|a| a.state.current.as_str().to_ascii_lowercase())
                .collect();
            format!("{}={}", run.task_id, states.join(","))
        })
        .collect();
    bars.sort();
    assert_eq!(bars, ["count=success", "flaky=failed,success", "greet=success"]);
    let mut shown: Vec<&str> = logged(&result, "gantt: ").split(' ').collect();
    shown.sort();
    assert_eq!(shown, bars, "one Gantt bar per attempt, coloured by its state");
    let gantt = t.get(&format!("/ui/executions/{}/gantt", execution.id)).await;
    assert!(gantt.status.is_success(), "{}", gantt.body);
    assert_eq!(
        gantt.body.matches(r#"class="gantt-attempt "#).count(),
        4,
        "{}",
        gantt.body
    );

    // Run `sleeper`, and kill it from its page once its `sleep` runs.
    let sleeping = {
        let sleep = sleep.clone();
        move || {
            let found = processes_with(&sleep);
            async move { if found.is_empty() { "no" } else { "yes" } }
        }
    };
    let app = t.app.clone().route("/test/sleeping", get(sleeping));
    let result = scenario(app, "/ui/flows/e2e.ui/sleeper", KILL_SCRIPT, Duration::from_secs(40)).await;
    eprintln!("kill scenario:\n{result}");
    runtime.assert_running();
    let killed = execution_of(&t, "sleeper").await;
    assert!(
        result.contains(&format!("page 2: /ui/executions/{}", killed.id)),
        "{result}"
    );
    assert!(!result.contains("TIMEOUT"), "{result}");
    assert_eq!(logged(&result, "before kill: "), "RUNNING", "{result}");
    assert_eq!(logged(&result, "button: "), "Kill", "{result}");
    assert_eq!(logged(&result, "after kill: "), "KILLED", "{result}");
    assert_eq!(logged(&result, "status: "), "Requested.", "{result}");
    assert_eq!(logged(&result, "kill offered: "), "false", "{result}");
    let killed = eventually(
        "the execution is KILLED in the store",
        Duration::from_secs(10),
        async || {
            let e = t.store.get_execution(&killed.id).await.unwrap().unwrap();
            (e.state.current == State::Killed).then_some(e)
        },
    )
    .await;
    let nap = &killed.task_run_list[0];
    assert_eq!(nap.state.current, State::Killed, "{nap:?}");
    let attempts: Vec<State> = nap.attempts.iter().map(|a| a.state.current).collect();
    assert_eq!(attempts, [State::Killed], "{nap:?}");
    eventually("no `sleep 30` is left", Duration::from_secs(10), async || {
        processes_with(&sleep).is_empty().then_some(())
    })
    .await;

    // Screenshots of the main pages, now that both executions ended.
    let addr = serve(t.app.clone()).await;
    let dir = screenshots();
    let pages = [
        ("flows", "/ui/flows".to_string(), "1280,900"),
        ("flow", "/ui/flows/e2e.ui/live".to_string(), "1280,1400"),
        ("execution", format!("/ui/executions/{}", execution.id), "1280,1500"),
        ("execution-killed", format!("/ui/executions/{}", killed.id), "1280,1100"),
    ];
    for (name, path, size) in pages {
        let file = dir.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&file);
        let url = format!("http://{addr}{path}");
        let run = browse(&url, Wait::Virtual(Duration::from_secs(2)), Some((&file, size))).await;
        assert!(
            script_errors(&run.log).is_empty(),
            "{name}: script errors:\n{}",
            run.log
        );
        let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert!(bytes > 10_000, "{name}: no screenshot at {}", file.display());
        eprintln!("screenshot of {path}: {}", file.display());
    }

    runtime.stop().await;
    eprintln!("the full-stack test took {:?}", started.elapsed());
}
