//! `io.kestra.plugin.scripts.shell.Script`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-script-shell/io.kestra.plugin.scripts.shell.script>

use super::props::script_props;
use crate::catalog::TaskType;
use sluice_flow::schema::{Kind, Prop, TypeSpec, req};

const PROPS: [Prop; 15] = script_props([req("script", Kind::String, "A shell script to run.")]);

/// The shell Script task.
pub static SHELL_SCRIPT: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.scripts.shell.Script",
        &["shell.Script"],
        &PROPS,
        "Runs a shell script.",
    ),
    plan: Some(super::plan),
};
