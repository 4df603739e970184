//! `io.kestra.plugin.core.flow.ForEach`: `tasks` in order, once per value of `values`, at most
//! `concurrencyLimit` values at a time (default 1, 0 for no limit).
//!
//! `values` is a list, or a string or template that gives a JSON array; each value is text
//! (objects as JSON), duplicates are dropped. Children read it as `{{ taskrun.value }}`, their
//! own children as `{{ parent.taskrun.value }}`, and later tasks read a child's outputs as
//! `{{ outputs.child[value] }}`.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.foreach>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The ForEach task.
pub static FOR_EACH: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.ForEach",
        &["core.flow.ForEach", "flow.ForEach", "ForEach"],
        &[
            req(
                "values",
                Kind::Any,
                "A list of values, or a string or template giving a JSON array.",
            ),
            req("tasks", Kind::Tasks, "Tasks run one after the other for each value."),
            opt(
                "concurrencyLimit",
                Kind::Int,
                "Most values whose tasks run at once (default 1; 0: no limit).",
            ),
            ERRORS,
            FINALLY,
        ],
        "Runs its tasks once for each value of a list.",
    )
    .flowable(Flowable::ForEach),
    plan: None,
};
