//! `io.kestra.plugin.core.flow.EachParallel` (deprecated in Kestra for ForEach): every task of
//! `tasks` for every value of `value` at once, at most `concurrent` task runs at a time (0, the
//! default, for no limit). Wrap tasks in a Sequential to keep them in order per value.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.EachParallel>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The EachParallel task.
pub static EACH_PARALLEL: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.EachParallel",
        &[
            "io.kestra.core.tasks.flows.EachParallel",
            "core.flow.EachParallel",
            "flow.EachParallel",
            "EachParallel",
        ],
        &[
            req(
                "value",
                Kind::Any,
                "A list of values, or a string or template giving a JSON array.",
            ),
            req("tasks", Kind::Tasks, "Tasks run at once for every value."),
            opt("concurrent", Kind::Int, "Most task runs at once (default 0: no limit)."),
            ERRORS,
            FINALLY,
        ],
        "Runs every task for every value at once (ForEach's older parallel form).",
    )
    .flowable(Flowable::ForEach),
    plan: None,
};
