//! `io.kestra.plugin.core.flow.Switch`: the `cases` list whose key equals the rendered `value`,
//! else `defaults`. With no match and no `defaults` the task fails and says so.
//!
//! Outputs `value` (as rendered) and `defaults` (whether no case matched).
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.switch>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The Switch task.
pub static SWITCH: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.Switch",
        &[
            "io.kestra.core.tasks.flows.Switch",
            // Written so in the example of Kestra's own documentation.
            "io.kestra.plugin.core.flows.Switch",
            "core.flow.Switch",
            "flow.Switch",
            "Switch",
        ],
        &[
            req(
                "value",
                Kind::String,
                "Rendered once, then compared with each case's key.",
            ),
            opt("cases", Kind::TaskMap, "Lists of tasks by the value that runs them."),
            opt("defaults", Kind::Tasks, "Tasks run when no case matches."),
            ERRORS,
            FINALLY,
        ],
        "Runs the tasks of the case that matches a value.",
    )
    .flowable(Flowable::Switch),
    plan: None,
};
