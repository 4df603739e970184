//! `io.kestra.plugin.core.flow.Sequential`: children one after the other.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.sequential>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The Sequential task.
pub static SEQUENTIAL: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.Sequential",
        &[
            "io.kestra.core.tasks.flows.Sequential",
            "core.flow.Sequential",
            "flow.Sequential",
            "Sequential",
        ],
        &[
            req("tasks", Kind::Tasks, "Tasks run one after the other."),
            ERRORS,
            FINALLY,
        ],
        "Runs its tasks one after the other.",
    )
    .flowable(Flowable::Sequential),
    plan: None,
};
