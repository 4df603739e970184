//! The flow corpus: every file in `valid/` (and the seed flows users start from) must validate;
//! every file in `invalid/` must produce exactly the diagnostics its header promises.
//!
//! An invalid file starts with one or more lines
//! `# expect: LINE:COLUMN: error|warning: MESSAGE`, each optionally followed by `# help: TEXT`.

use sluice_flow::Severity;
use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")))
        .collect();
    files.sort();
    files
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn assert_all_valid(files: &[PathBuf]) {
    let validator = sluice_tasks::validator();
    let mut failures = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(file).expect("readable flow");
        let checked = validator.check(&source);
        let errors: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.render(&file.display().to_string()))
            .collect();
        if !checked.is_valid() || !errors.is_empty() {
            failures.push(errors.join("\n"));
        }
    }
    assert!(
        failures.is_empty(),
        "flows that should be valid are not:\n{}",
        failures.join("\n")
    );
}

#[test]
fn valid_corpus_validates() {
    let files = yaml_files(&manifest_dir().join("tests/valid"));
    assert!(files.len() >= 5, "the valid corpus is missing");
    assert_all_valid(&files);
}

#[test]
fn seed_flows_validate() {
    // The repository's sibling `shared/` folder holds the flows our first users write.
    let dir = manifest_dir().join("../../../shared/flows/seed");
    assert!(
        dir.is_dir(),
        "seed flows not found at {}: clone the repository beside `shared/`",
        dir.display()
    );
    let files = yaml_files(&dir);
    assert_eq!(files.len(), 3, "expected the three seed flows");
    assert_all_valid(&files);
}

struct Expectation {
    line: String,
    help: Option<String>,
}

fn expectations(source: &str) -> Vec<Expectation> {
    let mut out: Vec<Expectation> = Vec::new();
    for line in source.lines() {
        if let Some(rest) = line.strip_prefix("# expect: ") {
            out.push(Expectation {
                line: rest.to_string(),
                help: None,
            });
        } else if let Some(rest) = line.strip_prefix("# help: ")
            && let Some(last) = out.last_mut()
        {
            last.help = Some(rest.to_string());
        }
    }
    out
}

#[test]
fn invalid_corpus_gives_exact_diagnostics() {
    let files = yaml_files(&manifest_dir().join("tests/invalid"));
    assert!(
        files.len() >= 40,
        "the invalid corpus should hold at least 40 flows, found {}",
        files.len()
    );
    let validator = sluice_tasks::validator();
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let source = std::fs::read_to_string(file).expect("readable flow");
        let expected = expectations(&source);
        if expected.is_empty() {
            failures.push(format!("{name}: no `# expect:` header"));
            continue;
        }
        let checked = validator.check(&source);
        let got: Vec<(String, Option<String>)> = checked
            .diagnostics
            .iter()
            .map(|d| {
                (
                    format!("{}:{}: {}: {}", d.pos.line, d.pos.column, d.severity, d.message),
                    d.help.clone(),
                )
            })
            .collect();
        for exp in &expected {
            match got.iter().find(|(line, _)| *line == exp.line) {
                None => failures.push(format!("{name}: expected `{}`\n  got: {got:#?}", exp.line)),
                Some((_, help)) if exp.help.is_some() && *help != exp.help => failures.push(format!(
                    "{name}: `{}`\n  expected help {:?}\n  got help {help:?}",
                    exp.line, exp.help
                )),
                Some(_) => {}
            }
        }
        if got.len() != expected.len() {
            failures.push(format!(
                "{name}: expected {} diagnostics, got {}: {got:#?}",
                expected.len(),
                got.len()
            ));
        }
        let expects_error = expected.iter().any(|e| e.line.contains(": error: "));
        if expects_error == checked.is_valid() {
            failures.push(format!(
                "{name}: validity is {} but the header expects errors: {expects_error}",
                checked.is_valid()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
