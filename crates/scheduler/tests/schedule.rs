//! Schedules against a real SQLite store: durable next fire times, once per tick, missed fires.

use jiff::{SignedDuration, Timestamp};
use sluice_scheduler::Scheduler;
use sluice_store::{SqliteStore, Store};
use std::sync::Arc;
use tokio::sync::Notify;

async fn store(name: &str) -> Arc<dyn Store> {
    let dir = std::env::temp_dir().join(format!("sluice-sched-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Arc::new(SqliteStore::open(&dir).await.expect("store opens"))
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn flow(cron: &str, extra: &str) -> String {
    format!(
        "id: nightly\nnamespace: dev\ninputs:\n  - {{id: env, type: STRING, defaults: dev}}\ntasks:\n  - {{id: a, type: io.kestra.plugin.core.log.Log, message: hi}}\ntriggers:\n  - id: every\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: \"{cron}\"\n{extra}"
    )
}

#[tokio::test]
async fn a_tick_fires_once_even_with_two_schedulers() {
    let store = store("once").await;
    store
        .put_flow("dev", "nightly", &flow("*/5 * * * *", "    inputs: {env: prod}\n"))
        .await
        .unwrap();
    let a = Scheduler::new(store.clone(), Arc::new(Notify::new()));
    let b = Scheduler::new(store.clone(), Arc::new(Notify::new()));
    assert!(
        a.tick(t("2026-11-28T10:01:00Z")).await.unwrap().is_empty(),
        "the first tick only plans"
    );
    assert_eq!(
        store.trigger_states().await.unwrap()[0].next_fire_at,
        t("2026-11-28T10:05:00Z")
    );
    assert!(a.tick(t("2026-11-28T10:04:59Z")).await.unwrap().is_empty());
    let now = t("2026-11-28T10:05:00.2Z");
    let (x, y) = tokio::join!(a.tick(now), b.tick(now));
    let started: Vec<String> = x.unwrap().into_iter().chain(y.unwrap()).collect();
    assert_eq!(started.len(), 1, "one execution for the 10:05 tick: {started:?}");
    let exec = store.get_execution(&started[0]).await.unwrap().unwrap();
    assert_eq!(exec.inputs["env"], "prod");
    let trigger = exec.trigger.unwrap();
    assert_eq!(trigger["date"], "2026-11-28T10:05:00+00:00");
    assert_eq!(trigger["next"], "2026-11-28T10:10:00+00:00");
    assert!(a.tick(now + SignedDuration::from_secs(1)).await.unwrap().is_empty());
    assert!(
        store
            .pending_events(10)
            .await
            .unwrap()
            .iter()
            .any(|e| e.execution_id == started[0]),
        "started by an event"
    );
}

#[tokio::test]
async fn missed_fires_are_skipped_by_default_once_with_last_and_each_with_all() {
    for (extra, expected) in [
        ("", vec![0, 0, 0]),
        ("    recoverMissedSchedules: LAST\n", vec![1, 0, 0]),
        ("    recoverMissedSchedules: ALL\n", vec![1, 1, 1]),
        ("    recoverMissedSchedules: NONE\n", vec![0, 0, 0]),
    ] {
        let store = store("missed").await;
        store
            .put_flow("dev", "nightly", &flow("0 * * * *", extra))
            .await
            .unwrap();
        let s = Scheduler::new(store.clone(), Arc::new(Notify::new()));
        s.tick(t("2026-11-28T09:30:00Z")).await.unwrap();
        // Down from 09:30 to 12:30: the 10:00, 11:00 and 12:00 fires were missed.
        let mut counts = Vec::new();
        for i in 0..3 {
            counts.push(
                s.tick(t("2026-11-28T12:30:00Z") + SignedDuration::from_secs(i))
                    .await
                    .unwrap()
                    .len(),
            );
        }
        assert_eq!(counts, expected, "{extra}");
    }
}

#[tokio::test]
async fn time_zones_disabled_triggers_and_removed_triggers() {
    let store = store("tz").await;
    let paris = jiff::tz::TimeZone::get("Europe/Paris").is_ok();
    let zone = if paris { "    timezone: Europe/Paris\n" } else { "" };
    store
        .put_flow("dev", "nightly", &flow("0 2 * * *", zone))
        .await
        .unwrap();
    let s = Scheduler::new(store.clone(), Arc::new(Notify::new()));
    s.tick(t("2026-11-28T00:00:00Z")).await.unwrap();
    let expected = if paris {
        "2026-11-28T01:00:00Z"
    } else {
        "2026-11-28T02:00:00Z"
    };
    assert_eq!(
        store.trigger_states().await.unwrap()[0].next_fire_at,
        t(expected),
        "02:00 in the trigger's zone"
    );
    store
        .put_flow("dev", "nightly", &flow("0 2 * * *", "    disabled: true\n"))
        .await
        .unwrap();
    assert!(
        s.tick(t("2026-11-29T03:00:00Z")).await.unwrap().is_empty(),
        "a disabled trigger does not fire"
    );
    assert!(
        store.trigger_states().await.unwrap().is_empty(),
        "and its state is dropped"
    );
}
