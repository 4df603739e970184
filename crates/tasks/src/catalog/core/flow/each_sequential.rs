//! `io.kestra.plugin.core.flow.EachSequential` (deprecated in Kestra for ForEach): `tasks` in
//! order once per value of `value`, one value after the other. The engine walks it as a ForEach
//! with `concurrencyLimit: 1`.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.EachSequential>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The EachSequential task.
pub static EACH_SEQUENTIAL: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.EachSequential",
        &[
            "io.kestra.core.tasks.flows.EachSequential",
            "core.flow.EachSequential",
            "flow.EachSequential",
            "EachSequential",
        ],
        &[
            req(
                "value",
                Kind::Any,
                "A list of values, or a string or template giving a JSON array.",
            ),
            req("tasks", Kind::Tasks, "Tasks run one after the other for each value."),
            ERRORS,
            FINALLY,
        ],
        "Runs its tasks once for each value, one value after the other (ForEach's older form).",
    )
    .flowable(Flowable::ForEach),
    plan: None,
};
