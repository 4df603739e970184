//! Scale-out on PostgreSQL, as a user deploys it: two `sluice server standalone --db` replicas
//! (API, scheduler, executor; no worker) and three `sluice worker --db` processes share a fresh
//! database. They run `SLUICE_SCALE_EXECUTIONS` (default 2,000) executions of a flow of three
//! sequential shell tasks, triggered through both servers' APIs at once; in the middle one worker
//! and then one server are killed with SIGKILL.
//!
//! Each task appends one line, `<execution> <task> <attempt> <worker pid>`, to a shared file as
//! its last action (one `echo … >>`: one O_APPEND write). The check is made on those lines, not
//! on Sluice's records:
//! - every task of every execution wrote its line, and no attempt ever wrote twice;
//! - a task wrote more than one line only when all but its last attempt ran on the killed worker:
//!   an attempt killed with its worker before writing writes nothing (the worker's death kills
//!   its child at once, `PR_SET_PDEATHSIG`), and its retry writes once; but an attempt that wrote
//!   its line in the last moments before the kill, when the worker had not yet stored its end,
//!   is run again by its retry. That window (from the task's exit to the commit of its end, a few
//!   milliseconds) cannot be closed for a process task, whose side effects Sluice cannot undo;
//!   such tasks are counted and printed, and must be at most the killed worker's slots;
//! - every execution ends SUCCESS, exactly the triggered ones exist, and the tasks of each ran
//!   in order.
//!
//! Later, every connection to the database is cut twice (the processes reconnect); with
//! `SLUICE_SCALE_PG_RESTART` set to a shell command (`scripts/postgres restart 5`), PostgreSQL
//! itself is restarted then too.
//!
//! Needs `SLUICE_TEST_DATABASE_URL` (`eval "$(scripts/postgres)"`): the test creates a database
//! of its own there and drops it at the end. Without it the test is skipped with a message, or
//! fails under CI.

mod common;

use common::pg::{Database, Proc, admin_sql, database_url, wait_until};
use common::{get_json, http};
use std::collections::{BTreeMap, HashMap, HashSet};

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One line of a task: its attempt, the pid of the worker that ran it, its position in the file.
type Run = (u32, u32, usize);
const SLOTS: usize = 8;
const LEASE: &str = "PT10S";

fn flow(lines: &Path) -> String {
    let mut flow = String::from("id: fanout\nnamespace: scale\ntasks:\n");
    for task in ["t1", "t2", "t3"] {
        flow.push_str(&format!(
            r#"  - id: {task}
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner: {{type: io.kestra.plugin.core.runner.Process}}
    retry: {{type: constant, interval: PT0.1S, maxAttempts: 5}}
    commands:
      - echo "{{{{ execution.id }}}} {task} {{{{ taskrun.attemptsCount }}}} $PPID" >> {}
"#,
            lines.display()
        ));
    }
    flow
}

/// How many executions of the flow are in `state` (a search total), from `base`.
fn count(base: &str, state: &str) -> u64 {
    let page = get_json(
        base,
        &format!("/api/v1/executions/search?namespace=scale&flowId=fanout&state={state}&size=1"),
    );
    page["total"].as_u64().unwrap_or(0)
}

fn line_count(path: &Path) -> usize {
    std::fs::read(path).map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
}

#[test]
fn two_servers_three_workers_survive_kill_9_and_run_every_task_once() {
    let Some(admin) = database_url() else { return };
    let executions: usize = std::env::var("SLUICE_SCALE_EXECUTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let db = Database::create(&admin);
    let dir = std::env::temp_dir().join(format!("sluice-scale-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let lines_file = dir.join("lines");

    let server_args = |_: usize| {
        vec![
            "server",
            "standalone",
            "--port",
            "0",
            "--workers",
            "0",
            "--lease",
            LEASE,
            "--db",
            db.url.as_str(),
        ]
    };
    let (server_a, line_a) = Proc::spawn("server-a", &dir, &server_args(0));
    let (mut server_b, line_b) = Proc::spawn("server-b", &dir, &server_args(1));
    let base = |line: &str| {
        line.split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_owned()
    };
    let (base_a, base_b) = (base(&line_a), base(&line_b));
    let slots = SLOTS.to_string();
    let mut workers: Vec<Proc> = (1..=3)
        .map(|n| {
            let name = format!("worker-{n}");
            let args = ["worker", "--db", db.url.as_str(), "--slots", &slots, "--lease", LEASE];
            Proc::spawn(&name, &dir, &args).0
        })
        .collect();

    let (status, body) = http(
        &base_a,
        "POST",
        "/api/v1/flows",
        "application/x-yaml",
        &flow(&lines_file),
    );
    assert_eq!(status, 200, "{body}");

    // Trigger every execution through both APIs, eight requests at a time.
    let started = Instant::now();
    let ids: Arc<Mutex<Vec<String>>> = Arc::default();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let triggers: Vec<_> = (0..8)
        .map(|t| {
            let (ids, next) = (ids.clone(), next.clone());
            let bases = [base_a.clone(), base_b.clone()];
            std::thread::spawn(move || {
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < executions {
                    let (status, body) = http(
                        &bases[t % 2],
                        "POST",
                        "/api/v1/executions/scale/fanout",
                        "text/plain",
                        "",
                    );
                    assert_eq!(status, 200, "{body}");
                    let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_owned();
                    ids.lock().unwrap().push(id);
                }
            })
        })
        .collect();
    for t in triggers {
        t.join().expect("a trigger thread failed");
    }
    let triggered = started.elapsed();
    let ids: HashSet<String> = ids.lock().unwrap().drain(..).collect();
    assert_eq!(ids.len(), executions, "every trigger made a new execution");
    let tasks = executions * 3;
    let timeout = Duration::from_secs(120) + Duration::from_millis(100 * tasks as u64);

    // Kill -9 a worker at a quarter of the tasks and a server at half of them.
    {
        let all: Vec<&Proc> = [&server_a, &server_b].into_iter().chain(workers.iter()).collect();
        wait_until("a quarter of the tasks", timeout, &all, || {
            line_count(&lines_file) >= tasks / 4
        });
    }
    let killed_worker = workers[0].child.id();
    workers[0].kill_9();
    let at_worker_kill = line_count(&lines_file);
    {
        let all: Vec<&Proc> = [&server_a, &server_b].into_iter().chain(workers.iter()).collect();
        wait_until("half of the tasks", timeout, &all, || {
            line_count(&lines_file) >= tasks / 2
        });
    }
    server_b.kill_9();
    let at_server_kill = line_count(&lines_file);

    // At three quarters, every connection to the database is cut, twice (a failover, a killed
    // backend): every process reconnects. With SLUICE_SCALE_PG_RESTART (a shell command, e.g.
    // `scripts/postgres restart 5`), the server itself is also restarted then.
    {
        let all: Vec<&Proc> = [&server_a, &server_b].into_iter().chain(workers.iter()).collect();
        wait_until("three quarters of the tasks", timeout, &all, || {
            line_count(&lines_file) >= tasks * 3 / 4
        });
    }
    let at_disconnect = line_count(&lines_file);
    for _ in 0..2 {
        admin_sql(
            &admin,
            &format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
                db.name
            ),
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    if let Ok(command) = std::env::var("SLUICE_SCALE_PG_RESTART") {
        let status = Command::new("sh")
            .args(["-c", &command])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "`{command}` failed: {status}");
        println!("PostgreSQL restarted with `{command}` at {at_disconnect} lines");
    }

    let all: Vec<&Proc> = [&server_a, &server_b].into_iter().chain(workers.iter()).collect();
    wait_until("every execution to succeed", timeout, &all, || {
        count(&base_a, "SUCCESS") as usize == executions
    });
    let ran = started.elapsed();
    for state in ["FAILED", "KILLED", "WARNING", "RUNNING", "CREATED"] {
        assert_eq!(count(&base_a, state), 0, "no execution is {state}");
    }
    let listed = get_json(
        &base_a,
        "/api/v1/executions/search?namespace=scale&flowId=fanout&size=1",
    );
    assert_eq!(
        listed["total"].as_u64(),
        Some(executions as u64),
        "no execution was made twice"
    );

    // The tasks' own record.
    let text = std::fs::read_to_string(&lines_file).unwrap();
    let mut by_task: HashMap<(String, String), Vec<Run>> = HashMap::new();
    let mut attempts_seen = HashSet::new();
    for (position, line) in text.lines().enumerate() {
        let parts: Vec<&str> = line.split(' ').collect();
        let [exec, task, attempt, pid] = parts[..] else {
            panic!("a torn or foreign line: {line:?}")
        };
        assert!(ids.contains(exec), "a line for an execution nobody triggered: {line:?}");
        assert!(["t1", "t2", "t3"].contains(&task), "{line:?}");
        let (attempt, pid): (u32, u32) = (attempt.parse().unwrap(), pid.parse().unwrap());
        assert!(
            attempts_seen.insert((exec.to_owned(), task.to_owned(), attempt)),
            "attempt {attempt} of {exec} {task} wrote twice: an attempt ran twice"
        );
        by_task
            .entry((exec.to_owned(), task.to_owned()))
            .or_default()
            .push((attempt, pid, position));
    }
    let mut twice = Vec::new();
    for exec in &ids {
        let mut last_end = None;
        for task in ["t1", "t2", "t3"] {
            let mut runs = by_task
                .remove(&(exec.clone(), task.to_owned()))
                .unwrap_or_else(|| panic!("{exec} {task} never wrote its line"));
            runs.sort();
            let (_, _, last) = *runs.last().unwrap();
            for &(attempt, pid, _) in &runs[..runs.len() - 1] {
                assert_eq!(
                    pid, killed_worker,
                    "{exec} {task} attempt {attempt} wrote its line, yet was run again though its worker {pid} lived: {runs:?}"
                );
                twice.push(format!("{exec} {task} (attempt {attempt})"));
            }
            let first = runs.iter().map(|r| r.2).min().unwrap();
            assert!(
                last_end.is_none_or(|end| end < first),
                "{exec}: {task} ran before the task before it ended"
            );
            last_end = Some(last);
        }
    }
    assert!(by_task.is_empty());
    let mut per_pid: BTreeMap<u32, usize> = BTreeMap::new();
    for line in text.lines() {
        let pid: u32 = line.rsplit(' ').next().unwrap().parse().unwrap();
        *per_pid.entry(pid).or_default() += 1;
    }
    println!(
        "{executions} executions, {tasks} tasks on 3 workers x {SLOTS} slots and 2 servers: triggered in {:.1}s, \
         all SUCCESS after {:.1}s ({:.0} tasks/s overall); worker {killed_worker} killed at {at_worker_kill} lines, \
         a server at {at_server_kill}, connections cut at {at_disconnect}; lines per worker pid: {per_pid:?}",
        triggered.as_secs_f64(),
        ran.as_secs_f64(),
        tasks as f64 / ran.as_secs_f64()
    );
    println!(
        "{} task(s) ran twice, their first run on the killed worker in the window between the task's \
         last write and the store's record of its end: {twice:?}",
        twice.len()
    );
    assert!(
        twice.len() <= SLOTS,
        "more tasks ran twice ({}) than the killed worker ran at once ({SLOTS})",
        twice.len()
    );
    drop(workers);
    drop(server_a);
    drop(server_b);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A kill decided by a server's executor stops an attempt that a `sluice worker` of another
/// process runs: the step marks the claimed job, and the worker, woken by the database, stops it.
#[test]
fn a_kill_reaches_a_worker_in_another_process() {
    let Some(admin) = database_url() else { return };
    let db = Database::create(&admin);
    let dir = std::env::temp_dir().join(format!("sluice-scale-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let server_args = [
        "server",
        "standalone",
        "--port",
        "0",
        "--workers",
        "0",
        "--db",
        db.url.as_str(),
    ];
    let (server, line) = Proc::spawn("server", &dir, &server_args);
    let base = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_owned();
    let (worker, _) = Proc::spawn("worker", &dir, &["worker", "--db", db.url.as_str()]);
    let flow = "id: long\nnamespace: scale\ntasks:\n  - {id: wait, type: io.kestra.plugin.scripts.shell.Commands, \
                taskRunner: {type: io.kestra.plugin.core.runner.Process}, commands: [\"sleep 60\"]}\n";
    let (status, body) = http(&base, "POST", "/api/v1/flows", "application/x-yaml", flow);
    assert_eq!(status, 200, "{body}");
    let id = common::trigger(&base, "scale", "long");
    let procs = [&server, &worker];
    wait_until("the task to run", Duration::from_secs(30), &procs, || {
        get_json(&base, &format!("/api/v1/executions/{id}"))["taskRunList"][0]["state"]["current"] == "RUNNING"
    });
    let (status, body) = http(
        &base,
        "POST",
        &format!("/api/v1/executions/{id}/kill"),
        "text/plain",
        "",
    );
    assert!(status < 300, "{status} {body}");
    let killed = Instant::now();
    wait_until("the execution to be killed", Duration::from_secs(20), &procs, || {
        common::state_of(&base, &id) == "KILLED"
    });
    println!("killed in {:?}", killed.elapsed());
    assert!(killed.elapsed() < Duration::from_secs(10), "{:?}", killed.elapsed());
    drop(worker);
    drop(server);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Flow trigger on FAILED of a flow in another namespace, with two servers on one database:
/// each of 100 upstream failures starts exactly one downstream execution, whichever server's
/// executor stepped it.
/// Kestra: https://kestra.io/plugins/core/triggers/io.kestra.plugin.core.trigger.flow
#[test]
fn a_flow_trigger_fires_once_per_upstream_failure_with_two_servers() {
    const UPSTREAM: usize = 100;
    let Some(admin) = database_url() else { return };
    let db = Database::create(&admin);
    let dir = std::env::temp_dir().join(format!("sluice-scale-flowtrigger-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let args = ["server", "standalone", "--port", "0", "--db", db.url.as_str()];
    let base = |line: &str| {
        line.split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap()
            .to_owned()
    };
    let (server_a, line_a) = Proc::spawn("server-a", &dir, &args);
    let (server_b, line_b) = Proc::spawn("server-b", &dir, &args);
    let bases = [base(&line_a), base(&line_b)];
    let upstream =
        "id: fails\nnamespace: company.team\ntasks:\n  - {id: boom, type: io.kestra.plugin.core.execution.Fail}\n";
    let downstream = "id: on_failure\nnamespace: ops\ninputs:\n  - {id: failed, type: STRING}\ntasks:\n  - {id: say, type: io.kestra.plugin.core.log.Log, message: \"{{ inputs.failed }}\"}\n\
                      triggers:\n  - id: failures\n    type: io.kestra.plugin.core.trigger.Flow\n    inputs: {failed: \"{{ trigger.executionId }}\"}\n    conditions:\n      - {type: io.kestra.plugin.core.condition.ExecutionStatus, in: [FAILED]}\n";
    for flow in [upstream, downstream] {
        let (status, body) = http(&bases[0], "POST", "/api/v1/flows", "application/x-yaml", flow);
        assert_eq!(status, 200, "{body}");
    }
    // Each executor reads the flows with Flow triggers at most every 2 s.
    std::thread::sleep(Duration::from_millis(2500));
    let mut failed: Vec<String> = (0..UPSTREAM)
        .map(|i| common::trigger(&bases[i % 2], "company.team", "fails"))
        .collect();
    let total = |state: &str| {
        get_json(
            &bases[1],
            &format!("/api/v1/executions/search?namespace=ops&flowId=on_failure&state={state}&size=1"),
        )["total"]
            .as_u64()
            .unwrap_or(0)
    };
    let procs = [&server_a, &server_b];
    wait_until("100 downstream executions", Duration::from_secs(120), &procs, || {
        total("SUCCESS") >= UPSTREAM as u64
    });
    std::thread::sleep(Duration::from_secs(2));
    let page = get_json(
        &bases[0],
        "/api/v1/executions/search?namespace=ops&flowId=on_failure&size=1000",
    );
    let mut seen: Vec<String> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let exec = get_json(&bases[0], &format!("/api/v1/executions/{}", e["id"].as_str().unwrap()));
            exec["inputs"]["failed"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    seen.sort();
    failed.sort();
    assert_eq!(seen.len(), UPSTREAM, "exactly one downstream execution per failure");
    assert_eq!(seen, failed, "each for its own upstream failure");
    drop((server_a, server_b));
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}
