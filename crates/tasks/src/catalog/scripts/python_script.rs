//! `io.kestra.plugin.scripts.python.Script`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-script-python/io.kestra.plugin.scripts.python.script>

use super::props::{PY_PROPS, script_props};
use crate::catalog::TaskType;
use sluice_flow::schema::{Kind, Prop, TypeSpec, req};

const PROPS: [Prop; 22] = script_props([
    req("script", Kind::String, "Python source to run."),
    PY_PROPS[0],
    PY_PROPS[1],
    PY_PROPS[2],
    PY_PROPS[3],
    PY_PROPS[4],
    PY_PROPS[5],
    PY_PROPS[6],
]);

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
