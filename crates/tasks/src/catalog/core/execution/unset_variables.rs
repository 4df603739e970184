//! `io.kestra.plugin.core.execution.UnsetVariables`: removes names from the execution's
//! `{{ vars }}`; a name that is not there fails the task unless `ignoreMissing` is true.
//!
//! Kestra: <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.unsetvariables>

use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The UnsetVariables task.
pub static UNSET_VARIABLES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.execution.UnsetVariables",
        &[
            "core.execution.UnsetVariables",
            "execution.UnsetVariables",
            "UnsetVariables",
        ],
        &[
            req("variables", Kind::StringList, "Names of the variables to remove."),
            opt(
                "ignoreMissing",
                Kind::Bool,
                "A name that is not a variable is ignored instead of failing the task (default false).",
            ),
        ],
        "Removes variables of the running execution.",
    )
    .flowable(Flowable::UnsetVariables),
    plan: None,
};
