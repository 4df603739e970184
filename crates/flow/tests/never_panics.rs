//! Property tests: whatever text or YAML arrives, the reader and validator answer with
//! diagnostics, never a panic, and every diagnostic points at a real position.

use proptest::prelude::*;
use sluice_flow::Validator;

/// Words that steer generated YAML into the validator's deeper paths.
const WORDS: &[&str] = &[
    "id",
    "namespace",
    "tasks",
    "type",
    "retry",
    "timeout",
    "inputs",
    "errors",
    "finally",
    "triggers",
    "pluginDefaults",
    "values",
    "taskRunner",
    "commands",
    "script",
    "message",
    "cron",
    "interval",
    "maxAttempts",
    "io.kestra.plugin.scripts.shell.Commands",
    "io.kestra.plugin.core.flow.Parallel",
    "io.kestra.plugin.core.log.Log",
    "io.kestra.plugin.core.trigger.Schedule",
    "docker",
    "kubernetes",
    "PT5M",
    "5m",
    "constant",
    "exponential",
    "INT",
    "SELECT",
    "{{ inputs.x }}",
    "{{ outputs.a.vars.b }}",
    "{% if %}",
    "*/5 * * * *",
    "true",
    "3",
    "-",
    "a",
    "dev",
    "inputFiles",
    "../x",
    "concurrency",
    "limit",
    "io.kestra.plugin.kubernetes.PodCreate",
    "spec",
    "metadata",
    "podSpec",
    "containers",
    "name",
    "image",
    "resources",
    "requests",
    "limits",
    "cpu",
    "300m",
    "512MB",
    "ports",
    "containerPort",
    "httpGet",
    "port",
    "tolerations",
    "labels",
    "creationTimestamp",
];

fn yaml_value() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(WORDS).prop_map(|w| format!("\"{}\"", w.replace('"', "\\\"")));
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|items| format!("[{}]", items.join(", "))),
            prop::collection::vec((prop::sample::select(WORDS), inner), 0..6).prop_map(|entries| {
                let body: Vec<String> = entries.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
                format!("{{{}}}", body.join(", "))
            }),
        ]
    })
}

fn check(validator: &Validator, source: &str) {
    let checked = validator.check(source);
    let lines = source.lines().count().max(1) as u32 + 1;
    for d in &checked.diagnostics {
        assert!(d.pos.line >= 1 && d.pos.column >= 1, "{d:?}");
        assert!(d.pos.line <= lines, "{d:?} is past the end of {lines} lines:\n{source}");
    }
    assert_eq!(
        checked.flow.is_some(),
        !sluice_flow::diagnostic::has_errors(&checked.diagnostics)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,200}") {
        check(&sluice_tasks::validator(), &source);
    }

    #[test]
    fn arbitrary_yaml_never_panics(value in yaml_value()) {
        check(&sluice_tasks::validator(), &value);
    }

    #[test]
    fn arbitrary_pod_specs_never_panic(spec in yaml_value(), meta in yaml_value(), overlay in yaml_value()) {
        let source = format!(
            "id: f\nnamespace: dev\ntasks:\n  - id: p\n    type: io.kestra.plugin.kubernetes.PodCreate\n    spec: {spec}\n    metadata: {meta}\n  - id: r\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands: [a]\n    taskRunner: {{type: kubernetes, podSpec: {overlay}}}\n"
        );
        check(&sluice_tasks::validator(), &source);
    }

    #[test]
    fn arbitrary_tasks_never_panic(tasks in prop::collection::vec(yaml_value(), 1..4)) {
        let source = format!("id: f\nnamespace: dev\ntasks: [{}]\n", tasks.join(", "));
        check(&sluice_tasks::validator(), &source);
    }
}
