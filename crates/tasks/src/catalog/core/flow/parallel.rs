//! `io.kestra.plugin.core.flow.Parallel`: children at once, at most `concurrent` at a time.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.parallel>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt, req};

/// The Parallel task.
pub static PARALLEL: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.Parallel",
        &[
            "io.kestra.core.tasks.flows.Parallel",
            "core.flow.Parallel",
            "flow.Parallel",
            "Parallel",
        ],
        &[
            req("tasks", Kind::Tasks, "Tasks run at the same time."),
            opt("concurrent", Kind::Int, "Most tasks running at once (0: no limit)."),
            ERRORS,
            FINALLY,
            no_effect(
                "failFast",
                Kind::Bool,
                "Kill the running siblings when one child fails.",
                "Sluice lets the running children finish when one fails, as with `failFast: false`",
            ),
        ],
        "Runs its tasks at the same time.",
    )
    .flowable(Flowable::Parallel),
    plan: None,
};
