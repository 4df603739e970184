//! Replay from a task run and a change of a task run's state, as Kestra's replay and "change
//! state" do (<https://kestra.io/docs/concepts/replay>).

mod common;

use common::Sim;
use serde_json::{Map, json};
use sluice_engine::{Engine, Event, Execution, State, replay_from};

const FLOW: &str = r#"
id: steps
namespace: dev
tasks:
  - id: extract
    type: Log
    message: x
  - id: each
    type: ForEach
    values: [a, b]
    tasks:
      - id: load
        type: Log
        message: "{{ taskrun.value }}"
  - id: report
    type: Log
    message: done
errors:
  - id: alert
    type: Log
    message: failed
"#;

/// A finished execution in which `load` failed for value `b`.
fn failed_run() -> Sim {
    let mut sim = Sim::start(FLOW);
    let mut outputs = Map::new();
    outputs.insert("rows".into(), json!(42));
    sim.run_queued(0, State::Success, outputs);
    sim.run_queued(0, State::Success, Map::new());
    sim.run_queued(0, State::Failed, Map::new());
    assert_eq!(sim.queued_tasks(), ["alert"]);
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.ended, Some(State::Failed));
    sim
}

#[test]
fn a_replay_from_a_task_run_keeps_what_ran_before_and_runs_the_rest_again() {
    let old = failed_run().exec;
    let load_b = old
        .task_run_list
        .iter()
        .find(|r| r.task_id == "load" && r.value.as_deref() == Some("b"))
        .unwrap()
        .id
        .clone();
    let flow = common::flow(FLOW);
    let now = "2026-11-28T11:00:00Z".parse().unwrap();
    let mut new = Execution::new("exec2".into(), &flow, Map::new(), now);
    replay_from(&old, &mut new, &load_b, now).unwrap();
    let commands = Engine::new().step(&flow, &mut new, now, Event::Start);
    let extract = new.task_run_list.iter().find(|r| r.task_id == "extract").unwrap();
    assert_eq!(extract.state.current, State::Success);
    assert_eq!(extract.outputs["rows"], 42, "outputs of kept task runs stay");
    assert_eq!(extract.execution_id, "exec2");
    let queued: Vec<_> = commands
        .iter()
        .filter_map(|c| match c {
            sluice_engine::Command::Run { task_run_id, .. } => new.task_run(task_run_id),
            _ => None,
        })
        .map(|r| (r.task_id.clone(), r.value.clone()))
        .collect();
    assert_eq!(
        queued,
        [("load".to_string(), Some("b".to_string()))],
        "only load b runs again"
    );
    assert!(
        new.task_run_list.iter().all(|r| r.task_id != "alert"),
        "errors are not kept"
    );
    let err = replay_from(&old, &mut new, "nope", now).unwrap_err();
    assert!(err.contains("no task run `nope`"), "{err}");
}

#[test]
fn changing_a_failed_task_run_to_success_lets_the_execution_go_on() {
    let mut sim = failed_run();
    let load_b = sim
        .exec
        .task_run_list
        .iter()
        .find(|r| r.task_id == "load" && r.value.as_deref() == Some("b"))
        .unwrap()
        .id
        .clone();
    sim.ended = None;
    sim.send(Event::ChangeTaskRunState {
        task_run_id: load_b,
        state: State::Success,
    });
    assert_eq!(sim.exec.state.current, State::Running);
    assert_eq!(sim.queued_tasks(), ["report"]);
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.ended, Some(State::Success));
    assert_eq!(sim.state_of("each"), State::Success);
    assert!(sim.exec.task_run_list.iter().all(|r| r.task_id != "alert"));
}
