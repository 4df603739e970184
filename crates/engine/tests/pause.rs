//! Pause as Kestra's documentation describes it:
//! <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.pause>.

mod common;

use common::Sim;
use serde_json::{Map, json};
use sluice_engine::{Event, State};

fn flow(pause: &str) -> String {
    format!(
        r#"
id: human_in_the_loop
namespace: company.team
tasks:
  - id: before_approval
    type: io.kestra.plugin.core.debug.Return
    format: Output data that needs to be validated by a human
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
    {pause}
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{{{ outputs.pause.onResume.reason }}}}"
"#
    )
}

#[test]
fn a_pause_without_duration_waits_for_a_resume_and_keeps_its_values() {
    let mut sim = Sim::start(&flow(""));
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.state_of("pause"), State::Paused);
    assert_eq!(sim.exec.state.current, State::Paused);
    assert!(sim.queued.is_empty() && sim.timers.is_empty());

    let inputs = json!({"reason": "looks good"}).as_object().unwrap().clone();
    sim.send(Event::Resume { inputs });
    assert_eq!(sim.state_of("pause"), State::Success);
    assert_eq!(sim.exec.state.current, State::Running);
    let run = sim.exec.task_run(&sim.run_id("pause")).unwrap();
    assert_eq!(run.outputs["onResume"]["reason"], "looks good");
    assert_eq!(sim.queued_tasks(), ["after"]);
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.ended, Some(State::Success));
}

#[test]
fn a_pause_duration_resumes_by_itself_and_behavior_decides_how() {
    for (behavior, task_state, ended) in [
        ("", State::Success, None),
        ("behavior: WARN", State::Warning, None),
        ("behavior: FAIL", State::Failed, Some(State::Failed)),
    ] {
        let mut sim = Sim::start(&flow(&format!("pauseDuration: PT5M\n    {behavior}")));
        sim.run_queued(0, State::Success, Map::new());
        assert_eq!(sim.timers.len(), 1, "{behavior}");
        let paused_at = sim.now;
        let at = sim.fire_timer();
        assert_eq!(at.duration_since(paused_at).as_secs(), 300);
        assert_eq!(sim.state_of("pause"), task_state, "{behavior}");
        match ended {
            Some(state) => assert_eq!(sim.ended, Some(state)),
            None => assert_eq!(sim.queued_tasks(), ["after"], "{behavior}"),
        }
    }
}

#[test]
fn the_deprecated_delay_still_resumes_and_a_late_timer_after_a_resume_changes_nothing() {
    let mut sim = Sim::start(&flow("delay: PT1M"));
    sim.run_queued(0, State::Success, Map::new());
    sim.send(Event::Resume { inputs: Map::new() });
    assert_eq!(sim.state_of("pause"), State::Success);
    sim.fire_timer();
    assert_eq!(sim.state_of("pause"), State::Success);
    assert_eq!(sim.queued_tasks(), ["after"]);
}

#[test]
fn killing_a_paused_execution_kills_the_pause() {
    let mut sim = Sim::start(&flow(""));
    sim.run_queued(0, State::Success, Map::new());
    sim.send(Event::Kill);
    assert_eq!(sim.state_of("pause"), State::Killed);
    assert_eq!(sim.ended, Some(State::Killed));
}
