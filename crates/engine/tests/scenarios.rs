//! The engine's behaviour, scenario by scenario, named after what a user relies on.

mod common;

use common::Sim;
use sluice_engine::{Command, Event, State};

const SEQ: &str = r#"
id: seq
namespace: dev
tasks:
  - {id: a, type: shell.Commands, commands: ["true"]}
  - {id: b, type: shell.Commands, commands: ["true"]}
  - {id: c, type: shell.Commands, commands: ["true"]}
"#;

#[test]
fn sequential_tasks_start_one_after_the_other() {
    let mut sim = Sim::start(SEQ);
    assert_eq!(sim.exec.state.current, State::Running);
    assert_eq!(sim.queued_tasks(), ["a"]);
    sim.run_task("a", State::Success);
    assert_eq!(sim.queued_tasks(), ["b"]);
    sim.run_task("b", State::Success);
    sim.run_task("c", State::Success);
    assert_eq!(sim.ended, Some(State::Success));
    assert_eq!(sim.exec.task_run_list.len(), 3);
}

#[test]
fn a_failed_task_stops_the_list_and_fails_the_execution() {
    let mut sim = Sim::start(SEQ);
    sim.run_task("a", State::Failed);
    assert!(sim.queued.is_empty());
    assert_eq!(sim.ended, Some(State::Failed));
}

#[test]
fn exponential_retry_waits_the_right_delays_and_warns_on_retry() {
    let mut sim = Sim::start(
        r#"
id: retry
namespace: dev
tasks:
  - id: flaky
    type: shell.Commands
    commands: ["exit 1"]
    retry: {type: exponential, interval: PT0.2S, maxInterval: PT1S, maxAttempts: 5, warningOnRetry: true}
"#,
    );
    let t0 = sim.now;
    sim.run_task("flaky", State::Failed);
    assert_eq!(sim.state_of("flaky"), State::Retrying);
    let first = sim.fire_timer();
    assert_eq!(first.duration_since(t0).as_millis(), 200);
    sim.run_task("flaky", State::Failed);
    let second = sim.fire_timer();
    assert_eq!(second.duration_since(first).as_millis(), 400);
    sim.run_task("flaky", State::Success);
    assert_eq!(sim.ended, Some(State::Warning));
    let run = sim.exec.task_run(&sim.run_id("flaky")).unwrap();
    let states: Vec<State> = run.attempts.iter().map(|a| a.state.current).collect();
    assert_eq!(states, [State::Failed, State::Failed, State::Success]);
}

#[test]
fn max_attempts_bounds_retries_and_the_older_spelling_counts_too() {
    let mut sim = Sim::start(
        r#"
id: retry
namespace: dev
tasks:
  - id: broken
    type: shell.Commands
    commands: ["exit 1"]
    retry: {type: constant, interval: PT1S, maxAttempt: 3}
"#,
    );
    for _ in 0..2 {
        sim.run_task("broken", State::Failed);
        sim.fire_timer();
    }
    sim.run_task("broken", State::Failed);
    assert!(sim.timers.is_empty());
    assert_eq!(sim.ended, Some(State::Failed));
    assert_eq!(sim.exec.task_run(&sim.run_id("broken")).unwrap().attempts.len(), 3);
}

#[test]
fn max_duration_stops_retries_that_would_start_too_late() {
    let mut sim = Sim::start(
        r#"
id: retry
namespace: dev
tasks:
  - id: slow
    type: shell.Commands
    commands: ["exit 1"]
    retry: {type: constant, interval: PT10S, maxDuration: PT15S}
"#,
    );
    sim.run_task("slow", State::Failed);
    sim.fire_timer();
    sim.start_task("slow");
    sim.advance_ms(3_000);
    sim.end_task("slow", State::Failed);
    assert_eq!(sim.ended, Some(State::Failed), "13 s + 10 s is past PT15S");
}

#[test]
fn allow_failure_turns_a_failure_into_a_warning_and_goes_on() {
    let mut sim = Sim::start(
        r#"
id: allow
namespace: dev
tasks:
  - {id: a, type: shell.Commands, commands: ["exit 1"], allowFailure: true}
  - {id: b, type: shell.Commands, commands: ["true"]}
"#,
    );
    sim.run_task("a", State::Failed);
    assert_eq!(sim.state_of("a"), State::Failed);
    sim.run_task("b", State::Success);
    assert_eq!(sim.ended, Some(State::Warning));
}

#[test]
fn allow_warning_turns_a_warning_into_success() {
    let mut sim = Sim::start(
        r#"
id: allow
namespace: dev
tasks:
  - {id: a, type: shell.Commands, commands: ["true"], allowWarning: true}
"#,
    );
    sim.run_task("a", State::Warning);
    assert_eq!(sim.ended, Some(State::Success));
}

#[test]
fn errors_run_on_failure_and_finally_always() {
    let yaml = r#"
id: branches
namespace: dev
tasks:
  - {id: main, type: shell.Commands, commands: ["exit 1"]}
errors:
  - {id: on_error, type: io.kestra.plugin.core.log.Log, message: failed}
finally:
  - {id: cleanup, type: io.kestra.plugin.core.log.Log, message: done}
"#;
    let mut sim = Sim::start(yaml);
    sim.run_task("main", State::Failed);
    assert_eq!(sim.queued_tasks(), ["on_error"]);
    sim.run_task("on_error", State::Success);
    assert_eq!(sim.queued_tasks(), ["cleanup"]);
    sim.run_task("cleanup", State::Success);
    assert_eq!(sim.ended, Some(State::Failed));

    let mut ok = Sim::start(yaml);
    ok.run_task("main", State::Success);
    assert_eq!(ok.queued_tasks(), ["cleanup"], "errors only run after a failure");
    ok.run_task("cleanup", State::Success);
    assert_eq!(ok.ended, Some(State::Success));
}

#[test]
fn parallel_starts_everything_or_up_to_concurrent() {
    let yaml = |concurrent: u32| {
        format!(
            r#"
id: par
namespace: dev
tasks:
  - id: p
    type: io.kestra.plugin.core.flow.Parallel
    concurrent: {concurrent}
    tasks:
      - {{id: x, type: shell.Commands, commands: ["sleep 1"]}}
      - {{id: y, type: shell.Commands, commands: ["sleep 1"]}}
      - {{id: z, type: shell.Commands, commands: ["sleep 1"]}}
  - {{id: after, type: shell.Commands, commands: ["true"]}}
"#
        )
    };
    let mut all = Sim::start(&yaml(0));
    assert_eq!(all.queued_tasks(), ["x", "y", "z"]);
    let mut two = Sim::start(&yaml(2));
    assert_eq!(two.queued_tasks(), ["x", "y"]);
    two.run_task("y", State::Success);
    assert_eq!(two.queued_tasks(), ["x", "z"]);
    for t in ["x", "z"] {
        two.run_task(t, State::Success);
    }
    assert_eq!(two.state_of("p"), State::Success);
    assert_eq!(two.queued_tasks(), ["after"]);
    for t in ["x", "y", "z"] {
        all.run_task(t, State::Success);
    }
    let p = all.exec.task_run(&all.run_id("x")).unwrap().parent_task_run_id.clone();
    assert_eq!(p, Some(all.run_id("p")));
}

#[test]
fn sequential_flowable_runs_children_in_order() {
    let mut sim = Sim::start(
        r#"
id: nested
namespace: dev
tasks:
  - id: s
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - {id: one, type: shell.Commands, commands: ["true"]}
      - {id: two, type: shell.Commands, commands: ["true"]}
"#,
    );
    assert_eq!(sim.queued_tasks(), ["one"]);
    sim.run_task("one", State::Success);
    assert_eq!(sim.queued_tasks(), ["two"]);
    sim.run_task("two", State::Failed);
    assert_eq!(sim.state_of("s"), State::Failed);
    assert_eq!(sim.ended, Some(State::Failed));
}

#[test]
fn disabled_and_false_run_if_are_skipped() {
    let mut sim = Sim::start(
        r#"
id: skip
namespace: dev
inputs:
  - {id: go, type: BOOLEAN, defaults: false}
tasks:
  - {id: off, type: shell.Commands, commands: ["true"], disabled: true}
  - {id: maybe, type: shell.Commands, commands: ["true"], runIf: "{{ execution.id == 'nope' }}"}
  - {id: yes, type: shell.Commands, commands: ["true"], runIf: "{{ flow.id == 'skip' }}"}
"#,
    );
    assert_eq!(sim.state_of("off"), State::Skipped);
    assert_eq!(sim.state_of("maybe"), State::Skipped);
    assert_eq!(sim.queued_tasks(), ["yes"]);
    sim.run_task("yes", State::Success);
    assert_eq!(sim.ended, Some(State::Success));
}

#[test]
fn kill_stops_running_tasks_and_drops_queued_ones() {
    let mut sim = Sim::start(
        r#"
id: kill
namespace: dev
tasks:
  - id: p
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - {id: running, type: shell.Commands, commands: ["sleep 30"]}
      - {id: waiting, type: shell.Commands, commands: ["sleep 30"]}
finally:
  - {id: never, type: io.kestra.plugin.core.log.Log, message: x}
"#,
    );
    sim.start_task("running");
    let commands = sim.send(Event::Kill);
    let running_id = sim.run_id("running");
    assert!(commands.contains(&Command::Kill {
        task_run_id: running_id
    }));
    assert_eq!(sim.exec.state.current, State::Killing);
    assert_eq!(sim.state_of("waiting"), State::Killed);
    assert!(sim.queued.is_empty());
    sim.end_task("running", State::Killed);
    assert_eq!(sim.ended, Some(State::Killed));
    assert_eq!(sim.state_of("p"), State::Killed);
    assert!(sim.exec.task_run_list.iter().all(|r| r.task_id != "never"));
}

#[test]
fn stale_and_duplicate_events_change_nothing() {
    let mut sim = Sim::start(SEQ);
    sim.run_task("a", State::Success);
    let before = sim.exec.clone();
    let a = sim.run_id("a");
    let result = sluice_engine::AttemptResult::new(State::Failed, "late");
    assert!(
        sim.send(Event::AttemptEnded {
            task_run_id: a.clone(),
            attempt: 1,
            result
        })
        .is_empty()
    );
    assert!(
        sim.send(Event::TimerFired {
            task_run_id: a.clone(),
            attempt: 2
        })
        .is_empty()
    );
    assert!(sim.send(Event::Start).is_empty());
    assert_eq!(sim.exec, before);
    assert_eq!(
        sim.send(Event::AttemptStarted {
            task_run_id: a.clone(),
            attempt: 1,
            handle: None
        }),
        [Command::Kill { task_run_id: a }]
    );
}

#[test]
fn flow_retry_creates_a_new_execution() {
    let mut sim = Sim::start(
        r#"
id: flow-retry
namespace: dev
retry: {type: constant, interval: PT5M, maxAttempts: 2, behavior: CREATE_NEW_EXECUTION}
tasks:
  - {id: a, type: shell.Commands, commands: ["exit 1"]}
"#,
    );
    sim.run_task("a", State::Failed);
    assert_eq!(sim.ended, Some(State::Retried));
    assert!(sim.log.iter().any(|c| matches!(c, Command::Retry { .. })));
}

#[test]
fn each_attempt_records_its_own_state_times_and_reason() {
    let mut sim = Sim::start(
        r#"
id: attempts
namespace: dev
tasks:
  - {id: a, type: shell.Commands, commands: ["x"], retry: {type: constant, interval: PT1S, maxAttempts: 2}}
"#,
    );
    sim.start_task("a");
    sim.advance_ms(500);
    sim.end_task("a", State::Failed);
    sim.fire_timer();
    sim.run_task("a", State::Success);
    let run = sim.exec.task_run(&sim.run_id("a")).unwrap();
    assert_eq!(run.attempts.len(), 2);
    let first = &run.attempts[0];
    assert_eq!(first.exit_code, Some(1));
    assert_eq!(first.handle.as_deref(), Some("pid:1"));
    let (start, end) = (first.state.first(State::Running).unwrap(), first.state.end().unwrap());
    assert_eq!(end.duration_since(start).as_millis(), 500);
    assert!(run.attempts[1].state.start().unwrap() >= end);
}

#[test]
fn restart_reruns_failed_tasks_then_the_rest_and_finally_again() {
    let mut sim = Sim::start(
        r#"
id: restart
namespace: dev
tasks:
  - {id: a, type: shell.Commands, commands: ["true"]}
  - {id: b, type: shell.Commands, commands: ["exit 1"]}
  - {id: c, type: shell.Commands, commands: ["true"]}
finally:
  - {id: f, type: io.kestra.plugin.core.log.Log, message: done}
"#,
    );
    sim.run_task("a", State::Success);
    sim.run_task("b", State::Failed);
    sim.run_task("f", State::Success);
    assert_eq!(sim.ended, Some(State::Failed));
    assert!(
        sim.send(Event::Restart)
            .iter()
            .any(|c| matches!(c, Command::Run { attempt: 2, .. }))
    );
    assert_eq!(sim.exec.state.current, State::Running);
    assert!(sim.exec.state.histories.iter().any(|h| h.state == State::Restarted));
    assert_eq!(sim.queued_tasks(), ["b"]);
    sim.run_task("b", State::Success);
    sim.run_task("c", State::Success);
    sim.run_task("f", State::Success);
    assert_eq!(sim.ended, Some(State::Success));
    assert_eq!(sim.exec.task_run(&sim.run_id("b")).unwrap().attempts.len(), 2);
    assert_eq!(
        sim.exec.task_run(&sim.run_id("a")).unwrap().attempts.len(),
        1,
        "successes are kept"
    );
    let mut done = Sim::start(SEQ);
    for t in ["a", "b", "c"] {
        done.run_task(t, State::Success);
    }
    assert!(
        done.send(Event::Restart).is_empty(),
        "a successful execution is not restarted"
    );
}

#[test]
fn a_failure_no_retry_can_change_is_not_retried() {
    let mut sim = Sim::start(
        r#"
id: final
namespace: dev
tasks:
  - {id: a, type: shell.Commands, commands: ["x"], retry: {type: constant, interval: PT5M, maxAttempts: 3}}
"#,
    );
    sim.start_task("a");
    let id = sim.run_id("a");
    sim.running.clear();
    let result = sluice_engine::AttemptResult::new(State::Failed, "unsupported").final_failure();
    sim.send(Event::AttemptEnded {
        task_run_id: id,
        attempt: 1,
        result,
    });
    assert!(sim.timers.is_empty());
    assert_eq!(sim.ended, Some(State::Failed));
}

#[test]
fn an_attempt_reports_child_task_runs_and_a_retry_replaces_them() {
    let mut sim = Sim::start(
        r#"
id: dbt
namespace: dev
tasks:
  - id: build
    type: io.kestra.plugin.dbt.cli.DbtCLI
    commands: [dbt build]
    retry: {type: constant, interval: PT1S, maxAttempts: 2}
  - {id: after, type: shell.Commands, commands: ["true"]}
"#,
    );
    let t = |s: &str| -> jiff::Timestamp { s.parse().unwrap() };
    let child = |id: &str, state: State| sluice_engine::ChildRun {
        task_id: id.into(),
        state,
        created: t("2026-11-28T10:00:01Z"),
        started: Some(t("2026-11-28T10:00:02Z")),
        ended: Some(t("2026-11-28T10:00:03Z")),
        reason: Some(format!("{id} said so")),
        outputs: Default::default(),
    };
    sim.start_task("build");
    sim.end_task_with(
        "build",
        State::Failed,
        vec![
            child("model.shop.orders", State::Success),
            child("test.shop.not_null", State::Failed),
        ],
    );
    let parent = sim.run_id("build");
    let children: Vec<_> = sim
        .exec
        .task_run_list
        .iter()
        .filter(|r| r.parent_task_run_id.as_deref() == Some(parent.as_str()))
        .collect();
    assert_eq!(children.len(), 2);
    let test = children.iter().find(|r| r.task_id == "test.shop.not_null").unwrap();
    assert_eq!(test.state.current, State::Failed);
    assert_eq!(test.state.first(State::Running), Some(t("2026-11-28T10:00:02Z")));
    assert_eq!(test.state.end(), Some(t("2026-11-28T10:00:03Z")));
    assert_eq!(test.attempts[0].reason.as_deref(), Some("test.shop.not_null said so"));
    assert!(
        sim.ended.is_none(),
        "the failed children do not end the execution; the retry runs"
    );
    sim.fire_timer();
    sim.start_task("build");
    sim.end_task_with(
        "build",
        State::Success,
        vec![child("model.shop.orders", State::Success)],
    );
    let children = sim
        .exec
        .task_run_list
        .iter()
        .filter(|r| r.parent_task_run_id.as_deref() == Some(parent.as_str()))
        .count();
    assert_eq!(children, 1, "the retry's report replaces the first one");
    sim.run_task("after", State::Success);
    assert_eq!(sim.ended, Some(State::Success));
}
