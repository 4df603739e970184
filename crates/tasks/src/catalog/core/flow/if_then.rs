//! `io.kestra.plugin.core.flow.If`: `then` when `condition` renders true, else `else`.
//!
//! The condition is rendered once, when the task run opens, and kept as its output
//! `evaluationResult`; the strings `false`, `0`, `-0` and the empty string are false.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.if>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The If task.
pub static IF: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.If",
        &["io.kestra.core.tasks.flows.If", "core.flow.If", "flow.If", "If"],
        &[
            opt(
                "condition",
                Kind::String,
                "Rendered once; `false`, `0`, `-0` and the empty string are false, all else is true.",
            ),
            req("then", Kind::Tasks, "Tasks run when the condition is true."),
            opt("else", Kind::Tasks, "Tasks run when the condition is false."),
            ERRORS,
            FINALLY,
        ],
        "Runs `then` or `else`, depending on a condition.",
    )
    .flowable(Flowable::If),
    plan: None,
};
