//! `io.kestra.plugin.core.flow.Dag`: tasks that start as soon as the tasks they `dependsOn`
//! ended well, at most `concurrent` at a time (0, the default: no limit). The validator refuses
//! a dependency on a task outside the Dag and a circle of dependencies, where they are written.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.dag>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The Dag task.
pub static DAG: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.Dag",
        &["io.kestra.core.tasks.flows.Dag", "core.flow.Dag", "flow.Dag", "Dag"],
        &[
            req(
                "tasks",
                Kind::DagTasks,
                "Entries of `task` and `dependsOn` (ids of the Dag's tasks it waits for).",
            ),
            opt(
                "concurrent",
                Kind::Int,
                "Most tasks running at once (0, the default: no limit).",
            ),
            ERRORS,
            FINALLY,
        ],
        "Runs tasks in the order their dependencies allow, as many at once as can go.",
    )
    .flowable(Flowable::Dag),
    plan: None,
};
