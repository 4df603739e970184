//! The storage suite against a real SQLite file, plus what only the SQLite backend has: opening a
//! data folder, migrations, durability across reopening, and reading corrupt rows.

mod suite;

use sluice_engine::{Event, State};
use sluice_store::prelude::*;
use sluice_store::{Level, LogLine, LogQuery, SqliteStore, StepCommit, StoreError};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use suite::{at, execution, job, t0, timer};

/// A folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let unique = format!(
            "sluice-store-{}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(unique);
        let _ = std::fs::remove_dir_all(&path);
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh store in its own folder (the folder is created by `open`).
async fn fresh(name: &str) -> (TempDir, SqliteStore) {
    let dir = TempDir::new(name);
    let store = SqliteStore::open(&dir.path().join("data")).await.unwrap();
    (dir, store)
}

/// A plain connection to the database file, to look at or damage what the store wrote.
async fn raw(store: &SqliteStore) -> SqliteConnection {
    let path = store.path().expect("a file").to_path_buf();
    SqliteConnectOptions::new().filename(path).connect().await.unwrap()
}

macro_rules! suite_tests {
    ($($name:ident => $function:path),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let (_dir, store) = fresh(stringify!($name)).await;
            $function(&store).await;
            store.close().await;
        }
    )*};
}

suite_tests! {
    flow_revisions => suite::flows::revisions,
    execution_round_trip => suite::executions::round_trip,
    execution_list_filters_and_paging => suite::executions::list_filters_and_paging,
    commit_stores_everything => suite::executions::commit_stores_everything,
    commit_is_atomic => suite::executions::commit_is_atomic,
    commit_writes_changed_task_runs => suite::executions::commit_writes_changed_task_runs,
    commit_cancels_task_runs => suite::executions::commit_cancels_task_runs,
    event_needs_execution => suite::executions::event_needs_execution,
    events_fifo_and_ack => suite::mailbox::events_fifo_and_ack,
    timers_in_order => suite::mailbox::timers_in_order,
    lease_expiry => suite::queue::lease_expiry,
    release_worker => suite::queue::release_worker,
    finish_with_event => suite::queue::finish_with_event,
    lost_leases_are_settled_once => suite::queue::lost_leases_are_settled_once,
    claims_hold_executions => suite::executors::claims_hold_executions,
    commit_checks_the_revision => suite::executors::commit_checks_the_revision,
    fire_timer_once => suite::mailbox::fire_timer_once,
    trigger_fires_once => suite::triggers::fire_once,
    log_sequence_is_gap_free => suite::logs::sequence_is_gap_free,
    log_filters => suite::logs::filters,
    log_hundred_thousand_lines => suite::logs::hundred_thousand_lines,
    log_many_small_appends => suite::logs::many_small_appends,
    log_sparse_matches => suite::logs::sparse_matches,
    metrics => suite::logs::metrics,
    concurrency_slots => suite::concurrency::slots_are_counted_queued_and_handed_on,
    concurrency_end_without_slot => suite::concurrency::an_end_without_a_slot_still_hands_slots_on,
    kv_pairs => suite::kv::pairs_are_typed_expire_and_list,
    namespace_files => suite::namespace_files::files_are_written_moved_and_deleted,
    secrets => suite::secrets::secrets_are_sealed_listed_and_deleted,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claims_are_exclusive() {
    let (_dir, store) = fresh("claims").await;
    let shared: Arc<dyn Store> = Arc::new(store.clone());
    suite::queue::claims_are_exclusive(shared).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_executor_at_a_time() {
    let (_dir, store) = fresh("executors").await;
    let shared: Arc<dyn Store> = Arc::new(store.clone());
    suite::executors::one_executor_at_a_time(vec![shared]).await;
    store.close().await;
}

#[tokio::test]
async fn in_memory_store_works() {
    let store = SqliteStore::in_memory().await.unwrap();
    assert!(store.path().is_none());
    suite::mailbox::events_fifo_and_ack(&store).await;
}

/// Two stores on one file stand in for two processes: their appends interleave without gaps.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appends_from_two_openers_stay_gap_free() {
    let dir = TempDir::new("two-openers");
    let one = SqliteStore::open(dir.path()).await.unwrap();
    let two = SqliteStore::open(dir.path()).await.unwrap();
    let mut tasks = Vec::new();
    for (name, store) in [("one", one.clone()), ("two", two.clone())] {
        tasks.push(tokio::spawn(async move {
            for batch in 0..50 {
                let lines: Vec<_> = (0..37)
                    .map(|i| suite::logs::line("shared", Some(name), 1, Level::Info, format!("{name} {batch} {i}")))
                    .collect();
                store.append_logs(&lines).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let all = one.logs(&LogQuery::new("shared", 10_000)).await.unwrap();
    assert_eq!(all.len(), 2 * 50 * 37);
    assert!(all.iter().enumerate().all(|(i, l)| l.seq == i as u64 + 1));
    for name in ["one", "two"] {
        let mine: Vec<_> = all
            .iter()
            .filter(|l| l.task_id.as_deref() == Some(name))
            .map(|l| &l.message)
            .collect();
        let expected: Vec<_> = (0..50)
            .flat_map(|b| (0..37).map(move |i| format!("{name} {b} {i}")))
            .collect();
        assert_eq!(
            mine,
            expected.iter().collect::<Vec<_>>(),
            "each writer's lines stay in order"
        );
    }
    assert_eq!(two.log_count("shared").await.unwrap(), 3700);
    one.close().await;
    two.close().await;
}

/// Everything written is there after closing and opening the folder again, and opening again
/// applies no migration twice.
#[tokio::test]
async fn reopening_keeps_everything() {
    let dir = TempDir::new("reopen");
    let store = SqliteStore::open(dir.path()).await.unwrap();
    assert!(dir.path().join("sluice.db").is_file());
    store.put_flow("ns", "f", "id: f\n").await.unwrap();
    store.put_flow("ns", "f", "id: f\ntasks: []\n").await.unwrap();
    let e = execution("durable", "ns", "f", t0(), State::Running);
    let start = store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    let mut commit = StepCommit::new(&e);
    commit.enqueue = vec![job("durable", "tr1", 1)];
    commit.timers = vec![timer("durable", "tr2", 2, at(300))];
    store.commit(&commit).await.unwrap();
    let lines: Vec<LogLine> = (0..5000)
        .map(|i| suite::logs::line("durable", Some("t"), 1, Level::Debug, format!("l{i}")))
        .collect();
    store.append_logs(&lines).await.unwrap();
    store.close().await;

    for _ in 0..2 {
        let store = SqliteStore::open(dir.path()).await.unwrap();
        assert_eq!(store.get_flow("ns", "f", None).await.unwrap().unwrap().revision, 2);
        assert_eq!(store.get_execution("durable").await.unwrap().unwrap(), e);
        assert_eq!(store.pending_events(10).await.unwrap()[0].id, start);
        assert_eq!(store.next_timer_at().await.unwrap(), Some(at(300)));
        assert_eq!(store.log_count("durable").await.unwrap(), 5000);
        let last = store
            .logs(&LogQuery {
                after_seq: Some(4999),
                ..LogQuery::new("durable", 10)
            })
            .await
            .unwrap();
        assert_eq!(last[0].message, "l4999");
        let mut conn = raw(&store).await;
        let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(
            versions,
            (1..=10).collect::<Vec<i64>>(),
            "each migration is applied once"
        );
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        conn.close().await.unwrap();
        store.close().await;
    }
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let job = store.claim("w", Duration::from_secs(60), at(1)).await.unwrap().unwrap();
    assert_eq!(job.task_run_id, "tr1", "the queue survives too");
    store.close().await;
}

/// A database written by the first schema (one row per log line) is upgraded in place: its lines
/// keep their numbers and fields, and new lines continue after them.
#[tokio::test]
async fn a_version_1_database_is_upgraded_with_its_logs() {
    let dir = TempDir::new("upgrade");
    std::fs::create_dir_all(dir.path()).unwrap();
    let file = dir.path().join("sluice.db");
    let mut conn = SqliteConnectOptions::new()
        .filename(&file)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql(include_str!("../migrations/sqlite/0001_init.sql"))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::raw_sql(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
         INSERT INTO schema_migrations VALUES (1, '0001_init.sql', 0);
         INSERT INTO log_streams (id, execution_id, last_seq) VALUES (7, 'old', 3);
         INSERT INTO logs VALUES
             (7, 1, NULL, NULL, NULL, 1700000000123456789, 3, 'started'),
             (7, 2, 'old-tr', 'build', 2, 1700000000123456790, 5, 'say \"hi\"'),
             (7, 3, 'old-tr', 'build', 2, 1700000000123456791, 2, 'done');",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let store = SqliteStore::open(dir.path()).await.unwrap();
    store
        .append_logs(&[suite::logs::line("old", Some("build"), 2, Level::Info, "new".into())])
        .await
        .unwrap();
    let lines = store.logs(&LogQuery::new("old", 10)).await.unwrap();
    let seen: Vec<_> = lines.iter().map(|l| (l.seq, l.level, l.message.as_str())).collect();
    assert_eq!(
        seen,
        [
            (1, Level::Info, "started"),
            (2, Level::Error, "say \"hi\""),
            (3, Level::Debug, "done"),
            (4, Level::Info, "new")
        ]
    );
    assert_eq!(
        (
            lines[1].task_run_id.as_deref(),
            lines[1].task_id.as_deref(),
            lines[1].attempt
        ),
        (Some("old-tr"), Some("build"), Some(2))
    );
    assert_eq!(lines[0].at, t0());
    let errors = store
        .logs(&LogQuery {
            min_level: Some(Level::Error),
            ..LogQuery::new("old", 10)
        })
        .await
        .unwrap();
    assert_eq!(errors.len(), 1);

    let mut conn = raw(&store).await;
    let view: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, message FROM log_lines WHERE execution_id = 'old' ORDER BY seq")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(view.len(), 4, "the log_lines view shows every line");
    assert_eq!(view[3], (4, "new".to_owned()));
    conn.close().await.unwrap();
    store.close().await;
}

#[tokio::test]
async fn a_newer_database_is_refused_with_advice() {
    let (dir, store) = fresh("newer").await;
    let mut conn = raw(&store).await;
    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    store.close().await;

    let error = SqliteStore::open(&dir.path().join("data")).await.unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::SchemaTooNew {
                found: 999,
                known: 10,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("upgrade Sluice") && message.contains("another data folder"),
        "{message}"
    );
}

#[tokio::test]
async fn a_folder_that_cannot_be_created_is_a_clear_error() {
    let dir = TempDir::new("not-a-folder");
    std::fs::create_dir_all(dir.path()).unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "not a folder").unwrap();
    let error = SqliteStore::open(&file.join("data")).await.unwrap_err();
    assert!(matches!(error, StoreError::CreateDir { .. }), "{error:?}");
    assert!(error.to_string().contains("cannot create the data folder"), "{error}");
    assert!(std::error::Error::source(&error).is_some(), "the cause is kept");
}

#[tokio::test]
async fn corrupt_rows_are_errors_not_panics() {
    let (_dir, store) = fresh("corrupt").await;
    let e = execution("bad", "ns", "f", t0(), State::Running);
    store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    store
        .append_logs(&[suite::logs::line("bad", None, 0, Level::Info, "hi".into())])
        .await
        .unwrap();
    let mut conn = raw(&store).await;
    for damage in [
        "UPDATE executions SET document = '{\"id\": \"bad\", truncated' WHERE id = 'bad'",
        "UPDATE executions SET state = 'EXPLODED' WHERE id = 'bad'",
        "UPDATE events SET body = '{\"type\": \"noSuchEvent\"}'",
        "UPDATE log_blocks SET lines = '[[1, 42, \"hi\"]]'",
    ] {
        sqlx::query(damage).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();

    let error = store.get_execution("bad").await.unwrap_err();
    assert!(
        matches!(&error, StoreError::Corrupt { what, .. } if what == "execution bad"),
        "{error:?}"
    );
    assert!(std::error::Error::source(&error).is_some(), "the JSON error is kept");
    let error = store.list_executions(&Default::default()).await.unwrap_err();
    assert!(error.to_string().contains("EXPLODED"), "{error}");
    let error = store.pending_events(10).await.unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
    let error = store.logs(&LogQuery::new("bad", 10)).await.unwrap_err();
    assert!(error.to_string().contains("unknown level 42"), "{error}");
    assert!(!error.is_transient());
    store.close().await;
}

/// Appends 1,000,000 lines of 60 bytes in batches of 4096 and prints lines per second.
/// `cargo test --release -p sluice-store -- --nocapture --ignored bench`
#[tokio::test]
#[ignore = "benchmark: run in release"]
async fn bench_log_append() {
    const LINES: usize = 1_000_000;
    const BATCH: usize = 4096;
    let (_dir, store) = fresh("bench").await;
    let base = suite::logs::line("bench", Some("load"), 1, Level::Info, String::new());
    let lines: Vec<LogLine> = (0..LINES)
        .map(|i| LogLine {
            message: format!("{i:>12} the quick brown fox jumps over the lazy dog 012"),
            ..base.clone()
        })
        .collect();
    assert_eq!(lines[0].message.len(), 60);

    let started = Instant::now();
    for batch in lines.chunks(BATCH) {
        store.append_logs(batch).await.unwrap();
    }
    let elapsed = started.elapsed();
    println!(
        "appended {LINES} lines in {:.3} s: {:.0} lines/s",
        elapsed.as_secs_f64(),
        LINES as f64 / elapsed.as_secs_f64()
    );

    let started = Instant::now();
    let mut query = LogQuery::new("bench", 1000);
    let mut read = 0;
    while let Some(last) = store.logs(&query).await.unwrap().last().map(|l| l.seq) {
        read += 1000;
        query.after_seq = Some(last);
        if read == 20_000 {
            break;
        }
    }
    let tail = LogQuery {
        after_seq: Some(999_000),
        ..LogQuery::new("bench", 1000)
    };
    let tail_started = Instant::now();
    assert_eq!(store.logs(&tail).await.unwrap().len(), 1000);
    println!(
        "read 20 pages of 1000 in {:?}; the last page in {:?}",
        started.elapsed() - tail_started.elapsed(),
        tail_started.elapsed()
    );
    assert_eq!(store.log_count("bench").await.unwrap(), LINES as u64);
    store.close().await;
}
