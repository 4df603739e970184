//! The storage suite against a real PostgreSQL server, plus what only this backend has: several
//! processes (stores with pools of their own) on one database, lost connections, migrations,
//! notifications, and reading corrupt rows.
//!
//! Needs `SLUICE_TEST_DATABASE_URL` (`eval "$(scripts/postgres)"`); without it every test is
//! skipped with a message, or fails under CI. Each test gets a schema of its own.

mod postgres_support;
mod suite;

use postgres_support::{TestSchema, wait_for};
use sluice_engine::{Event, State};
use sluice_store::postgres::{Channel, Wakeup};
use sluice_store::prelude::*;
use sluice_store::{Level, LogQuery, PostgresStore, StepCommit, StoreError, TriggerKey};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use suite::{at, execution, job, t0, timer};

const MINUTE: Duration = Duration::from_secs(60);

macro_rules! suite_tests {
    ($($name:ident => $function:path),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let Some(schema) = TestSchema::new().await else { return };
            let store = schema.store().await;
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
    let Some(schema) = TestSchema::new().await else { return };
    let store = schema.store().await;
    let shared: Arc<dyn Store> = Arc::new(store.clone());
    suite::queue::claims_are_exclusive(shared).await;
    store.close().await;
}

/// Two stores (two pools, as two processes would have) and four executors: each event is stepped
/// once, in order, by one executor at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_executor_at_a_time_across_stores() {
    let Some(schema) = TestSchema::new().await else { return };
    let (one, two) = (schema.store().await, schema.store().await);
    let stores: Vec<Arc<dyn Store>> = vec![Arc::new(one.clone()), Arc::new(two.clone())];
    suite::executors::one_executor_at_a_time(stores).await;
    one.close().await;
    two.close().await;
}

/// Two stores (two pools, as two processes would have) and four claimers: each of 200 jobs is
/// claimed exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claims_from_two_stores_are_exclusive() {
    let Some(schema) = TestSchema::new().await else { return };
    let (one, two) = (schema.store().await, schema.store().await);
    let e = execution("q", "ns", "flow", t0(), State::Running);
    one.create_execution(&e, &Event::Start, t0()).await.unwrap();
    let mut commit = StepCommit::new(&e);
    commit.enqueue = (0..200).map(|i| job("q", &format!("tr{i}"), 1)).collect();
    one.commit(&commit).await.unwrap();

    let mut claimers = Vec::new();
    for w in 0..4 {
        let store = if w % 2 == 0 { one.clone() } else { two.clone() };
        claimers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(job) = store.claim(&format!("w{w}"), MINUTE, at(1)).await.unwrap() {
                assert_eq!((job.owner, job.claims), (Some(format!("w{w}")), 1));
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut seen = HashSet::new();
    let mut per_claimer = Vec::new();
    for claimer in claimers {
        let mine = claimer.await.unwrap();
        per_claimer.push(mine.len());
        for id in mine {
            assert!(seen.insert(id), "job {id} was claimed twice");
        }
    }
    assert_eq!(seen.len(), 200, "every job was claimed ({per_claimer:?} per claimer)");
    assert!(one.claim("late", MINUTE, at(2)).await.unwrap().is_none());
    one.close().await;
    two.close().await;
}

/// Terminating every connection of a store (a restarted server, a killed backend) costs nothing
/// but a reconnect: the next calls succeed, and a listener reports that it reconnected.
#[tokio::test]
async fn lost_connections_are_replaced() {
    let Some(schema) = TestSchema::new().await else { return };
    let store = schema.store().await;
    let mut listener = store.listen(&[Channel::Events]).await.unwrap();
    let e = execution("drop-1", "ns", "flow", t0(), State::Running);
    store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    wait_for(&mut listener, Channel::Events, "drop-1").await;

    let mut admin = schema.raw().await;
    let killed: i64 = sqlx::query_scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE application_name = $1 AND pid <> pg_backend_pid()",
    )
    .bind(schema.name())
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert!(killed >= 2, "the pool's and the listener's connections ({killed})");

    assert!(
        store.get_execution("drop-1").await.unwrap().is_some(),
        "the next call works"
    );
    let e2 = execution("drop-2", "ns", "flow", t0(), State::Running);
    store.create_execution(&e2, &Event::Kill, at(1)).await.unwrap();
    assert_eq!(store.pending_events(10).await.unwrap().len(), 2);
    let woke = tokio::time::timeout(Duration::from_secs(10), listener.recv()).await;
    assert!(matches!(woke, Ok(Ok(Wakeup::Reconnected))), "{woke:?}");
    let e3 = execution("drop-3", "ns", "flow", t0(), State::Running);
    store.create_execution(&e3, &Event::Start, at(2)).await.unwrap();
    wait_for(&mut listener, Channel::Events, "drop-3").await;
    store.close().await;
}

/// Whatever adds work notifies: a new execution and pushed or posted events, queued or released
/// jobs, and stored timers (with their fire time).
#[tokio::test]
async fn work_wakes_listeners() {
    let Some(schema) = TestSchema::new().await else { return };
    let store = schema.store().await;
    let mut listener = store.listen(&Channel::ALL).await.unwrap();
    let id = format!("{}-wake", schema.name());
    let e = execution(&id, "ns", "flow", t0(), State::Running);
    store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    wait_for(&mut listener, Channel::Events, &id).await;

    let mut commit = StepCommit::new(&e);
    commit.enqueue = vec![job(&id, "tr1", 1)];
    commit.timers = vec![timer(&id, "tr2", 2, at(300))];
    store.commit(&commit).await.unwrap();
    wait_for(&mut listener, Channel::Jobs, &id).await;
    let fire_at = at(300).as_nanosecond().to_string();
    wait_for(&mut listener, Channel::Timers, &fire_at).await;

    let claimed = store.claim("w", MINUTE, at(1)).await.unwrap().unwrap();
    assert_eq!(store.release_worker("w").await.unwrap(), 1);
    wait_for(&mut listener, Channel::Jobs, &id).await;
    store.push_event(&id, &Event::Kill, at(2)).await.unwrap();
    wait_for(&mut listener, Channel::Events, &id).await;
    let claimed_again = store.claim("w", MINUTE, at(3)).await.unwrap().unwrap();
    assert_eq!(claimed_again.id, claimed.id);
    store
        .finish_with_event(claimed.id, "w", &id, &Event::Kill, at(4))
        .await
        .unwrap();
    wait_for(&mut listener, Channel::Events, &id).await;

    // A claimed job marked for killing tells its worker, wherever it runs.
    let mut kill = StepCommit::new(&e);
    kill.enqueue = vec![job(&id, "tr3", 1)];
    store.commit(&kill).await.unwrap();
    let held = store.claim("w", MINUTE, at(5)).await.unwrap().unwrap();
    assert_eq!(held.task_run_id, "tr3");
    let mut kill = StepCommit::new(&e);
    kill.cancel_jobs_for = vec!["tr3".into()];
    store.commit(&kill).await.unwrap();
    wait_for(&mut listener, Channel::Kills, "tr3").await;
    assert_eq!(store.kill_requests("w").await.unwrap(), ["tr3"]);
    store.close().await;
}

/// Two stores appending to one execution at once: numbers stay gap-free, each writer's lines
/// in its order.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appends_from_two_stores_stay_gap_free() {
    let Some(schema) = TestSchema::new().await else { return };
    let (one, two) = (schema.store().await, schema.store().await);
    let mut tasks = Vec::new();
    for (name, store) in [("one", one.clone()), ("two", two.clone())] {
        tasks.push(tokio::spawn(async move {
            for batch in 0..50 {
                // Two executions per batch, in opposite orders: appends must not deadlock.
                let mut lines: Vec<_> = (0..37)
                    .map(|i| suite::logs::line("shared", Some(name), 1, Level::Info, format!("{name} {batch} {i}")))
                    .collect();
                let other = suite::logs::line("other", None, 0, Level::Info, format!("{name} {batch}"));
                if name == "one" {
                    lines.push(other);
                } else {
                    lines.insert(0, other);
                }
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
        let mine: Vec<_> = all.iter().filter(|l| l.task_id.as_deref() == Some(name)).collect();
        let expected: Vec<_> = (0..50)
            .flat_map(|b| (0..37).map(move |i| format!("{name} {b} {i}")))
            .collect();
        assert_eq!(
            mine.iter().map(|l| &l.message).collect::<Vec<_>>(),
            expected.iter().collect::<Vec<_>>()
        );
    }
    assert_eq!(two.log_count("other").await.unwrap(), 100);
    one.close().await;
    two.close().await;
}

/// Revisions stored by two stores at once are numbered one after the other; a tick fired by two
/// schedulers at once fires once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_flows_and_triggers() {
    let Some(schema) = TestSchema::new().await else { return };
    let stores = [schema.store().await, schema.store().await];
    let mut tasks = Vec::new();
    for (s, store) in stores.iter().enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..20 {
                store.put_flow("ns", "f", &format!("id: f\n# {s} {i}\n")).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let newest = stores[0].get_flow("ns", "f", None).await.unwrap().unwrap();
    assert_eq!(newest.revision, 40);
    for revision in 1..=40 {
        assert!(stores[1].get_flow("ns", "f", Some(revision)).await.unwrap().is_some());
    }

    let key = TriggerKey {
        namespace: "ns".into(),
        flow_id: "f".into(),
        trigger_id: "t".into(),
    };
    assert!(stores[0].fire_trigger(&key, None, at(60), None, at(0)).await.unwrap());
    let mut firing = Vec::new();
    for (s, store) in stores.iter().enumerate() {
        let (store, key) = (store.clone(), key.clone());
        firing.push(tokio::spawn(async move {
            let e = execution(&format!("tick-{s}"), "ns", "f", at(60), State::Created);
            store
                .fire_trigger(&key, Some(at(60)), at(120), Some((&e, &Event::Start)), at(60))
                .await
                .unwrap()
        }));
    }
    let mut fired = Vec::new();
    for task in firing {
        fired.push(task.await.unwrap());
    }
    assert_eq!(fired.iter().filter(|f| **f).count(), 1, "{fired:?}");
    assert_eq!(stores[0].pending_events(10).await.unwrap().len(), 1);
    for store in &stores {
        store.close().await;
    }
}

/// Connecting again applies no migration twice; a schema written by a newer Sluice is refused
/// with advice; an unreachable server is a clear error that never shows the password.
#[tokio::test]
async fn migrations_and_connect_errors() {
    let Some(schema) = TestSchema::new().await else { return };
    let store = schema.store().await;
    store.put_flow("ns", "f", "id: f\n").await.unwrap();
    store.close().await;
    let store = schema.store().await;
    assert_eq!(store.get_flow("ns", "f", None).await.unwrap().unwrap().revision, 1);
    store.close().await;
    let mut raw = schema.raw().await;
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
        .fetch_all(&mut raw)
        .await
        .unwrap();
    assert_eq!(
        versions,
        (1..=9).collect::<Vec<i64>>(),
        "each migration is applied once"
    );

    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)")
        .execute(&mut raw)
        .await
        .unwrap();
    let error = PostgresStore::connect_with(schema.options()).await.unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::DatabaseTooNew {
                found: 999,
                known: 9,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("upgrade Sluice"), "{error}");

    let error = PostgresStore::connect("postgres://sluice:hunter2@127.0.0.1:1/nothing")
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Connect { .. }), "{error:?}");
    assert!(error.is_transient(), "a server that does not answer may come back");
    let message = error.to_string();
    assert!(
        message.contains("sluice@127.0.0.1:1/nothing") && !message.contains("hunter2"),
        "{message}"
    );
}

/// Damaged rows are typed errors naming what is wrong, never panics.
#[tokio::test]
async fn corrupt_rows_are_errors_not_panics() {
    let Some(schema) = TestSchema::new().await else { return };
    let store = schema.store().await;
    let e = execution("bad", "ns", "f", t0(), State::Running);
    store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    let line = suite::logs::line("bad", None, 0, Level::Info, "hi".into());
    store.append_logs(&[line]).await.unwrap();
    let mut raw = schema.raw().await;
    for damage in [
        "UPDATE executions SET document = '{\"id\": \"bad\", \"truncated\": true}' WHERE id = 'bad'",
        "UPDATE executions SET state = 'EXPLODED' WHERE id = 'bad'",
        "UPDATE events SET body = '{\"type\": \"noSuchEvent\"}'",
        "UPDATE log_blocks SET lines = '[[1, 42, \"hi\"]]'",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(damage))
            .execute(&mut raw)
            .await
            .unwrap();
    }
    let error = store.get_execution("bad").await.unwrap_err();
    assert!(
        matches!(&error, StoreError::Corrupt { what, .. } if what == "execution bad"),
        "{error:?}"
    );
    let error = store.list_executions(&Default::default()).await.unwrap_err();
    assert!(error.to_string().contains("EXPLODED"), "{error}");
    let error = store.pending_events(10).await.unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
    let error = store.logs(&LogQuery::new("bad", 10)).await.unwrap_err();
    assert!(error.to_string().contains("unknown level 42"), "{error}");
    assert!(!error.is_transient());
    store.close().await;
}

/// Appends 1,000,000 lines of 60 bytes in batches of 4096 and reads pages of 1000, printing rates.
/// `cargo test --release -p sluice-store --test postgres -- --nocapture --ignored bench`
#[tokio::test]
#[ignore = "benchmark: run in release"]
async fn bench_log_append() {
    const LINES: usize = 1_000_000;
    let Some(schema) = TestSchema::new().await else { return };
    let store = schema.store().await;
    let base = suite::logs::line("bench", Some("load"), 1, Level::Info, String::new());
    let lines: Vec<_> = (0..LINES)
        .map(|i| sluice_store::LogLine {
            message: format!("{i:>12} the quick brown fox jumps over the lazy dog 012"),
            ..base.clone()
        })
        .collect();
    let started = std::time::Instant::now();
    for batch in lines.chunks(4096) {
        store.append_logs(batch).await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "appended {LINES} lines in {elapsed:.3} s: {:.0} lines/s",
        LINES as f64 / elapsed
    );
    let started = std::time::Instant::now();
    let mut query = LogQuery::new("bench", 1000);
    for _ in 0..20 {
        query.after_seq = store.logs(&query).await.unwrap().last().map(|l| l.seq);
    }
    println!("read 20 pages of 1000 in {:?}", started.elapsed());
    assert_eq!(store.log_count("bench").await.unwrap(), LINES as u64);
    store.close().await;
}

/// A NUL character, which PostgreSQL's `text` and `jsonb` refuse, survives as SQLite keeps it: in
/// log lines, execution documents, events and job payloads (all stored as `json`).
#[tokio::test]
async fn nul_characters_survive() {
    let Some(schema) = TestSchema::new().await else { return };
    let store = schema.store().await;
    let text = "nul \u{0} bell \u{7} end".to_owned();
    let line = suite::logs::line("nul", Some("t"), 1, Level::Info, text.clone());
    store.append_logs(&[line]).await.unwrap();
    assert_eq!(store.logs(&LogQuery::new("nul", 10)).await.unwrap()[0].message, text);

    let mut e = execution("nul", "ns", "f", t0(), State::Running);
    e.outputs.insert("raw".into(), serde_json::Value::String(text.clone()));
    store.create_execution(&e, &Event::Start, t0()).await.unwrap();
    assert_eq!(store.get_execution("nul").await.unwrap(), Some(e.clone()));
    let mut commit = StepCommit::new(&e);
    let mut nul_job = job("nul", "tr", 1);
    nul_job.payload = serde_json::json!({ "stdin": text });
    commit.enqueue = vec![nul_job.clone()];
    store.commit(&commit).await.unwrap();
    let claimed = store.claim("w", MINUTE, at(1)).await.unwrap().unwrap();
    assert_eq!(claimed.payload, nul_job.payload);
    let ended = Event::AttemptEnded {
        task_run_id: "tr".into(),
        attempt: 1,
        result: sluice_engine::AttemptResult::new(State::Failed, text.as_str()),
    };
    store
        .finish_with_event(claimed.id, "w", "nul", &ended, at(2))
        .await
        .unwrap();
    let events = store.pending_events(10).await.unwrap();
    assert_eq!(events.last().map(|e| &e.event), Some(&ended));
    store.close().await;
}
