//! `io.kestra.plugin.scripts`: shell and Python commands and scripts, run on the task's runner.

pub(crate) mod props;
pub mod python_commands;
pub mod python_script;
pub mod shell_commands;
pub mod shell_script;

use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;

/// The plan of every script type: one shell script run by the task's interpreter.
pub(crate) fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    crate::script::plan(task, cx).map(|job| Plan::Job(Box::new(job)))
}
