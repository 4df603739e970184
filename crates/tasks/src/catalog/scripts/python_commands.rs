//! `io.kestra.plugin.scripts.python.Commands`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-script-python/io.kestra.plugin.scripts.python.commands>

use super::props::python_props;
use crate::catalog::TaskType;
use sluice_flow::schema::{Kind, Prop, TypeSpec, req};

const PROPS: [Prop; 22] = python_props(req(
    "commands",
    Kind::StringList,
    "Commands to run, usually `python …`.",
));

/// The Python Commands task.
pub static PYTHON_COMMANDS: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.scripts.python.Commands",
        &["python.Commands"],
        &PROPS,
        "Runs commands in a Python environment.",
    ),
    plan: Some(super::plan),
};
