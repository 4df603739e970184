//! Tasks that change the execution (Labels, SetVariables, UnsetVariables), the older loops
//! EachSequential and EachParallel, and `afterExecution`, as Kestra's documentation describes
//! them:
//! <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.labels>,
//! <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.setvariables>,
//! <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.unsetvariables>,
//! <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.EachParallel>,
//! <https://kestra.io/docs/workflow-components/afterexecution>.

mod common;

use common::Sim;
use serde_json::{Map, json};
use sluice_engine::{State, render_context};

/// Kestra's UnsetVariables example (which sets them first), with a Log between.
const VARIABLES: &str = r#"
id: variables
namespace: company.team
variables:
  name: World
tasks:
  - id: set_vars
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      message: Hello
      name: Loïc
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ vars.message }} {{ vars.name }}"
  - id: unset_variables
    type: io.kestra.plugin.core.execution.UnsetVariables
    variables:
      - message
      - name
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{ vars.message ?? 'gone' }}"
"#;

#[test]
fn set_variables_changes_vars_for_later_tasks_and_unset_removes_them() {
    let mut sim = Sim::start(VARIABLES);
    assert_eq!(sim.queued_tasks(), ["hello"]);
    assert_eq!(sim.state_of("set_vars"), State::Success);
    let run = sim.exec.task_run(&sim.run_id("hello")).unwrap().clone();
    let context = render_context(&sim.flow, &sim.exec, Some(&run));
    assert_eq!(context["vars"], json!({"name": "Loïc", "message": "Hello"}));
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.queued_tasks(), ["after"]);
    assert_eq!(sim.exec.variables, Some(Map::new()));
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.ended, Some(State::Success));
}

#[test]
fn set_variables_renders_merges_nested_maps_and_can_refuse_to_overwrite() {
    let flow = r#"
id: t
namespace: dev
variables: {db: {host: a, port: 5432}}
tasks:
  - id: set
    type: SetVariables
    variables: {db: {host: "{{ 'b' ~ 'c' }}"}, n: "{{ 1 + 1 }}"}
  - id: again
    type: SetVariables
    overwrite: false
    variables: {n: 3}
"#;
    let sim = Sim::start(flow);
    assert_eq!(
        sim.exec.variables,
        json!({"db": {"host": "bc", "port": 5432}, "n": 2}).as_object().cloned()
    );
    assert_eq!(sim.state_of("again"), State::Failed);
    let reason = sim.exec.task_run(&sim.run_id("again")).unwrap().attempts[0]
        .reason
        .clone();
    assert!(reason.unwrap().contains("would overwrite the variable `n`"));
    assert_eq!(sim.ended, Some(State::Failed));
}

#[test]
fn unset_of_a_missing_variable_fails_unless_ignored() {
    for (ignore, state) in [("false", State::Failed), ("true", State::Success)] {
        let flow = format!(
            "id: t\nnamespace: dev\ntasks:\n  - id: unset\n    type: UnsetVariables\n    ignoreMissing: {ignore}\n    variables: [nope]\n"
        );
        let sim = Sim::start(&flow);
        assert_eq!(sim.ended, Some(state), "ignoreMissing: {ignore}");
    }
}

/// Kestra's Labels example, with the trigger's body given.
const LABELS: &str = r#"
id: webhook_based_labels
namespace: company.team
labels:
  customerId: none
tasks:
  - id: update_labels_with_map
    type: io.kestra.plugin.core.execution.Labels
    labels:
      customerId: "{{ trigger.body.customerId }}"
  - id: by_list
    type: io.kestra.plugin.core.execution.Labels
    labels:
      - key: order_id
        value: "{{ trigger.body.orderId }}"
      - key: order_type
        value: "{{ trigger.body.orderType }}"
"#;

#[test]
fn labels_are_added_or_replaced_at_once() {
    let flow = common::flow(LABELS);
    let now = "2026-11-28T10:00:00Z".parse().unwrap();
    let mut exec = sluice_engine::Execution::new("e".into(), &flow, Map::new(), now);
    exec.trigger = Some(json!({"body": {"customerId": 7, "orderId": "o-1", "orderType": "rush"}}));
    sluice_engine::Engine::new().step(&flow, &mut exec, now, sluice_engine::Event::Start);
    let labels: Vec<(String, String)> = exec.labels.iter().map(|l| (l.key.clone(), l.value.clone())).collect();
    assert_eq!(
        labels,
        [
            ("customerId".to_string(), "7".to_string()),
            ("order_id".into(), "o-1".into()),
            ("order_type".into(), "rush".into())
        ]
    );
    assert_eq!(exec.state.current, State::Success);
}

#[test]
fn system_labels_are_refused() {
    let sim = Sim::start(
        "id: t\nnamespace: dev\ntasks:\n  - id: l\n    type: Labels\n    labels: {system.correlationId: x}\n",
    );
    assert_eq!(sim.ended, Some(State::Failed));
}

#[test]
fn each_sequential_runs_values_one_after_the_other() {
    let flow = r#"
id: each_sequential
namespace: company.team
tasks:
  - id: each
    type: io.kestra.core.tasks.flows.EachSequential
    value: '["value 1", "value 2", "value 3"]'
    tasks:
      - id: a
        type: Log
        message: "{{ taskrun.value }}"
      - id: b
        type: Log
        message: "{{ taskrun.value }}"
"#;
    let mut sim = Sim::start(flow);
    let mut order = Vec::new();
    while !sim.queued.is_empty() {
        assert_eq!(sim.queued.len(), 1, "one at a time");
        order.push(sim.queued_values()[0].clone());
        sim.run_queued(0, State::Success, Map::new());
    }
    let value = |t: &str, v: &str| (t.to_string(), Some(v.to_string()));
    assert_eq!(
        order,
        [
            value("a", "value 1"),
            value("b", "value 1"),
            value("a", "value 2"),
            value("b", "value 2"),
            value("a", "value 3"),
            value("b", "value 3")
        ]
    );
    assert_eq!(sim.ended, Some(State::Success));
}

#[test]
fn each_parallel_runs_every_task_of_every_value_at_once_up_to_concurrent() {
    let flow = |concurrent: u32| {
        format!(
            "id: t\nnamespace: dev\ntasks:\n  - id: each\n    type: EachParallel\n    concurrent: {concurrent}\n    value: '[\"v1\", \"v2\", \"v3\"]'\n    tasks:\n      - {{id: a, type: Log, message: x}}\n      - {{id: b, type: Log, message: x}}\n"
        )
    };
    let sim = Sim::start(&flow(0));
    assert_eq!(sim.queued.len(), 6, "3 values × 2 tasks, all at once");
    let mut sim = Sim::start(&flow(4));
    assert_eq!(sim.queued.len(), 4);
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.queued.len(), 4, "one ended, the next started");
    while !sim.queued.is_empty() {
        sim.run_queued(0, State::Success, Map::new());
    }
    assert_eq!(sim.ended, Some(State::Success));
}

const AFTER: &str = r#"
id: alerts_demo
namespace: company.team
tasks:
  - id: work
    type: io.kestra.plugin.core.log.Log
    message: working
finally:
  - id: cleanup
    type: io.kestra.plugin.core.log.Log
    message: cleanup
afterExecution:
  - id: onSuccess
    runIf: "{{ execution.state == 'SUCCESS' }}"
    type: io.kestra.plugin.core.log.Log
    message: finished successfully
  - id: onFailure
    runIf: "{{ execution.state == 'FAILED' }}"
    type: io.kestra.plugin.core.log.Log
    message: failed
"#;

#[test]
fn after_execution_runs_once_the_final_state_is_known_and_never_changes_it() {
    for (work, expected_task) in [(State::Success, "onSuccess"), (State::Failed, "onFailure")] {
        let final_state = work;
        let mut sim = Sim::start(AFTER);
        sim.run_queued(0, work, Map::new());
        assert_eq!(sim.queued_tasks(), ["cleanup"]);
        sim.run_queued(0, State::Success, Map::new());
        assert_eq!(sim.ended, None, "not ended while afterExecution runs");
        assert_eq!(sim.exec.ending, Some(final_state));
        assert_eq!(sim.queued_tasks(), [expected_task]);
        // A failing afterExecution task leaves the state as it was.
        sim.run_queued(0, State::Failed, Map::new());
        assert_eq!(sim.ended, Some(final_state));
        assert_eq!(sim.exec.state.current, final_state);
        assert_eq!(sim.exec.ending, None);
    }
}

#[test]
fn a_restart_runs_after_execution_again() {
    let mut sim = Sim::start(AFTER);
    sim.run_queued(0, State::Failed, Map::new());
    sim.run_queued(0, State::Success, Map::new());
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.ended, Some(State::Failed));
    sim.ended = None;
    sim.send(sluice_engine::Event::Restart);
    assert_eq!(sim.queued_tasks(), ["work"]);
    sim.run_queued(0, State::Success, Map::new());
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.queued_tasks(), ["onSuccess"]);
    sim.run_queued(0, State::Success, Map::new());
    assert_eq!(sim.ended, Some(State::Success));
}
