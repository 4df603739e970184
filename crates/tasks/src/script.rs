//! Script tasks (`shell.Commands`, `shell.Script`, `python.Commands`, `python.Script`, and the
//! command part of `DbtCLI`): commands become one shell script run by the task's interpreter.
//! DbtCLI's own properties (`profiles`, `projectDir`, `logFormat`, `parseRunResults`) are added
//! by `dbt::plan`.

use crate::props::{DBT_CLI, flag, input_files, shell_quote, strings};
use crate::{PlanContext, ScriptJob, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_runners::{DEFAULT_KILL_GRACE, Job};
use std::collections::BTreeMap;

/// File the `script` property of `*.Script` tasks is written to, inside the working directory.
pub const SCRIPT_FILE: &str = ".sluice-script";

/// Builds the job of a script task.
pub fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<ScriptJob, TaskError> {
    let python = task.type_name.contains(".python.");
    let interpreter_bin = if cx.on_host { "python3" } else { "python" };
    let mut input_files = input_files(task, cx)?;

    let mut lines = Vec::new();
    if flag(task, "failFast", true) {
        lines.push("set -e".to_string());
    }
    if python && let Some(line) = crate::python::install_line(task, interpreter_bin) {
        lines.push(line);
    }
    lines.extend(strings(task, cx, "beforeCommands")?);
    if let Some(Value::String(script)) = task.properties.get("script") {
        let rendered = cx.renderer.string(&task.id, "script", script, cx.variables)?;
        let (file, runner) = if python {
            (format!("{SCRIPT_FILE}.py"), interpreter_bin)
        } else {
            (format!("{SCRIPT_FILE}.sh"), "/bin/sh")
        };
        input_files.insert(file.clone(), rendered.into_bytes());
        lines.push(format!(
            "{runner} {}",
            shell_quote(&format!("{}/{file}", cx.working_dir))
        ));
    }
    lines.extend(strings(task, cx, "commands")?);

    let mut command = strings(task, cx, "interpreter")?;
    if command.is_empty() {
        command = vec!["/bin/sh".into(), "-c".into()];
    }
    command.push(lines.join("\n"));

    let mut env = BTreeMap::new();
    if let Some(Value::Object(vars)) = task.properties.get("env") {
        for (k, v) in vars {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            env.insert(
                k.clone(),
                cx.renderer.string(&task.id, &format!("env.{k}"), &text, cx.variables)?,
            );
        }
    }
    let image = crate::runner::image(task, cx)?;
    let mut job = Job::new(cx.job_name.clone(), command);
    job.env = env;
    job.input_files = input_files;
    job.output_files = strings(task, cx, "outputFiles")?;
    job.timeout = crate::props::timeout(task, cx)?;
    job.kill_grace = DEFAULT_KILL_GRACE;
    job.image = image;
    let dbt = if task.type_name == DBT_CLI {
        Some(Box::new(crate::dbt::plan::apply(task, cx, &mut job)?))
    } else {
        None
    };
    Ok(ScriptJob {
        job,
        outputs: serde_json::Map::new(),
        warning_on_stderr: flag(task, "warningOnStdErr", false),
        dbt,
        lifted: None,
    })
}
