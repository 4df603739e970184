//! The DbtCLI part of planning, on top of the script job that `commands` and `beforeCommands`
//! make (see `script.rs`). Kestra's plugin rewrites each command that starts with `dbt`, adding
//! `--project-dir <projectDir>`, `--log-format <logFormat>` and `--log-path logs` unless the
//! command has them. Sluice sets the environment variables dbt reads for the same options
//! instead (`DBT_PROJECT_DIR`, `DBT_LOG_FORMAT`, `DBT_LOG_PATH`; dbt 1.5 and later), which a flag
//! written in a command still overrides as it does in Kestra, and which also reach dbt run from
//! `beforeCommands`, from a script or through `cd dir && dbt …`. Commands run in the working
//! directory, as in Kestra, so relative paths in them and in `profiles` (a DuckDB `path`) mean
//! the same thing in both. `profiles` is written to `profiles.yml` in the working directory,
//! with `DBT_PROFILES_DIR` pointing there; `<projectDir>/target/run_results.json` and
//! `<projectDir>/target/manifest.json` join the output files, so the worker gets them from any
//! runner. Variables the task's `env` sets win over all of these.

use super::DbtPost;
use crate::{PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_runners::Job;

/// File the `profiles` property is written to, in the working directory (`DBT_PROFILES_DIR`).
pub const PROFILES_FILE: &str = "profiles.yml";

/// Adds the DbtCLI properties to a planned script job and says what to do after it.
pub(crate) fn apply(task: &Task, cx: &PlanContext<'_>, job: &mut Job) -> Result<DbtPost, TaskError> {
    let invalid = |message: String| TaskError::Invalid {
        task: task.id.clone(),
        message,
    };
    let render = |property: &str| -> Result<Option<String>, TaskError> {
        match task.properties.get(property) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => cx.renderer.string(&task.id, property, s, cx.variables).map(Some),
            Some(other) => Ok(Some(other.to_string())),
        }
    };
    let working_dir = cx.working_dir.trim_end_matches('/');
    let mut set_env = |key: &str, value: String| {
        job.env.entry(key.to_string()).or_insert(value);
    };

    // Kestra: "Content written to `profiles.yml` in the working directory, overriding any
    // existing file" (an input file of the same name included); nothing when empty.
    if let Some(profiles) = render("profiles")?.filter(|p| !p.trim().is_empty()) {
        job.input_files.insert(PROFILES_FILE.to_string(), profiles.into_bytes());
        set_env("DBT_PROFILES_DIR", working_dir.to_string());
    }

    let project_dir = match render("projectDir")? {
        Some(dir) => normalize_dir(&dir).map_err(|reason| {
            invalid(format!(
                "`projectDir` must be a folder inside the working directory, like `dbt`; `{dir}` {reason}"
            ))
        })?,
        None => String::new(),
    };
    if !project_dir.is_empty() {
        set_env("DBT_PROJECT_DIR", format!("{working_dir}/{project_dir}"));
    }

    let format = match render("logFormat")?.as_deref().map(str::trim) {
        None | Some("") => "json".to_string(),
        Some(f) if ["json", "text", "debug", "none"].contains(&f.to_ascii_lowercase().as_str()) => {
            f.to_ascii_lowercase()
        }
        Some(f) => {
            return Err(invalid(format!(
                "`logFormat` must be JSON, TEXT, DEBUG or NONE, found `{f}`"
            )));
        }
    };
    if format != "none" {
        set_env("DBT_LOG_FORMAT", format);
    }
    set_env("DBT_LOG_PATH", format!("{working_dir}/logs"));
    set_env("PYTHONUNBUFFERED", "true".to_string());
    set_env("PIP_ROOT_USER_ACTION", "ignore".to_string());
    // What dbt will use: the task's `env` may have set DBT_LOG_FORMAT itself.
    let json_logs = job
        .env
        .get("DBT_LOG_FORMAT")
        .is_some_and(|f| f.trim().eq_ignore_ascii_case("json"));

    let target = if project_dir.is_empty() {
        "target".to_string()
    } else {
        format!("{project_dir}/target")
    };
    let run_results_path = format!("{target}/run_results.json");
    let manifest_path = format!("{target}/manifest.json");
    for path in [&run_results_path, &manifest_path] {
        let pattern = glob_escape(path);
        if !job.output_files.contains(&pattern) && !job.output_files.contains(path) {
            job.output_files.push(pattern);
        }
    }

    Ok(DbtPost {
        project_dir,
        run_results_path,
        manifest_path,
        parse_run_results: flag(task.properties.get("parseRunResults"), true),
        json_logs,
    })
}

fn flag(value: Option<&Value>, default: bool) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => default,
        },
        _ => default,
    }
}

/// `./dbt/` → `dbt`, `.` → `` (the working directory); an error for paths that leave the
/// working directory.
fn normalize_dir(dir: &str) -> Result<String, &'static str> {
    let mut parts = Vec::new();
    for part in dir.trim().split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("goes up with `..`"),
            other => parts.push(other),
        }
    }
    if dir.trim().starts_with('/') {
        return Err("is an absolute path");
    }
    if dir.contains('\0') {
        return Err("contains a NUL byte");
    }
    Ok(parts.join("/"))
}

/// Makes a path match itself only, as an output files glob.
fn glob_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '*' | '?' | '[' | ']' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirs() {
        assert_eq!(normalize_dir("./dbt/"), Ok("dbt".into()));
        assert_eq!(normalize_dir("a//b/./c"), Ok("a/b/c".into()));
        assert_eq!(normalize_dir("."), Ok(String::new()));
        assert!(normalize_dir("../x").is_err());
        assert!(normalize_dir("/abs").is_err());
    }

    #[test]
    fn escapes() {
        assert_eq!(glob_escape("a[1]/t*?.json"), "a[[]1[]]/t[*][?].json");
        assert_eq!(glob_escape("dbt/target/x.json"), "dbt/target/x.json");
    }
}
