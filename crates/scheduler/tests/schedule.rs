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

/// Ticks a daily 11:00 schedule through the first half of January 2025 (a fake clock, each tick
/// at the fire time) and returns the days of the month it started an execution on.
async fn days_fired(name: &str, conditions: &str) -> Vec<i8> {
    let store = store(name).await;
    let source = flow("0 11 * * *", &format!("    conditions:\n{conditions}"));
    store.put_flow("dev", "nightly", &source).await.unwrap();
    let s = Scheduler::new(store.clone(), Arc::new(Notify::new()));
    s.tick(t("2024-12-31T12:00:00Z")).await.unwrap();
    let mut days = Vec::new();
    for day in 1..=15i8 {
        let at = t(&format!("2025-01-{day:02}T11:00:00.1Z"));
        if !s.tick(at).await.unwrap().is_empty() {
            days.push(day);
        }
    }
    days
}

// Kestra: https://kestra.io/plugins/core/conditions/io.kestra.plugin.core.condition.weekend,
// …/io.kestra.plugin.core.condition.dayweek, …/dayweekinmonth, …/not, …/datetimebetween.
#[tokio::test]
async fn schedule_conditions_hold_back_the_fires_they_exclude() {
    // January 2025 starts on a Wednesday: weekends are the 4–5 and 11–12.
    let weekend = "      - type: io.kestra.plugin.core.condition.Weekend\n";
    assert_eq!(days_fired("weekend", weekend).await, vec![4, 5, 11, 12]);
    let weekdays = "      - type: io.kestra.plugin.core.condition.Not\n        conditions:\n          - type: io.kestra.plugin.core.condition.Weekend\n";
    assert_eq!(
        days_fired("weekdays", weekdays).await,
        vec![1, 2, 3, 6, 7, 8, 9, 10, 13, 14, 15]
    );
    let monday = "      - type: io.kestra.plugin.core.condition.DayWeek\n        dayOfWeek: MONDAY\n";
    assert_eq!(days_fired("monday", monday).await, vec![6, 13]);
    let second_friday = "      - type: io.kestra.core.models.conditions.types.DayWeekInMonthCondition\n        date: \"{{ trigger.date }}\"\n        dayOfWeek: FRIDAY\n        dayInMonth: SECOND\n";
    assert_eq!(days_fired("second-friday", second_friday).await, vec![10]);
    let window = "      - type: io.kestra.plugin.core.condition.DateTimeBetween\n        after: \"2025-01-09T00:00:00Z\"\n        before: \"2025-01-11T00:00:00+01:00\"\n";
    assert_eq!(days_fired("window", window).await, vec![9, 10]);
    let both = format!("{weekend}      - type: io.kestra.plugin.core.condition.DayWeek\n        dayOfWeek: SUNDAY\n");
    assert_eq!(
        days_fired("both", &both).await,
        vec![5, 12],
        "every condition must hold"
    );
}

#[tokio::test]
async fn a_condition_that_needs_an_execution_skips_a_schedule_fire() {
    let status = "      - type: io.kestra.plugin.core.condition.ExecutionStatus\n        in: [FAILED]\n";
    assert_eq!(days_fired("status", status).await, Vec::<i8>::new());
}
