//! Exit and AllowFailure as Kestra's documentation describes them:
//! <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.exit>,
//! <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.allowfailure>.

mod common;

use common::Sim;
use serde_json::Map;
use sluice_engine::{Command, State};

#[test]
fn allow_failure_turns_a_failed_child_into_a_warning_and_the_flow_goes_on() {
    let flow = r#"
id: allow_failure
namespace: company.team
tasks:
  - id: allow_failure
    type: io.kestra.plugin.core.flow.AllowFailure
    tasks:
      - id: fail_silently
        type: io.kestra.plugin.scripts.shell.Commands
        commands: [exit 1]
      - id: never
        type: io.kestra.plugin.core.log.Log
        message: never
  - id: print_to_console
    type: io.kestra.plugin.core.log.Log
    message: "the flow goes on"
"#;
    let mut sim = Sim::start(flow);
    sim.run_queued(0, State::Failed, Map::new());
    assert_eq!(sim.state_of("allow_failure"), State::Warning);
    assert_eq!(sim.queued_tasks(), ["print_to_console"]);
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.ended, Some(State::Warning));
    assert!(sim.exec.task_run_list.iter().all(|r| r.task_id != "never"));
}

fn exit_flow(state: &str) -> String {
    format!(
        r#"
id: exit
namespace: company.team
tasks:
  - id: parallel
    type: Parallel
    tasks:
      - id: long
        type: shell.Commands
        commands: [sleep 60]
      - id: seq
        type: Sequential
        tasks:
          - id: exit
            type: io.kestra.plugin.core.execution.Exit
            state: {state}
          - id: after_exit
            type: Log
            message: never
"#
    )
}

#[test]
fn exit_ends_the_execution_in_its_state_and_starts_nothing_more() {
    for (written, state) in [
        ("SUCCESS", State::Success),
        ("WARNING", State::Warning),
        ("FAILED", State::Failed),
        ("CANCELED", State::Cancelled),
    ] {
        let sim = Sim::start(&exit_flow(written));
        assert_eq!(sim.ended, Some(state), "{written}");
        assert_eq!(sim.exec.state.current, state);
        assert!(
            sim.exec.task_run_list.iter().all(|r| r.task_id != "after_exit"),
            "{written}"
        );
        assert!(
            !sim.log.iter().any(|c| matches!(c, Command::Kill { .. })),
            "{written} kills nothing"
        );
    }
}

#[test]
fn exit_killed_stops_the_running_tasks() {
    let mut sim = Sim::start(&exit_flow("KILLED"));
    // `long` was only queued: it is killed at once, and so is the execution.
    assert!(sim.log.iter().any(|c| matches!(c, Command::Kill { .. })));
    assert_eq!(sim.state_of("long"), State::Killed);
    assert_eq!(sim.ended, Some(State::Killed));
    assert!(sim.queued.is_empty());
    sim.send(sluice_engine::Event::Kill);
    assert_eq!(sim.exec.state.current, State::Killed);
}
