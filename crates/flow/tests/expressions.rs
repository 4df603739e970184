//! Kestra's expression language, case by case: every `tests/expressions/*.yaml` file is a
//! table of templates and what Kestra renders for them, each file citing the Pebble or
//! Kestra page (or source file) its cases come from.
//!
//! A file holds `source:` (the citation), an optional `context:` merged over
//! `_context.yaml`'s, and `cases:`, each with `t:` (the template) and one of `want:` (the
//! text rendered), `typed:` (the value of a one-expression template, as typed properties
//! see it) or `error:` (a piece of the error's message, from `check` or `render`, with an
//! optional `help:`, a piece of the error's help). A case may have its own `context:`,
//! `src:` and `note:`. The context key `_secrets` holds the
//! secrets `secret()` can read.

use std::path::Path;

use serde_json::{Map, Value};
use sluice_flow::template::{SecretSource, TemplateEngine};

struct Secrets(Map<String, Value>);

impl SecretSource for Secrets {
    fn secret(&self, name: &str) -> Option<String> {
        self.0.get(name).and_then(Value::as_str).map(str::to_string)
    }
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    sluice_flow::yaml::parse(&text)
        .unwrap_or_else(|d| panic!("{}: {}", path.display(), d.message))
        .to_json()
}

fn merge(base: &Value, over: Option<&Value>) -> Value {
    let mut out = base.as_object().cloned().unwrap_or_default();
    if let Some(Value::Object(m)) = over {
        out.extend(m.clone());
    }
    Value::Object(out)
}

/// Runs one case; `None` when it holds, else what went wrong.
fn run(case: &Value, context: &Value) -> Option<String> {
    let engine = TemplateEngine::new();
    let t = case["t"].as_str()?;
    let ctx = merge(context, case.get("context"));
    let secrets = Secrets(
        ctx.get("_secrets")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
    );
    let checked = engine.check(t);
    if let Some(want) = case.get("error") {
        let want = want.as_str().unwrap_or_default();
        let got = checked.and_then(|_| engine.render(t, &ctx, &secrets));
        let help = case.get("help").and_then(Value::as_str);
        return match got {
            Err(e) if !e.message.contains(want) => Some(format!("error `{}` does not contain `{want}`", e.message)),
            Err(e) => match (help, e.help) {
                (Some(h), Some(got)) if !got.contains(h) => Some(format!("help `{got}` does not contain `{h}`")),
                (Some(h), None) => Some(format!("the error has no help, wanted one containing `{h}`")),
                _ => None,
            },
            Ok(s) => Some(format!("rendered `{s}`, wanted an error containing `{want}`")),
        };
    }
    if let Err(e) = checked {
        return Some(format!("check failed: {} (help: {:?})", e.message, e.help));
    }
    if let Some(want) = case.get("typed") {
        return match engine.render_value(t, &ctx, &secrets) {
            Ok(v) if v == *want => None,
            Ok(v) => Some(format!("typed {v}, wanted {want}")),
            Err(e) => Some(format!("error: {} (help: {:?})", e.message, e.help)),
        };
    }
    let want = case.get("want").map(|w| match w {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    match (engine.render(t, &ctx, &secrets), want) {
        (_, None) => Some("the case has no `want`, `typed` or `error`".into()),
        (Ok(s), Some(w)) if s == w => None,
        (Ok(s), Some(w)) => Some(format!("rendered {s:?}, wanted {w:?}")),
        (Err(e), _) => Some(format!("error: {} (help: {:?})", e.message, e.help)),
    }
}

#[test]
fn kestra_expressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expressions");
    let base = load(&dir.join("_context.yaml"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/expressions")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml") && !p.ends_with("_context.yaml"))
        .collect();
    files.sort();
    let (mut total, mut failures) = (0, Vec::new());
    for file in &files {
        let doc = load(file);
        assert!(
            doc["source"].is_string(),
            "{}: every file cites its `source:`",
            file.display()
        );
        let context = merge(&base, doc.get("context"));
        for (i, case) in doc["cases"].as_array().into_iter().flatten().enumerate() {
            total += 1;
            if let Some(why) = run(case, &context) {
                let name = file.file_name().unwrap_or_default().to_string_lossy();
                failures.push(format!(
                    "{name} #{} `{}`: {why}",
                    i + 1,
                    case["t"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    assert!(total >= 1, "no cases found in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} of {total} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{total} expression cases hold");
}
