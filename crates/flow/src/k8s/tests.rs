use super::*;
use crate::diagnostic::Severity;

/// `line:column: severity: message [code]` of every finding.
fn run(part: PodPart, yaml: &str) -> Vec<String> {
    let node = crate::yaml::parse(yaml).expect("valid YAML");
    check(part, &node)
        .iter()
        .map(|d| {
            format!(
                "{}:{}: {}: {} [{}]",
                d.pos.line, d.pos.column, d.severity, d.message, d.code
            )
        })
        .collect()
}

fn help(part: PodPart, yaml: &str) -> Vec<String> {
    let node = crate::yaml::parse(yaml).expect("valid YAML");
    check(part, &node).into_iter().filter_map(|d| d.help).collect()
}

#[test]
fn unknown_field_is_a_warning_with_did_you_mean() {
    let yaml = "restartPolicy: Never\ncontainers:\n  - name: dbt-duckdb\n    image: dbt\n    resources:\n      request:\n        cpu: \"300m\"\n        memory: \"500Mi\"\nnodeSelector: {}\n";
    assert_eq!(
        run(PodPart::Spec, yaml),
        ["6:7: warning: unknown field `request`; did you mean `requests`? [k8s-unknown-field]"]
    );
    assert_eq!(
        help(PodPart::Spec, yaml),
        [
            "`spec.containers[0].resources` (in Container `dbt-duckdb`) has: claims, limits, requests; Kubernetes ignores unknown fields"
        ]
    );
    let node = crate::yaml::parse(yaml).unwrap();
    assert!(
        check(PodPart::Spec, &node)
            .iter()
            .all(|d| d.severity == Severity::Warning)
    );
}

#[test]
fn unknown_field_in_a_big_struct_points_at_kubectl_explain() {
    let yaml = "containers:\n  - name: web\n    image: nginx\n    imagePullPolicie: Always\n";
    assert_eq!(
        run(PodPart::Spec, yaml),
        ["4:5: warning: unknown field `imagePullPolicie`; did you mean `imagePullPolicy`? [k8s-unknown-field]"]
    );
    assert_eq!(
        help(PodPart::Spec, yaml),
        [
            "`spec.containers[0]` (Container `web`): `kubectl explain pod.spec.containers` lists its fields; Kubernetes ignores unknown fields"
        ]
    );
    assert_eq!(
        run(PodPart::SpecOverlay, "zzz: 1\n"),
        ["1:1: warning: unknown field `zzz` [k8s-unknown-field]"]
    );
}

#[test]
fn wrong_types_are_errors_at_the_value() {
    assert_eq!(
        run(PodPart::Spec, "containers: {}\n"),
        ["1:13: error: `containers` must be a list, found a mapping [k8s-wrong-type]"]
    );
    assert_eq!(
        run(
            PodPart::Spec,
            "activeDeadlineSeconds: soon\ncontainers:\n  - name: web\n    image: nginx\n    ports: [{containerPort: http}, {containerPort: \"8080\"}]\n"
        ),
        [
            "1:24: error: `activeDeadlineSeconds` must be a whole number, found a string [k8s-wrong-type]",
            "5:29: error: `containerPort` must be a whole number, found a string [k8s-wrong-type]",
            "5:52: error: `containerPort` must be a whole number, found a string [k8s-wrong-type]",
        ]
    );
    assert_eq!(
        help(
            PodPart::Spec,
            "containers: [{name: a, image: b, ports: [{containerPort: \"8080\"}]}]\n"
        ),
        ["remove the quotes: `8080`; at `spec.containers[0].ports[0].containerPort` (in Container `a`)"]
    );
    assert_eq!(
        run(
            PodPart::Spec,
            "hostNetwork: \"true\"\npriority: 99999999999\ncontainers: [{name: a, image: b, command: [sleep, 5]}]\n"
        ),
        [
            "1:14: error: `hostNetwork` must be true or false, found a string [k8s-wrong-type]",
            "2:11: error: `priority` must be a whole number from -2147483648 to 2147483647, found 99999999999 [k8s-wrong-type]",
            "3:51: error: `command[1]` must be a string, found an integer [k8s-wrong-type]",
        ]
    );
}

#[test]
fn templates_stand_for_any_value() {
    let yaml = "activeDeadlineSeconds: \"{{ inputs.secs }}\"\nhostNetwork: \"{{ inputs.host }}\"\nnodeSelector: \"{{ inputs.nodes }}\"\ncontainers:\n  - name: \"{{ inputs.name }}\"\n    image: \"{{ inputs.image }}\"\n    resources: {limits: {cpu: \"{{ inputs.cpu }}\"}, requests: \"{% if true %}{}{% endif %}\"}\n    ports: [{containerPort: \"{{ inputs.port }}\"}]\n    livenessProbe: {httpGet: {port: \"{{ inputs.port }}\"}}\n  - \"{{ inputs.sidecar }}\"\ntolerations: \"{{ inputs.tolerations }}\"\n";
    assert_eq!(run(PodPart::Spec, yaml), Vec::<String>::new());
    assert_eq!(
        run(PodPart::Spec, "containers: \"{{ inputs.containers }}\"\n"),
        Vec::<String>::new()
    );
    assert_eq!(
        run(
            PodPart::Metadata,
            "labels: {app: \"{{ flow.id }}\"}\ncreationTimestamp: \"{{ now() }}\"\n"
        ),
        Vec::<String>::new()
    );
}

#[test]
fn quantities_and_int_or_string_take_both_forms() {
    let yaml = "containers:\n  - name: a\n    image: b\n    resources:\n      requests: {cpu: 300m, memory: \"500Mi\"}\n      limits: {cpu: 1, memory: 2Gi, ephemeral-storage: 1e9, nvidia.com/gpu: \"1\"}\n    livenessProbe: {httpGet: {port: 8080, path: /}}\n    readinessProbe: {tcpSocket: {port: http}}\noverhead: {cpu: 0.5}\n";
    assert_eq!(run(PodPart::Spec, yaml), Vec::<String>::new());
    let bad = "containers:\n  - name: a\n    image: b\n    resources: {requests: {memory: 512MB, cpu: [1]}, limits: {cpu: lots}}\n    livenessProbe: {tcpSocket: {port: 1.5}}\n";
    assert_eq!(
        run(PodPart::Spec, bad),
        [
            "4:36: error: `memory` is `512MB`, which is not a Kubernetes quantity [k8s-invalid-quantity]",
            "4:48: error: `cpu` must be a quantity, found a list [k8s-wrong-type]",
            "4:68: error: `cpu` is `lots`, which is not a Kubernetes quantity [k8s-invalid-quantity]",
            "5:39: error: `port` must be a whole number or a name, found a number [k8s-wrong-type]",
        ]
    );
    assert!(help(PodPart::Spec, bad)[0].starts_with("did you mean `512Mi` or `512M`?"));
}

#[test]
fn a_full_spec_needs_the_required_fields_an_overlay_does_not() {
    let yaml = "containers:\n  - image: b\n    env: [{value: x}]\n    volumeMounts: [{name: data}]\n  - name: c\n";
    assert_eq!(
        run(PodPart::Spec, yaml),
        [
            "2:5: error: `spec.containers[0]` has no `name` [k8s-missing-field]",
            "3:11: error: `spec.containers[0].env[0]` has no `name` [k8s-missing-field]",
            "4:20: error: `spec.containers[0].volumeMounts[0]` has no `mountPath` [k8s-missing-field]",
            "5:5: error: `spec.containers[1]` has no `image` [k8s-missing-field]",
        ]
    );
    assert_eq!(run(PodPart::SpecOverlay, yaml), Vec::<String>::new());
    assert_eq!(
        run(PodPart::Spec, "restartPolicy: Never\n"),
        ["1:1: error: `spec` has no `containers` [k8s-missing-field]"]
    );
    assert_eq!(
        run(PodPart::Spec, "containers: []\n"),
        ["1:13: error: `spec.containers` is empty [k8s-missing-field]"]
    );
    assert_eq!(run(PodPart::SpecOverlay, "containers: []\n"), Vec::<String>::new());
    assert_eq!(
        run(PodPart::Spec, "containers:\n  - name: ~\n    image: b\n"),
        ["2:5: error: `spec.containers[0]` has no `name` [k8s-missing-field]"]
    );
    // Maps have no required keys, whatever their values.
    assert_eq!(
        run(
            PodPart::Spec,
            "containers: [{name: a, image: b}]\nnodeSelector: {a: ~}\noverhead: {cpu: ~}\n"
        ),
        [
            "2:16: error: `a` must be a string, found nothing (null) [k8s-wrong-type]",
            "3:12: error: `cpu` must be a quantity, found nothing (null) [k8s-wrong-type]",
        ]
    );
}

#[test]
fn an_overlay_with_scheduling_settings_is_valid() {
    let yaml = "tolerations:\n  - key: gpu\n    operator: Exists\n    effect: NoSchedule\n    tolerationSeconds: 30\naffinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n      nodeSelectorTerms:\n        - matchExpressions:\n            - {key: zone, operator: In, values: [a, b]}\n  podAntiAffinity:\n    preferredDuringSchedulingIgnoredDuringExecution:\n      - weight: 10\n        podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: x}}}\nvolumes: [{name: cache, emptyDir: {sizeLimit: 1Gi}}]\nsecurityContext: {runAsUser: 1000, fsGroup: 2000}\n";
    assert_eq!(run(PodPart::SpecOverlay, yaml), Vec::<String>::new());
    assert_eq!(
        run(
            PodPart::SpecOverlay,
            "tolerations:\n  - key: gpu\n    operater: Exists\n"
        ),
        ["3:5: warning: unknown field `operater`; did you mean `operator`? [k8s-unknown-field]"]
    );
    assert_eq!(
        help(
            PodPart::SpecOverlay,
            "tolerations:\n  - key: gpu\n    operater: Exists\n"
        ),
        [
            "`podSpec.tolerations[0]` (a Toleration) has: effect, key, operator, tolerationSeconds, value; Kubernetes ignores unknown fields"
        ]
    );
}

#[test]
fn metadata_is_an_object_meta() {
    assert_eq!(
        run(
            PodPart::Metadata,
            "labels: {app: x, version: 1}\nlabel: {a: b}\nannotations: {a: b}\ncreationTimestamp: yesterday\n"
        ),
        [
            "1:27: error: `version` must be a string, found an integer [k8s-wrong-type]",
            "2:1: warning: unknown field `label`; did you mean `labels`? [k8s-unknown-field]",
            "4:20: error: `creationTimestamp` must be a timestamp, found a string [k8s-wrong-type]",
        ]
    );
    assert_eq!(
        run(PodPart::Metadata, "creationTimestamp: \"2024-05-01T12:00:00Z\"\n"),
        Vec::<String>::new()
    );
}

#[test]
fn duplicate_keys_at_any_depth() {
    assert_eq!(
        run(
            PodPart::Spec,
            "containers: [{name: a, image: b}]\nvolumes:\n  - name: v\n    emptyDir: {}\n    emptyDir: {medium: Memory}\n"
        ),
        ["5:5: error: `emptyDir` is set twice in `spec.volumes[0]` [duplicate-key]"]
    );
}

#[test]
fn odd_shapes_never_panic() {
    for yaml in [
        "x\n",
        "- a\n",
        "~\n",
        "containers: [~, 1, [], {}, \"{{ x }}\", {name: [a]}]\n",
        "containers: [{name: a, image: b, resources: {limits: [{}], requests: ~}}]\n",
        "? [a, b]\n: c\n",
        "1: 2\n",
        "containers: [{name: a, image: b, ports: [{containerPort: .nan, hostPort: -1e999}]}]\n",
        "containers: [{name: a, image: b, livenessProbe: {httpGet: {port: 99999999999}}}]\n",
        "{\"{{ x }}\": 1, \"{% y %}\": 2}\n",
    ] {
        for part in [PodPart::Spec, PodPart::SpecOverlay, PodPart::Metadata] {
            let node = crate::yaml::parse(yaml).unwrap();
            let _ = check(part, &node);
        }
    }
}

#[test]
fn deep_free_form_values_do_not_exhaust_the_stack() {
    // `fieldsV1` holds any JSON: the deepest YAML the reader accepts must still be fine.
    let depth = 250;
    let yaml = format!(
        "managedFields: [{{fieldsV1: {}{}}}]\n",
        "{a: ".repeat(depth),
        "}".repeat(depth)
    );
    let node = crate::yaml::parse(&yaml).expect("nested YAML");
    assert_eq!(check(PodPart::Metadata, &node), Vec::new());
}
