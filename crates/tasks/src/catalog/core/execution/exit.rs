//! `io.kestra.plugin.core.execution.Exit`: ends the execution at once in `state`. Tasks still
//! running elsewhere (a Parallel branch) are only stopped with `state: KILLED`, as in Kestra.
//!
//! Kestra: <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.exit>

use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The states an Exit can end the execution in (`CANCELLED` is Sluice's spelling too).
const STATES: &[&str] = &["SUCCESS", "WARNING", "KILLED", "FAILED", "CANCELED", "CANCELLED"];

/// The Exit task.
pub static EXIT: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.execution.Exit",
        &["core.execution.Exit", "execution.Exit", "Exit"],
        &[opt(
            "state",
            Kind::Enum(STATES),
            "The execution's final state (default SUCCESS); only KILLED stops running tasks.",
        )],
        "Ends the execution now, in a chosen state.",
    )
    .flowable(Flowable::Exit),
    plan: None,
};
