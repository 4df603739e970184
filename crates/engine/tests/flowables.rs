//! If, Switch and ForEach as Kestra's documentation describes them:
//! <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.if>,
//! <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.switch>,
//! <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.foreach>.

mod common;

use common::Sim;
use serde_json::{Map, Value, json};
use sluice_engine::{State, render_context};

fn inputs(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn done() -> Map<String, Value> {
    Map::new()
}

/// Kestra's own If example.
const IF: &str = r#"
id: if
namespace: company.team
inputs:
  - id: string
    type: STRING
    required: true
tasks:
  - id: if
    type: io.kestra.plugin.core.flow.If
    condition: "{{ inputs.string == 'Condition' }}"
    then:
      - id: when_true
        type: io.kestra.plugin.core.log.Log
        message: "Condition was true"
    else:
      - id: when_false
        type: io.kestra.plugin.core.log.Log
        message: "Condition was false"
"#;

#[test]
fn if_runs_then_or_else_and_keeps_the_evaluation() {
    let mut sim = Sim::start_with(IF, inputs(json!({"string": "Condition"})));
    assert_eq!(sim.queued_tasks(), ["when_true"]);
    sim.run_queued(0, State::Success, done());
    assert_eq!(sim.ended, Some(State::Success));
    assert_eq!(
        sim.exec.task_run(&sim.run_id("if")).unwrap().outputs["evaluationResult"],
        json!(true)
    );
    assert_eq!(sim.state_of("if"), State::Success);

    let mut sim = Sim::start_with(IF, inputs(json!({"string": "other"})));
    assert_eq!(sim.queued_tasks(), ["when_false"]);
    sim.run_queued(0, State::Success, done());
    assert_eq!(sim.ended, Some(State::Success));
}

#[test]
fn if_truth_is_kestras_false_0_minus_0_and_empty() {
    for (text, truth) in [
        ("false", false),
        ("0", false),
        ("-0", false),
        ("", false),
        (" false ", false),
    ]
    .into_iter()
    .chain([("False", true), ("no", true), ("1", true), ("null", true)])
    {
        let flow = r#"
id: t
namespace: dev
inputs: [{id: c, type: STRING, required: false}]
tasks:
  - id: if
    type: If
    condition: "{{ inputs.c }}"
    then: [{id: yes, type: Log, message: y}]
"#;
        let mut sim = Sim::start_with(flow, inputs(json!({ "c": text })));
        assert_eq!(!sim.queued.is_empty(), truth, "condition {text:?}");
        if !truth {
            // No else: the If ends at once, successfully.
            assert_eq!(sim.ended, Some(State::Success), "condition {text:?}");
        } else {
            sim.run_queued(0, State::Success, done());
        }
    }
}

#[test]
fn a_failed_child_runs_the_flowables_errors_and_the_flowable_still_fails() {
    let flow = r#"
id: t
namespace: dev
tasks:
  - id: if
    type: io.kestra.plugin.core.flow.If
    condition: "true"
    then: [{id: bad, type: Log, message: x}]
    errors: [{id: cleanup, type: Log, message: x}]
    finally: [{id: always, type: Log, message: x}]
  - id: after
    type: Log
    message: never
"#;
    let mut sim = Sim::start(flow);
    sim.run_queued(0, State::Failed, done());
    assert_eq!(sim.queued_tasks(), ["cleanup"]);
    sim.run_queued(0, State::Success, done());
    assert_eq!(sim.queued_tasks(), ["always"]);
    sim.run_queued(0, State::Success, done());
    assert_eq!(sim.state_of("if"), State::Failed);
    assert_eq!(sim.ended, Some(State::Failed));
    assert!(sim.exec.task_run_list.iter().all(|r| r.task_id != "after"));
}

const SWITCH: &str = r#"
id: switch
namespace: company.team
inputs:
  - id: string
    type: STRING
    required: true
tasks:
  - id: switch
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ inputs.string }}"
    cases:
      FIRST:
        - id: first
          type: io.kestra.plugin.core.debug.Return
          format: "{{ task.id }} > {{ taskrun.startDate }}"
      SECOND:
        - id: second
          type: io.kestra.plugin.core.debug.Return
          format: "{{ task.id }} > {{ taskrun.startDate }}"
    defaults:
      - id: default
        type: io.kestra.plugin.core.debug.Return
        format: "{{ task.id }} > {{ taskrun.startDate }}"
"#;

#[test]
fn switch_runs_the_matching_case_or_the_defaults() {
    for (value, task, defaults) in [
        ("FIRST", "first", false),
        ("SECOND", "second", false),
        ("first", "default", true),
    ] {
        let mut sim = Sim::start_with(SWITCH, inputs(json!({ "string": value })));
        assert_eq!(sim.queued_tasks(), [task], "value {value}");
        sim.run_queued(0, State::Success, done());
        assert_eq!(sim.ended, Some(State::Success));
        let outputs = &sim.exec.task_run(&sim.run_id("switch")).unwrap().outputs;
        assert_eq!(outputs["value"], json!(value));
        assert_eq!(outputs["defaults"], json!(defaults));
    }
}

#[test]
fn switch_without_a_match_or_defaults_fails_and_says_why() {
    let flow = r#"
id: t
namespace: dev
tasks:
  - id: switch
    type: Switch
    value: "THIRD"
    cases:
      FIRST: [{id: first, type: Log, message: x}]
"#;
    let sim = Sim::start(flow);
    assert_eq!(sim.ended, Some(State::Failed));
    let run = sim.exec.task_run(&sim.run_id("switch")).unwrap();
    let reason = run.attempts[0].reason.as_deref().unwrap();
    assert!(reason.contains("`THIRD`") && reason.contains("defaults"), "{reason}");
}

fn for_each(values: &str, limit: Option<u32>) -> String {
    let limit = limit.map(|l| format!("concurrencyLimit: {l}")).unwrap_or_default();
    format!(
        r#"
id: t
namespace: dev
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: {values}
    {limit}
    tasks:
      - id: one
        type: Log
        message: "{{{{ taskrun.value }}}}"
      - id: two
        type: Log
        message: "{{{{ taskrun.value }}}}"
  - id: after
    type: Log
    message: done
"#
    )
}

fn value(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn for_each_runs_values_one_at_a_time_by_default_and_tasks_in_order() {
    let mut sim = Sim::start(&for_each(r#"["a", "b", "a"]"#, None));
    assert_eq!(sim.queued_values(), [("one".into(), value("a"))]);
    sim.run_queued(0, State::Success, done());
    assert_eq!(sim.queued_values(), [("two".into(), value("a"))]);
    sim.run_queued(0, State::Success, done());
    assert_eq!(sim.queued_values(), [("one".into(), value("b"))]);
    sim.run_queued(0, State::Success, done());
    sim.run_queued(0, State::Success, done());
    // The duplicate "a" is dropped, as Kestra does.
    assert_eq!(sim.queued_tasks(), ["after"]);
    sim.run_queued(0, State::Success, done());
    assert_eq!(sim.ended, Some(State::Success));
    let ids: std::collections::HashSet<_> = sim.exec.task_run_list.iter().map(|r| &r.id).collect();
    assert_eq!(ids.len(), sim.exec.task_run_list.len(), "every task run has its own id");
    assert_eq!(sim.exec.task_run_list.len(), 6);
}

#[test]
fn for_each_concurrency_limit_bounds_values_at_once_and_zero_is_no_limit() {
    let mut sim = Sim::start(&for_each("[1, 2, 3]", Some(2)));
    assert_eq!(
        sim.queued_values(),
        [("one".into(), value("1")), ("one".into(), value("2"))]
    );
    sim.run_queued(0, State::Success, done());
    // Value 1 goes on with its second task; value 3 waits for a free slot.
    assert_eq!(
        sim.queued_values(),
        [("one".into(), value("2")), ("two".into(), value("1"))]
    );
    sim.run_queued(1, State::Success, done());
    assert_eq!(
        sim.queued_values(),
        [("one".into(), value("2")), ("one".into(), value("3"))]
    );

    let sim = Sim::start(&for_each("[1, 2, 3, 4, 5]", Some(0)));
    assert_eq!(sim.queued.len(), 5);
}

#[test]
fn for_each_takes_a_json_string_or_a_template_and_refuses_maps_and_nulls() {
    let mut sim = Sim::start(&for_each(r#"'["x", {"k": 1}]'"#, None));
    assert_eq!(sim.queued_values(), [("one".into(), value("x"))]);
    for _ in 0..4 {
        sim.run_queued(0, State::Success, done());
    }
    let values: Vec<_> = sim.exec.task_run_list.iter().filter_map(|r| r.value.clone()).collect();
    assert!(values.contains(&r#"{"k":1}"#.to_string()), "{values:?}");

    let flow = r#"
id: t
namespace: dev
inputs: [{id: items, type: JSON}]
tasks:
  - id: each
    type: ForEach
    values: "{{ inputs.items }}"
    tasks: [{id: one, type: Log, message: x}]
"#;
    let sim = Sim::start_with(flow, inputs(json!({"items": ["p", "q"]})));
    assert_eq!(sim.queued.len(), 1);
    assert_eq!(
        sim.exec.task_run(&sim.run_id("each")).unwrap().outputs["values"],
        json!(["p", "q"])
    );

    for (values, says) in [
        ("{a: 1}", "maps are not supported"),
        ("[a, null]", "null"),
        ("'not json'", "JSON array"),
    ] {
        let sim = Sim::start(&for_each(values, None));
        assert_eq!(sim.ended, Some(State::Failed), "{values}");
        let run = sim.exec.task_run(&sim.run_id("each")).unwrap();
        let reason = run.attempts[0].reason.as_deref().unwrap();
        assert!(reason.contains(says), "{values}: {reason}");
    }
}

#[test]
fn a_failed_value_stops_new_values_and_fails_the_for_each() {
    let mut sim = Sim::start(&for_each("[a, b, c]", Some(2)));
    sim.run_queued(0, State::Failed, done());
    // b was already running; c never starts.
    assert_eq!(sim.queued_values(), [("one".into(), value("b"))]);
    sim.run_queued(0, State::Success, done());
    sim.run_queued(0, State::Success, done());
    assert!(sim.queued.is_empty());
    assert_eq!(sim.ended, Some(State::Failed));
    assert!(!sim.exec.task_run_list.iter().any(|r| r.value.as_deref() == Some("c")));
}

/// Kestra's first ForEach example: the value is `taskrun.value` for direct children and
/// `parent.taskrun.value` below them; outputs are read by value.
#[test]
fn nested_children_read_the_parent_value_and_outputs_are_keyed_by_value() {
    let flow = r#"
id: for_loop_example
namespace: company.team
tasks:
  - id: for_each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["value 1", "value 2", "value 3"]
    tasks:
      - id: before_if
        type: io.kestra.plugin.core.debug.Return
        format: "Before if {{ taskrun.value }}"
      - id: if
        type: io.kestra.plugin.core.flow.If
        condition: '{{ taskrun.value == "value 2" }}'
        then:
          - id: after_if
            type: io.kestra.plugin.core.debug.Return
            format: "After if {{ parent.taskrun.value }}"
"#;
    let mut sim = Sim::start(flow);
    let mut seen = Vec::new();
    while !sim.queued.is_empty() {
        let (id, _) = sim.queued[0].clone();
        let run = sim.exec.task_run(&id).unwrap().clone();
        let context = render_context(&sim.flow, &sim.exec, Some(&run));
        seen.push((
            run.task_id.clone(),
            context["taskrun"]["value"].clone(),
            context["parent"]["taskrun"]["value"].clone(),
        ));
        let out = inputs(json!({"value": format!("{} done", run.task_id)}));
        sim.run_queued(0, State::Success, out);
    }
    assert_eq!(sim.ended, Some(State::Success));
    assert!(
        seen.contains(&("after_if".into(), Value::Null, json!("value 2"))),
        "{seen:?}"
    );
    assert_eq!(seen.iter().filter(|s| s.0 == "after_if").count(), 1);
    let context = render_context(&sim.flow, &sim.exec, None);
    assert_eq!(
        context["outputs"]["before_if"]["value 3"]["value"],
        json!("before_if done")
    );
    assert_eq!(
        context["outputs"]["after_if"]["value 2"]["value"],
        json!("after_if done")
    );
}

#[test]
fn restart_reruns_only_the_failed_value() {
    let mut sim = Sim::start(&for_each("[a, b]", Some(0)));
    sim.run_queued(0, State::Success, done());
    sim.run_queued(0, State::Failed, done());
    sim.run_queued(0, State::Success, done());
    assert_eq!(sim.ended, Some(State::Failed));
    sim.ended = None;
    sim.send(sluice_engine::Event::Restart);
    assert_eq!(sim.queued_values(), [("one".into(), value("b"))]);
    sim.run_queued(0, State::Success, done());
    sim.run_queued(0, State::Success, done());
    sim.run_queued(0, State::Success, done());
    assert_eq!(sim.ended, Some(State::Success));
}
