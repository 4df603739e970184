//! Arbitrary bytes through the YAML reader and the validator must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static VALIDATOR: LazyLock<sluice_flow::Validator> = LazyLock::new(sluice_tasks::validator);

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let checked = VALIDATOR.check(text);
        for d in &checked.diagnostics {
            assert!(d.pos.line >= 1 && d.pos.column >= 1, "positions are 1-based: {d:?}");
            let _ = d.render("fuzz.yaml");
        }
    }
});
