//! Exit, AllowFailure and Dag as Kestra's documentation describes them:
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

/// Kestra's Dag example (<https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.dag>):
/// each task starts once its dependencies ended, independent ones at once.
const DAG: &str = r#"
id: dag_flow
namespace: company.team
tasks:
  - id: dag
    description: "my task"
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: task1
          type: io.kestra.plugin.core.log.Log
          message: I'm the task 1
      - task:
          id: task2
          type: io.kestra.plugin.core.log.Log
          message: I'm the task 2
        dependsOn:
          - task1
      - task:
          id: task3
          type: io.kestra.plugin.core.log.Log
          message: I'm the task 3
        dependsOn:
          - task1
      - task:
          id: task4
          type: io.kestra.plugin.core.log.Log
          message: I'm the task 4
        dependsOn:
          - task2
      - task:
          id: task5
          type: io.kestra.plugin.core.log.Log
          message: I'm the task 5
        dependsOn:
          - task4
          - task3
"#;

#[test]
fn dag_order_follows_the_dependencies() {
    let mut sim = Sim::start(DAG);
    assert_eq!(sim.queued_tasks(), ["task1"]);
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.queued_tasks(), ["task2", "task3"]);
    sim.run_queued(0, State::Success, Map::new());
    // task4 waits only for task2; task5 still waits for task3 and task4.
    assert_eq!(sim.queued_tasks(), ["task3", "task4"]);
    sim.run_queued(1, State::Success, Map::new());
    assert_eq!(sim.queued_tasks(), ["task3"]);
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.queued_tasks(), ["task5"]);
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.ended, Some(State::Success));
}

#[test]
fn a_failed_dag_task_starts_nothing_more_and_fails_the_dag() {
    let mut sim = Sim::start(&DAG.replace("id: dag\n", "id: dag\n    concurrent: 1\n"));
    sim.run_queued(0, State::Success, Map::new());
    // With `concurrent: 1`, task3 waits for task2 to end.
    assert_eq!(sim.queued_tasks(), ["task2"]);
    sim.run_queued(0, State::Failed, Map::new());
    assert!(sim.queued.is_empty());
    assert_eq!(sim.state_of("dag"), State::Failed);
    assert_eq!(sim.ended, Some(State::Failed));
}
