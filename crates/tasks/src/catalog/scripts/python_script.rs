//! `io.kestra.plugin.scripts.python.Script`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-script-python/io.kestra.plugin.scripts.python.script>

use super::props::python_props;
use crate::catalog::TaskType;
use sluice_flow::schema::{Kind, Prop, TypeSpec, req};

const PROPS: [Prop; 22] = python_props(req("script", Kind::String, "Python source to run."));

/// The Python Script task.
pub static PYTHON_SCRIPT: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.scripts.python.Script",
        &["python.Script"],
        &PROPS,
        "Runs a Python script.",
    ),
    plan: Some(super::plan),
};
