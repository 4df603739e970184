//! `sluice flow …`: validate flow files and print the flow JSON Schema.

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use sluice_flow::{Diagnostic, Severity, Validator};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Subcommands of `sluice flow`.
#[derive(Subcommand)]
pub enum FlowCommand {
    /// Check flow files (or folders of them, recursively) and report every error and warning.
    ///
    /// Exits 0 when every flow is valid (warnings allowed), 1 when any is invalid, 2 on usage errors.
    Validate {
        /// Flow files, or folders searched recursively for `*.yml` and `*.yaml`.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// `text` for people, `json` for editors and CI.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the JSON Schema of the flow format, for editor completion and checks.
    Schema,
    /// Validate, store and run a flow here and now, showing task states and logs as they come.
    ///
    /// Exits 0 on SUCCESS or WARNING, 1 on FAILED or KILLED, 2 on an invalid flow or bad
    /// arguments. Ctrl-C kills the execution; a second Ctrl-C exits at once.
    Run(super::run::RunArgs),
}

/// Output formats of `flow validate`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line:column: error: …` lines with `help:`.
    Text,
    /// One JSON document with every file's diagnostics.
    Json,
}

/// Runs a `sluice flow` subcommand.
pub fn run(cmd: FlowCommand, data_dir: Option<PathBuf>) -> Result<ExitCode> {
    match cmd {
        FlowCommand::Validate { paths, format } => validate(&paths, format),
        FlowCommand::Run(args) => {
            let data_dir = crate::data_dir::resolve(data_dir)?;
            crate::tokio_runtime()?.block_on(super::run::run(args, &data_dir))
        }
        FlowCommand::Schema => {
            super::print(&serde_json::to_string_pretty(&sluice_flow::schema::json_schema(
                sluice_tasks::catalog(),
            ))?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The folder of a flows folder that holds namespace files (`server --flows`), one folder per
/// namespace.
pub const FILES_FOLDER: &str = "_files";

/// Every flow file named by `paths`: files as given, folders searched for `*.yml`/`*.yaml`
/// (but not their `_files/` folders).
pub fn collect_flow_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        if meta.is_dir() {
            let before = files.len();
            walk(path, &mut files)?;
            files[before..].sort();
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot list folder `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list folder `{}`", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        let hidden = name.to_string_lossy().starts_with('.');
        // `_files/` holds namespace files (see `server --flows`), not flows.
        let namespace_files = name == FILES_FOLDER;
        let kind = entry.file_type()?;
        if kind.is_dir() && !hidden && !namespace_files {
            walk(&path, out)?;
        } else if !kind.is_dir() && matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")) {
            out.push(path);
        }
    }
    Ok(())
}

struct FileReport {
    path: String,
    flow: Option<(String, String)>,
    diagnostics: Vec<Diagnostic>,
}

fn check_file(validator: &Validator, path: &Path) -> FileReport {
    let display = path.display().to_string();
    let diagnostics_for = |d: Diagnostic| FileReport {
        path: display.clone(),
        flow: None,
        diagnostics: vec![d],
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return diagnostics_for(
                Diagnostic::error(
                    sluice_flow::Pos::new(1, 1),
                    "unreadable-file",
                    format!("cannot read the file: {e}"),
                )
                .with_help("check that the file exists and that you may read it"),
            );
        }
    };
    let Ok(source) = String::from_utf8(bytes) else {
        return diagnostics_for(
            Diagnostic::error(sluice_flow::Pos::new(1, 1), "not-utf8", "the file is not UTF-8 text")
                .with_help("save the flow as UTF-8"),
        );
    };
    let checked = validator.check(&source);
    FileReport {
        path: display,
        flow: checked.flow.map(|f| (f.namespace, f.id)),
        diagnostics: checked.diagnostics,
    }
}

fn validate(paths: &[PathBuf], format: Format) -> Result<ExitCode> {
    let files = collect_flow_files(paths)?;
    if files.is_empty() {
        bail!(
            "no `*.yml` or `*.yaml` flow files under {}",
            paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let validator = sluice_tasks::validator();
    let mut reports: Vec<FileReport> = files.iter().map(|f| check_file(&validator, f)).collect();
    flag_duplicate_flows(&mut reports);
    let invalid = reports
        .iter()
        .filter(|r| r.diagnostics.iter().any(|d| d.severity == Severity::Error))
        .count();
    let warnings: usize = reports
        .iter()
        .map(|r| r.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count())
        .sum();
    let errors: usize = reports
        .iter()
        .map(|r| r.diagnostics.iter().filter(|d| d.severity == Severity::Error).count())
        .sum();
    let mut text = String::new();
    match format {
        Format::Text => {
            for r in &reports {
                for d in &r.diagnostics {
                    text.push_str(&d.render(&r.path));
                    text.push('\n');
                }
            }
            text += &format!(
                "checked {} flow file{}: {} valid, {invalid} invalid ({errors} error{}, {warnings} warning{})",
                reports.len(),
                plural(reports.len()),
                reports.len() - invalid,
                plural(errors),
                plural(warnings),
            );
        }
        Format::Json => {
            let files: Vec<serde_json::Value> = reports
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "path": r.path,
                        "valid": !r.diagnostics.iter().any(|d| d.severity == Severity::Error),
                        "namespace": r.flow.as_ref().map(|f| &f.0),
                        "id": r.flow.as_ref().map(|f| &f.1),
                        "diagnostics": r.diagnostics,
                    })
                })
                .collect();
            let out = serde_json::json!({
                "files": files,
                "summary": {"files": reports.len(), "invalid": invalid, "errors": errors, "warnings": warnings},
            });
            text = serde_json::to_string_pretty(&out)?;
        }
    }
    super::print(&text)?;
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Two files defining the same `namespace` and `id` would overwrite each other once deployed.
fn flag_duplicate_flows(reports: &mut [FileReport]) {
    let mut first: HashMap<(String, String), String> = HashMap::new();
    for r in reports.iter_mut() {
        let Some(key) = r.flow.clone() else { continue };
        match first.get(&key) {
            Some(other) => r.diagnostics.push(
                Diagnostic::warning(
                    sluice_flow::Pos::new(1, 1),
                    "duplicate-flow",
                    format!("flow `{}.{}` is also defined in `{other}`", key.0, key.1),
                )
                .with_help("give one of them another `id` or `namespace`; deployed together, the last one wins"),
            ),
            None => {
                first.insert(key, r.path.clone());
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
