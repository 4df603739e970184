//! `sluice flow validate` and `sluice flow schema` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sluice(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .output()
        .expect("sluice runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

const GOOD: &str =
    "id: good\nnamespace: dev\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
const TYPO: &str = "id: bad\nnamespace: dev\ntasks:\n  - id: hi\n    type: io.kestra.plugin.scripts.shell.Commands\n    comands:\n      - echo hi\n";

#[test]
fn seed_flows_validate_with_exit_zero() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/flows/seed");
    let out = sluice(&["flow", "validate", seed.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("checked 3 flow files: 3 valid, 0 invalid"), "{stdout}");
}

#[test]
fn an_invalid_flow_exits_one_with_file_line_column_and_help() {
    let dir = scratch("typo");
    let path = write(&dir, "flows/bad.yaml", TYPO);
    write(&dir, "flows/nested/good.yml", GOOD);
    write(&dir, "flows/readme.txt", "not a flow");
    let out = sluice(&["flow", "validate", dir.join("flows").to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let expected = format!(
        "{}:6:5: error: unknown property `comands` in task `hi`\n  help: did you mean `commands`?",
        path.display()
    );
    assert!(stdout.contains(&expected), "{stdout}");
    assert!(
        !stdout.contains("has no `commands`"),
        "the typo alone explains it: {stdout}"
    );
    assert!(
        stdout.contains("checked 2 flow files: 1 valid, 1 invalid (1 error, 0 warnings)"),
        "{stdout}"
    );
}

#[test]
fn json_format_lists_every_diagnostic() {
    let dir = scratch("json");
    let path = write(&dir, "bad.yaml", TYPO);
    let out = sluice(&["flow", "validate", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let diags = doc["files"][0]["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["line"], 6);
    assert_eq!(diags[0]["column"], 5);
    assert_eq!(diags[0]["severity"], "error");
    assert_eq!(diags[0]["code"], "unknown-property");
    assert_eq!(diags[0]["help"], "did you mean `commands`?");
    assert_eq!(doc["summary"]["invalid"], 1);
}

#[test]
fn usage_errors_exit_two() {
    let out = sluice(&["flow", "validate", "/definitely/not/here.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `/definitely/not/here.yaml`"));
    let out = sluice(&["flow", "validate"]);
    assert_eq!(out.status.code(), Some(2));
    let empty = scratch("empty");
    let out = sluice(&["flow", "validate", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `*.yml` or `*.yaml` flow files"));
}

#[test]
fn binary_and_hostile_files_are_reported_not_crashed_on() {
    let dir = scratch("hostile");
    std::fs::write(dir.join("bin.yaml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    write(&dir, "we ird\n;name.yaml", "{{{{");
    let out = sluice(&["flow", "validate", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("error: the file is not UTF-8 text"), "{stdout}");
    assert!(stdout.contains("checked 2 flow files: 0 valid, 2 invalid"), "{stdout}");
}

#[test]
fn schema_is_json_with_every_task_type() {
    let out = sluice(&["flow", "schema"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON schema");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let names = schema["definitions"]["task"]["properties"]["type"]["enum"]
        .as_array()
        .unwrap();
    for t in [
        "io.kestra.plugin.kubernetes.PodCreate",
        "io.kestra.plugin.dbt.cli.DbtCLI",
        "shell.Commands",
    ] {
        assert!(names.iter().any(|n| n == t), "{t} missing");
    }
}
