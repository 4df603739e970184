//! The process runner against real processes.

mod common;

use common::{run, texts};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use sluice_runners::{CancellationToken, EndReason, Job, LogLine, ProcessRunner, RunnerError, Stream, TaskRunner};
use tokio::sync::mpsc;

/// A base directory of its own for each test.
fn runner(test: &str) -> (ProcessRunner, PathBuf) {
    let base = std::env::temp_dir().join(format!("sluice-runners-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    (ProcessRunner::new(base.clone()), base)
}

fn sh(name: &str, script: &str) -> Job {
    Job::new(name, ["/bin/sh", "-c", script])
}

/// The process group id the job printed as `pgid <n>`.
fn printed_pgid(lines: &[LogLine]) -> i32 {
    let line = lines
        .iter()
        .find_map(|l| l.text.strip_prefix("pgid "))
        .expect("the job prints its pgid");
    line.trim().parse().expect("pgid is a number")
}

/// True while a live (not zombie) process belongs to group `pgid`.
fn group_alive(pgid: i32) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            return false;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.len() > 2 && fields[2] == pgid.to_string() && fields[0] != "Z" && fields[0] != "X"
    })
}

#[tokio::test]
async fn lines_keep_their_stream_and_order_and_exit_code_is_reported() {
    let (runner, base) = runner("order");
    let job = sh(
        "order",
        "for i in 1 2 3; do echo out$i; echo err$i >&2; done; printf 'crlf\\r\\nlast'; exit 3",
    );
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    assert_eq!(texts(&lines, Stream::Stdout), ["out1", "out2", "out3", "crlf", "last"]);
    assert_eq!(texts(&lines, Stream::Stderr), ["err1", "err2", "err3"]);
    assert_eq!(
        (outcome.exit_code, outcome.signal, outcome.end),
        (Some(3), None, EndReason::Exited)
    );
    assert_eq!(outcome.message, "exited with code 3");
    assert_eq!(outcome.log_lines, 8);
    assert!(!outcome.succeeded());
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn env_and_working_dir_are_visible() {
    let (runner, base) = runner("env");
    let mut job = sh("exec-1/task.2", "echo \"$GREETING\"; echo \"$WORKING_DIR\"; pwd");
    job.env.insert("GREETING".into(), "hello world".into());
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    assert!(outcome.unwrap().succeeded());
    let dir = runner.working_dir(&job);
    assert!(
        dir.starts_with(base.to_str().unwrap()) && !dir.contains("exec-1/"),
        "{dir}"
    );
    assert_eq!(
        texts(&lines, Stream::Stdout),
        ["hello world", dir.as_str(), dir.as_str()]
    );
    runner.cleanup(&job).await.unwrap();
    assert!(!PathBuf::from(&dir).exists());
    runner.cleanup(&job).await.unwrap();
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn input_files_are_written_into_a_fresh_dir() {
    let (runner, base) = runner("inputs");
    let mut job = sh("inputs", "ls; cat a.txt sub/dir/b.txt");
    job.input_files.insert("a.txt".into(), b"first\n".to_vec());
    job.input_files.insert("sub/dir/b.txt".into(), b"second".to_vec());
    std::fs::create_dir_all(runner.dir_for(&job)).unwrap();
    std::fs::write(runner.dir_for(&job).join("leftover"), "x").unwrap();
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    assert!(outcome.unwrap().succeeded());
    assert_eq!(texts(&lines, Stream::Stdout), ["a.txt", "sub", "first", "second"]);
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn unsafe_file_names_are_rejected_before_running() {
    let (runner, base) = runner("unsafe");
    std::fs::create_dir_all(&base).unwrap();
    for (i, name) in ["../x", "a/../../x", "/etc/x", "", "a\0b"].into_iter().enumerate() {
        let marker = base.join(format!("marker-{i}"));
        let mut job = sh(&format!("unsafe-{i}"), &format!("touch {}", marker.display()));
        job.input_files.insert("fine.txt".into(), Vec::new());
        job.input_files.insert(name.into(), b"x".to_vec());
        let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
        match outcome {
            Err(err @ RunnerError::UnsafeFileName { .. }) => {
                assert!(err.to_string().contains(&format!("`{}`", name.escape_debug())), "{err}")
            }
            other => panic!("{name:?}: expected UnsafeFileName, got {other:?}"),
        }
        assert!(lines.is_empty());
        assert!(!marker.exists(), "{name:?}: the command ran");
        assert!(!runner.dir_for(&job).exists(), "{name:?}: the working dir was created");
    }
    let mut job = sh("bad-glob", "true");
    job.output_files.push("../*".into());
    let err = run(&runner, &job, CancellationToken::new()).await.0.unwrap_err();
    assert!(matches!(err, RunnerError::InvalidOutputPattern { .. }), "{err}");
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn output_files_are_collected_on_failure_too() {
    let (runner, base) = runner("outputs");
    let mut job = sh(
        "outputs",
        "mkdir -p out/sub; echo a > out/a.txt; echo bb > out/sub/b.txt; echo c > c.log; \
         ln -s /etc/passwd out/link.txt; mkdir out/dir.txt; exit 1",
    );
    job.output_files = vec![
        "out/*.txt".into(),
        "**/*.log".into(),
        "out/**/*.txt".into(),
        "none/*".into(),
    ];
    let (outcome, _) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.exit_code, Some(1));
    let names: Vec<(&str, u64)> = outcome.output_files.iter().map(|f| (f.name.as_str(), f.size)).collect();
    assert_eq!(names, [("c.log", 2), ("out/a.txt", 2), ("out/sub/b.txt", 3)]);
    for file in &outcome.output_files {
        assert_eq!(file.path, runner.dir_for(&job).join(&file.name));
    }
    std::fs::remove_dir_all(base).unwrap();
}

const GRANDCHILD: &str = "echo pgid $$; sh -c 'sleep 30' & sleep 30";

#[tokio::test]
async fn timeout_stops_the_whole_group() {
    let (runner, base) = runner("timeout");
    let mut job = sh("timeout", GRANDCHILD);
    job.timeout = Some(Duration::from_secs(1));
    let started = Instant::now();
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(outcome.end, EndReason::TimedOut);
    assert_eq!(outcome.signal, Some(15));
    assert!(
        outcome.message.starts_with("timed out after 1s; sent SIGTERM"),
        "{}",
        outcome.message
    );
    assert!(!group_alive(printed_pgid(&lines)));
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn cancel_stops_the_whole_group() {
    let (runner, base) = runner("cancel");
    let job = sh("cancel", GRANDCHILD);
    let cancel = CancellationToken::new();
    let started = Instant::now();
    let canceller = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        cancel.cancel();
    };
    let ((outcome, lines), ()) = tokio::join!(run(&runner, &job, cancel.clone()), canceller);
    let outcome = outcome.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(outcome.end, EndReason::Killed);
    assert!(outcome.message.starts_with("killed on request"), "{}", outcome.message);
    assert!(!group_alive(printed_pgid(&lines)));
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn ignored_sigterm_ends_with_sigkill_after_the_grace_period() {
    let (runner, base) = runner("trap");
    let mut job = sh("trap", "trap '' TERM; echo pgid $$; sleep 30 & sleep 30");
    job.timeout = Some(Duration::from_secs(1));
    job.kill_grace = Duration::from_secs(1);
    let started = Instant::now();
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(4),
        "took {took:?}"
    );
    assert_eq!((outcome.end, outcome.signal), (EndReason::TimedOut, Some(9)));
    assert!(
        outcome.message.contains("then SIGKILL after the 1s grace period"),
        "{}",
        outcome.message
    );
    assert!(
        outcome.message.ends_with("killed by SIGKILL (9)"),
        "{}",
        outcome.message
    );
    assert!(!group_alive(printed_pgid(&lines)));
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn dropping_the_run_future_kills_the_group() {
    let (runner, base) = runner("dropped-future");
    let job = sh("dropped-future", GRANDCHILD);
    let (tx, mut rx) = mpsc::channel(4);
    let gather = async move {
        let mut lines = Vec::new();
        while let Some(batch) = rx.recv().await {
            lines.extend(batch);
        }
        lines
    };
    let abandoned = tokio::time::timeout(
        Duration::from_millis(500),
        runner.run(&job, tx, CancellationToken::new()),
    );
    let (result, lines) = tokio::join!(abandoned, gather);
    assert!(result.is_err(), "the job should still have been running");
    let pgid = printed_pgid(&lines);
    let deadline = Instant::now() + Duration::from_secs(2);
    while group_alive(pgid) {
        assert!(Instant::now() < deadline, "group {pgid} survived the dropped future");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn background_processes_holding_the_pipes_do_not_hang_the_run() {
    let (runner, base) = runner("leftover");
    let job = sh("leftover", "echo pgid $$; sleep 30 & echo done");
    let started = Instant::now();
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(outcome.succeeded());
    assert!(
        outcome
            .message
            .contains("left running in its process group were killed"),
        "{}",
        outcome.message
    );
    assert_eq!(texts(&lines, Stream::Stdout).last(), Some(&"done"));
    assert!(!group_alive(printed_pgid(&lines)));
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn a_dropped_receiver_lets_the_job_finish() {
    let (runner, base) = runner("dropped");
    let job = sh("dropped", "seq 1 10000; echo end > end.txt");
    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    let outcome = runner.run(&job, tx, CancellationToken::new()).await.unwrap();
    assert!(outcome.succeeded());
    assert_eq!((outcome.log_lines, outcome.log_lines_discarded), (10000, 10000));
    assert!(runner.dir_for(&job).join("end.txt").exists());
    assert!(
        outcome.message.contains("10000 log lines were discarded"),
        "{}",
        outcome.message
    );
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn long_lines_are_split_and_invalid_utf8_replaced() {
    let (runner, base) = runner("long");
    let job = sh(
        "long",
        "head -c 2500000 /dev/zero | tr '\\0' a; echo; printf 'x\\377y\\n'",
    );
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    assert!(outcome.unwrap().succeeded());
    let lengths: Vec<usize> = lines.iter().map(|l| l.text.len()).collect();
    assert_eq!(lengths, [1 << 20, 1 << 20, 2_500_000 - (2 << 20), 5]);
    assert_eq!(lines[3].text, "x\u{fffd}y");
    std::fs::remove_dir_all(base).unwrap();
}

#[tokio::test]
async fn errors_explain_themselves() {
    let (runner, base) = runner("errors");
    let job = Job::new("missing", ["/no/such/program"]);
    let err = run(&runner, &job, CancellationToken::new()).await.0.unwrap_err();
    assert!(
        matches!(err, RunnerError::Spawn { .. }) && err.to_string().contains("/no/such/program"),
        "{err}"
    );
    let empty = Job::new("empty", Vec::<String>::new());
    assert!(matches!(
        run(&runner, &empty, CancellationToken::new()).await.0,
        Err(RunnerError::EmptyCommand { .. })
    ));
    let (tx, _rx) = mpsc::channel(1);
    let err = runner.reattach(&job, tx, CancellationToken::new()).await.unwrap_err();
    assert!(matches!(err, RunnerError::ReattachUnsupported { .. }), "{err}");
    let _ = std::fs::remove_dir_all(base);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_holds_the_job_back() {
    let (runner, base) = runner("backpressure");
    let job = sh("backpressure", "seq 1 200000; touch done");
    let done = runner.dir_for(&job).join("done");
    let (tx, mut rx) = mpsc::channel::<Vec<LogLine>>(1);
    let consumer = async move {
        let mut count = rx.recv().await.map_or(0, |batch| batch.len());
        tokio::time::sleep(Duration::from_millis(500)).await;
        let finished_early = done.exists();
        while let Some(batch) = rx.recv().await {
            count += batch.len();
        }
        (count, finished_early)
    };
    let (outcome, (count, finished_early)) = tokio::join!(runner.run(&job, tx, CancellationToken::new()), consumer);
    assert!(outcome.unwrap().succeeded());
    assert!(
        !finished_early,
        "the job ran ahead of a stalled consumer: logs were buffered without bound"
    );
    assert_eq!(count, 200_000);
    std::fs::remove_dir_all(base).unwrap();
}

/// Peak resident memory of this test process, in KiB.
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// `cargo test --release -p sluice-runners -- --nocapture million` for the throughput figure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_lines_arrive_in_order() {
    const LINES: u64 = 1_000_000;
    let (runner, base) = runner("million");
    let job = sh("million", &format!("seq 1 {LINES}"));
    let hwm_before = vm_hwm_kib();
    let (tx, mut rx) = mpsc::channel::<Vec<LogLine>>(16);
    let consumer = tokio::spawn(async move {
        let (mut next, mut batches) = (1u64, 0u64);
        while let Some(batch) = rx.recv().await {
            batches += 1;
            for line in batch {
                assert_eq!(line.stream, Stream::Stdout);
                assert_eq!(line.text.parse::<u64>().ok(), Some(next), "line {next}");
                next += 1;
            }
        }
        (next - 1, batches)
    });
    let started = Instant::now();
    let outcome = runner.run(&job, tx, CancellationToken::new()).await.unwrap();
    let (received, batches) = consumer.await.unwrap();
    let took = started.elapsed();
    let growth_kib = vm_hwm_kib().saturating_sub(hwm_before);
    eprintln!(
        "million: {received} lines in {batches} batches, {took:?}, {:.0} lines/s; VmHWM {hwm_before} KiB -> +{growth_kib} KiB",
        received as f64 / took.as_secs_f64()
    );
    assert!(outcome.succeeded());
    assert_eq!((received, outcome.log_lines), (LINES, LINES));
    assert!(growth_kib < 100 * 1024, "peak memory grew by {growth_kib} KiB");
    std::fs::remove_dir_all(base).unwrap();
}
