//! Arbitrary text through the Pebble template parser, checker and evaluator must never
//! panic, loop forever or blow the stack; errors carry a line inside the template.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_flow::template::{SecretSource, TemplateEngine};

struct Secrets;
impl SecretSource for Secrets {
    fn secret(&self, name: &str) -> Option<String> {
        (name == "A").then(|| "s3cret".to_string())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let engine = TemplateEngine::new();
    let context = serde_json::json!({
        "inputs": {"s": "text", "n": 3, "f": 1.5, "l": [1, "a", null], "m": {"k": "v"}, "d": "2024-01-15T10:30:00Z"},
        "outputs": {"t": {"vars": {"x": "{{ inputs.s }}"}}},
    });
    let lines = text.lines().count().max(1);
    for result in [
        engine.check(text).map(|_| String::new()),
        engine.render(text, &context, &Secrets),
        engine.render_value(text, &context, &Secrets).map(|v| v.to_string()),
    ] {
        if let Err(e) = result {
            assert!(e.line.is_none_or(|l| l >= 1 && l <= lines + 1), "line {:?} of {lines}: {e:?}", e.line);
        }
    }
});
