//! `io.kestra.plugin.core.execution.SetVariables`: merges rendered `variables` into the
//! execution's `{{ vars }}` (nested mappings merged); `overwrite: false` fails on a name that
//! exists. The engine does it at once and stores it with the execution.
//!
//! Kestra: <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.setvariables>

use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The SetVariables task.
pub static SET_VARIABLES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.execution.SetVariables",
        &["core.execution.SetVariables", "execution.SetVariables", "SetVariables"],
        &[
            req(
                "variables",
                Kind::Map,
                "Names and values to set; templates are rendered.",
            ),
            opt(
                "overwrite",
                Kind::Bool,
                "Replace variables that exist (default true); false fails the task instead.",
            ),
        ],
        "Sets variables of the running execution, read as `{{ vars.name }}`.",
    )
    .flowable(Flowable::SetVariables),
    plan: None,
};
