//! LoopUntil as Kestra's documentation describes it:
//! <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.loopuntil>.

mod common;

use common::Sim;
use serde_json::{Map, json};
use sluice_engine::{State, render_context};

/// Kestra's example, with the round's Return output computed as the worker would.
const LOOP: &str = r#"
id: loop_until
namespace: company.team
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.LoopUntil
    condition: "{{ outputs.return.value == '4' }}"
    checkFrequency:
      interval: PT5S
    tasks:
      - id: return
        type: io.kestra.plugin.core.debug.Return
        format: "{{ outputs.loop.iterationCount }}"
"#;

/// Runs the queued Return the way the worker would render it.
fn run_return(sim: &mut Sim) {
    let (id, _) = sim.queued[0].clone();
    let run = sim.exec.task_run(&id).unwrap().clone();
    let context = render_context(&sim.flow, &sim.exec, Some(&run));
    let value = context["outputs"]["loop"]["iterationCount"].to_string();
    let outputs: Map<_, _> = json!({ "value": value }).as_object().unwrap().clone();
    sim.run_queued(0, State::Success, outputs);
}

#[test]
fn loop_until_runs_rounds_until_the_condition_is_true() {
    let mut sim = Sim::start(LOOP);
    for round in 1..=4u32 {
        assert_eq!(sim.queued_tasks(), ["return"], "round {round}");
        run_return(&mut sim);
        if round < 4 {
            assert!(sim.queued.is_empty());
            let before = sim.now;
            let at = sim.fire_timer();
            assert_eq!(at.duration_since(before).as_secs(), 5, "interval");
        }
    }
    assert_eq!(sim.ended, Some(State::Success));
    let runs: Vec<_> = sim
        .exec
        .task_run_list
        .iter()
        .filter(|r| r.task_id == "return")
        .collect();
    assert_eq!(runs.len(), 4);
    let iterations: Vec<_> = runs.iter().map(|r| r.iteration).collect();
    assert_eq!(iterations, [Some(1), Some(2), Some(3), Some(4)]);
    let loop_run = sim.exec.task_run(&sim.run_id("loop")).unwrap();
    assert_eq!(loop_run.outputs["iterationCount"], json!(4));
}

#[test]
fn a_loop_that_reaches_max_iterations_ends_and_fails_only_when_asked() {
    for (fail, ended) in [(false, State::Success), (true, State::Failed)] {
        let flow = LOOP
            .replace("interval: PT5S", "interval: PT1S\n      maxIterations: 2")
            .replace("'4'", "'never'")
            .replace("    tasks:", &format!("    failOnMaxReached: {fail}\n    tasks:"));
        let mut sim = Sim::start(&flow);
        run_return(&mut sim);
        sim.fire_timer();
        run_return(&mut sim);
        assert!(sim.timers.is_empty() && sim.queued.is_empty());
        assert_eq!(sim.ended, Some(ended), "failOnMaxReached: {fail}");
    }
}

#[test]
fn a_failed_round_fails_the_loop() {
    let mut sim = Sim::start(LOOP);
    sim.run_queued(0, State::Failed, Map::new());
    assert_eq!(sim.ended, Some(State::Failed));
    assert!(sim.timers.is_empty());
}
