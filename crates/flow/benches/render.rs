//! Rendering one task's templates: ten expressions of the kinds real flows use, parsed and
//! rendered from scratch each time as the worker does. Printed beside a baseline measured in
//! the same run: the same ten strings built by hand-written Rust from the same JSON context.
//! Run with `cargo bench -p sluice-flow --bench render` (or `bench/render.sh`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sluice_flow::template::{SecretSource, TemplateEngine};

struct NoSecrets;
impl SecretSource for NoSecrets {
    fn secret(&self, _: &str) -> Option<String> {
        None
    }
}

const TEMPLATES: [&str; 10] = [
    "{{ inputs.name }}",
    "Hello {{ inputs.name | upper }}!",
    "{{ trigger.date ?? execution.startDate }}",
    "{{ inputs.n > 10 ? 'big' : 'small' }}",
    "{{ outputs.first.vars.count + 1 }}",
    "{{ execution.startDate | date('yyyy-MM-dd') }}",
    "{% for x in inputs.list %}{{ x }},{% endfor %}",
    "{{ inputs.map | toJson }}",
    "{{ flow.namespace ~ '.' ~ flow.id }}",
    "{{ labels.team | default('none') }}",
];

/// The baseline: the same outputs, by hand.
fn by_hand(c: &Value) -> Vec<String> {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let n = c["inputs"]["n"].as_i64().unwrap_or_default();
    let list: String = c["inputs"]["list"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| format!("{},", s(x)))
        .collect();
    vec![
        s(&c["inputs"]["name"]),
        format!("Hello {}!", s(&c["inputs"]["name"]).to_uppercase()),
        s(c.get("trigger")
            .and_then(|t| t.get("date"))
            .unwrap_or(&c["execution"]["startDate"])),
        (if n > 10 { "big" } else { "small" }).to_string(),
        (c["outputs"]["first"]["vars"]["count"].as_i64().unwrap_or_default() + 1).to_string(),
        s(&c["execution"]["startDate"])[..10].to_string(),
        list,
        c["inputs"]["map"].to_string(),
        format!("{}.{}", s(&c["flow"]["namespace"]), s(&c["flow"]["id"])),
        s(&c["labels"]["team"]),
    ]
}

/// Median time per call of `f` over 31 batches.
fn time(mut f: impl FnMut()) -> Duration {
    let per_batch = 2_000u32;
    let mut samples: Vec<Duration> = (0..31)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_batch {
                f();
            }
            start.elapsed() / per_batch
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let context = json!({
        "inputs": {"name": "World", "n": 42, "list": ["a", "b", "c"], "map": {"k1": "v1", "k2": "v2"}},
        "flow": {"id": "hello", "namespace": "company.team"},
        "execution": {"id": "4wjLt1i5RFKW2eXvRPtdVl", "startDate": "2024-01-15T10:30:45.123456Z"},
        "outputs": {"first": {"vars": {"count": 3}}},
        "labels": {"team": "data"},
    });
    let engine = TemplateEngine::new();
    let render = || -> Vec<String> {
        TEMPLATES
            .iter()
            .map(|t| engine.render(t, &context, &NoSecrets).expect("renders"))
            .collect()
    };
    assert_eq!(render(), by_hand(&context), "the engine and the baseline agree");
    let baseline = time(|| _ = black_box(by_hand(black_box(&context))));
    let ours = time(|| _ = black_box(render()));
    println!("render one task, 10 expressions (median of 31 batches of 2000):");
    println!(
        "  baseline (hand-written Rust): {:>8.2} µs",
        baseline.as_secs_f64() * 1e6
    );
    println!("  sluice template engine:       {:>8.2} µs", ours.as_secs_f64() * 1e6);
    println!(
        "  ratio: {:.1}x the baseline; aim: under 20 µs",
        ours.as_secs_f64() / baseline.as_secs_f64().max(1e-12)
    );
}
