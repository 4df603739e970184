//! Python tasks' `dependencies`, installed with the `packageManager` they name, before the
//! task's own commands.
//!
//! Kestra (kestra-io/plugin-scripts `plugin-script-python/.../python/internals/PackageManagerType.java`)
//! installs with uv by default and with pip on request. Sluice does the same with the tools the
//! image (or the host) has: uv when it is on the PATH, else pip; it never downloads uv, and with
//! `uvAutoInstallEnabled: false` a missing uv fails the task as Kestra's does.

use crate::props::shell_quote;
use serde_json::Value;
use sluice_flow::model::Task;

/// The package manager a Python task asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    /// `python -m pip install`.
    Pip,
    /// `uv pip install`, falling back to pip when uv is missing (Kestra's default).
    Uv,
}

impl PackageManager {
    /// The task's `packageManager`; Kestra's default is UV.
    pub fn of(task: &Task) -> Self {
        match task.properties.get("packageManager").and_then(Value::as_str) {
            Some("PIP") => PackageManager::Pip,
            _ => PackageManager::Uv,
        }
    }
}

/// The shell line that installs the task's `dependencies` into the environment of `python`
/// (the interpreter the task runs), or `None` when there are none.
pub fn install_line(task: &Task, python: &str) -> Option<String> {
    let deps: Vec<String> = match task.properties.get("dependencies") {
        Some(Value::Array(deps)) => deps.iter().filter_map(Value::as_str).map(shell_quote).collect(),
        _ => Vec::new(),
    };
    if deps.is_empty() {
        return None;
    }
    let deps = deps.join(" ");
    let pip = format!("{python} -m pip install --quiet {deps}");
    Some(match PackageManager::of(task) {
        PackageManager::Pip => pip,
        PackageManager::Uv => {
            let auto_install = !matches!(
                task.properties.get("uvAutoInstallEnabled"),
                Some(v) if *v == Value::Bool(false) || v.as_str() == Some("false")
            );
            let otherwise = if auto_install {
                pip
            } else {
                "echo 'packageManager is UV and uvAutoInstallEnabled is false, but uv is not on the PATH; install uv in the image or set packageManager: PIP' >&2; exit 1".to_owned()
            };
            // `--python` with the interpreter's path installs into its environment, venv or not,
            // the same one pip would use.
            format!(
                "if command -v uv >/dev/null 2>&1; then uv pip install --quiet --python \"$(command -v {python})\" {deps}; else {otherwise}; fi"
            )
        }
    })
}

#[cfg(test)]
mod tests;
