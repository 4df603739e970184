//! `io.kestra.plugin.core.templating.TemplatedTask`: `spec` is rendered, read as the YAML of
//! one task (without `id`, which is this task's), checked as any task of a flow is, and run in
//! this task's place, so its outputs are this task's. Only a task a worker runs can be
//! templated: a flowable's children would not exist until the run.
//!
//! Kestra: <https://kestra.io/plugins/core/templating/io.kestra.plugin.core.templating.TemplatedTask>

use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::Severity;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The TemplatedTask task.
pub static TEMPLATED_TASK: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.templating.TemplatedTask",
        &[
            "io.kestra.core.tasks.templating.TemplatedTask",
            "core.templating.TemplatedTask",
            "templating.TemplatedTask",
            "TemplatedTask",
        ],
        &[req(
            "spec",
            Kind::String,
            "The YAML of the task to run (its `type` and properties, no `id`); rendered first.",
        )],
        "Runs a task whose whole definition is rendered from a template.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let invalid = |message: String| TaskError::Invalid {
        task: task.id.clone(),
        message,
    };
    let spec = crate::props::text(task, cx, "spec")?.unwrap_or_default();
    let inner = read_task(&task.id, &spec).map_err(invalid)?;
    if inner.flowable.is_some() {
        return Err(invalid(format!(
            "`spec` renders a `{}`, which the engine walks itself; a TemplatedTask can only hold a task a worker runs",
            inner.type_name
        )));
    }
    crate::plan(&inner, cx)
}

/// The task that `spec` (rendered) describes, checked by the validator, with the id `id`.
fn read_task(id: &str, spec: &str) -> Result<Task, String> {
    if spec
        .lines()
        .any(|l| l.trim_start().starts_with("id:") && !l.starts_with(' '))
    {
        return Err("`spec` must not set `id`: the task runs under the TemplatedTask's id".into());
    }
    // The spec becomes the only task of a flow, so it is checked exactly as a flow's task is.
    let mut source = format!("id: templated\nnamespace: templated\ntasks:\n  - id: {id}\n");
    for line in spec.lines() {
        source.push_str("    ");
        source.push_str(line);
        source.push('\n');
    }
    let checked = crate::catalog::check_flow(&source);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| match &d.help {
            Some(help) => format!("{} ({help})", d.message),
            None => d.message.clone(),
        })
        .collect();
    match checked.flow.and_then(|f| f.tasks.into_iter().next()) {
        Some(task) if errors.is_empty() => Ok(task),
        _ => Err(format!("`spec` is not a valid task: {}", errors.join("; "))),
    }
}

#[cfg(test)]
mod tests {
    use super::read_task;

    #[test]
    fn a_spec_becomes_a_task_under_the_outer_id() {
        let task = read_task("outer", "type: io.kestra.plugin.core.log.Log\nmessage: hi").unwrap();
        assert_eq!(task.id, "outer");
        assert_eq!(task.type_name, "io.kestra.plugin.core.log.Log");
        assert_eq!(task.properties["message"], "hi");
    }

    #[test]
    fn a_broken_spec_says_what_is_wrong() {
        let err = read_task("outer", "type: io.kestra.plugin.core.log.Log\nmesage: hi").unwrap_err();
        assert!(err.contains("mesage"), "{err}");
        let err = read_task("outer", "id: other\ntype: Log\nmessage: hi").unwrap_err();
        assert!(err.contains("must not set `id`"), "{err}");
    }
}
