//! `io.kestra.plugin.scripts.shell.Commands`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-script-shell/io.kestra.plugin.scripts.shell.commands>

use super::props::script_props;
use crate::catalog::TaskType;
use sluice_flow::schema::{Kind, Prop, TypeSpec, req};

const PROPS: [Prop; 15] = script_props([req("commands", Kind::StringList, "Shell commands to run.")]);

/// The shell Commands task.
pub static SHELL_COMMANDS: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.scripts.shell.Commands",
        &["shell.Commands"],
        &PROPS,
        "Runs shell commands.",
    ),
    plan: Some(super::plan),
};
