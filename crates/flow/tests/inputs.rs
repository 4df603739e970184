//! Resolving an execution's inputs as Kestra does (core/src/main/java/io/kestra/core/runners/
//! FlowInputOutput.java, and https://kestra.io/docs/workflow-components/inputs): types, limits,
//! itemType, expression choices, dependsOn conditions, templated defaults, every problem at once.

use serde_json::{Map, Value, json};
use sluice_flow::inputs::{InputProblem, resolve};
use sluice_flow::model::Input;
use sluice_flow::template::SecretSource;

struct NoSecrets;

impl SecretSource for NoSecrets {
    fn secret(&self, _name: &str) -> Option<String> {
        None
    }
}

fn inputs_of(yaml_inputs: &str) -> Vec<Input> {
    let source = format!(
        "id: f\nnamespace: company.team\ninputs:\n{yaml_inputs}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n"
    );
    let checked = sluice_tasks::validator().check(&source);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == sluice_flow::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    checked.flow.expect("a flow").inputs
}

fn run(inputs: &[Input], given: Value) -> Result<Map<String, Value>, Vec<InputProblem>> {
    let context = json!({"execution": {"id": "e1", "startDate": "2026-12-07T10:00:00Z"}, "flow": {"id": "f"}});
    resolve(inputs, given.as_object().expect("an object"), &context, &NoSecrets)
}

#[test]
fn text_from_a_form_becomes_typed_values() {
    let inputs = inputs_of(
        "  - {id: n, type: INT}\n  - {id: x, type: FLOAT}\n  - {id: b, type: BOOLEAN}\n  - {id: j, type: JSON}\n  - {id: y, type: YAML}\n  - {id: a, type: ARRAY, itemType: INT}\n  - {id: d, type: DURATION}\n  - {id: t, type: TIME}",
    );
    let out = run(
        &inputs,
        json!({"n": "5", "x": "1.5", "b": "true", "j": "{\"k\": [1]}", "y": "k: v", "a": "[1, 2]", "d": "PT5M", "t": "09:30:00"}),
    )
    .unwrap();
    assert_eq!(out["n"], json!(5));
    assert_eq!(out["x"], json!(1.5));
    assert_eq!(out["b"], json!(true));
    assert_eq!(out["j"], json!({"k": [1]}));
    assert_eq!(out["a"], json!([1, 2]));
    assert_eq!(out["d"], json!("PT5M"));
}

#[test]
fn defaults_are_rendered_and_optional_inputs_are_null() {
    let inputs = inputs_of(
        "  - {id: day, type: STRING, defaults: \"{{ execution.startDate | date('yyyy-MM-dd') }}\"}\n  - {id: greeting, type: STRING, defaults: \"hello {{ inputs.day }}\"}\n  - {id: who, type: STRING, required: false}",
    );
    let out = run(&inputs, json!({})).unwrap();
    assert_eq!(out["day"], json!("2026-12-07"));
    assert_eq!(out["greeting"], json!("hello 2026-12-07"));
    assert_eq!(out["who"], Value::Null);
}

#[test]
fn depends_on_skips_an_input_whose_condition_is_false() {
    let inputs = inputs_of(
        "  - {id: cloud, type: SELECT, values: [aws, gcp]}\n  - id: region\n    type: STRING\n    dependsOn:\n      inputs: [cloud]\n      condition: \"{{ inputs.cloud == 'aws' }}\"",
    );
    // Not asked for, so not required, when the condition is false.
    let out = run(&inputs, json!({"cloud": "gcp"})).unwrap();
    assert!(!out.contains_key("region"), "{out:?}");
    // Asked for, and required, when it holds.
    let problems = run(&inputs, json!({"cloud": "aws"})).unwrap_err();
    assert_eq!(problems[0].code, "missing-input");
    assert_eq!(problems[0].message, "input `region` is required and has no value");
    let out = run(&inputs, json!({"cloud": "aws", "region": "eu-west-1"})).unwrap();
    assert_eq!(out["region"], json!("eu-west-1"));
}

#[test]
fn an_expression_gives_the_choices_and_custom_values_can_be_allowed() {
    let inputs = inputs_of(
        "  - {id: env, type: SELECT, values: [dev, prod]}\n  - id: db\n    type: SELECT\n    dependsOn: {inputs: [env]}\n    expression: \"{{ inputs.env == 'dev' ? ['dev-1', 'dev-2'] : ['prod-1'] }}\"\n  - {id: free, type: SELECT, values: [a], allowCustomValue: true}",
    );
    let out = run(&inputs, json!({"env": "dev", "db": "dev-2", "free": "zzz"})).unwrap();
    assert_eq!(out["db"], json!("dev-2"));
    assert_eq!(out["free"], json!("zzz"));
    let problems = run(&inputs, json!({"env": "prod", "db": "dev-2", "free": "a"})).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].message,
        "input `db`: `dev-2` is not one of the allowed values"
    );
    assert_eq!(problems[0].help, "choose one of: prod-1");
}

#[test]
fn limits_and_item_types_are_checked_and_all_problems_come_at_once() {
    let inputs = inputs_of(
        "  - {id: n, type: INT, min: 1, max: 5}\n  - {id: s, type: STRING, validator: \"[a-z]+\"}\n  - {id: ids, type: ARRAY, itemType: INT}\n  - {id: d, type: DATE, after: \"2026-01-01\"}",
    );
    let problems = run(
        &inputs,
        json!({"n": 9, "s": "ABC", "ids": ["1", "two"], "d": "2025-06-01", "nn": 1}),
    )
    .unwrap_err();
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "the flow has no input `nn`",
            "input `n`: `9` must be at most `5`",
            "input `s`: `ABC` does not match the validator `[a-z]+`",
            "input `ids`: item 2 is not of type INT: `two` is not a whole number",
            "input `d`: `2025-06-01` must be after `2026-01-01`",
        ]
    );
    assert_eq!(problems[0].help, "did you mean `n`?");
}

#[test]
fn a_condition_that_does_not_render_is_a_problem_of_its_input() {
    let inputs = inputs_of(
        "  - {id: a, type: STRING}\n  - id: b\n    type: STRING\n    required: false\n    dependsOn:\n      inputs: [a]\n      condition: \"{{ inputs.a | number > 3 }}\"",
    );
    let problems = run(&inputs, json!({"a": "not a number"})).unwrap_err();
    assert_eq!(problems[0].code, "invalid-condition", "{problems:?}");
    assert!(
        problems[0]
            .message
            .starts_with("input `b`: its `dependsOn.condition` does not render")
    );
}
