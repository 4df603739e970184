//! `io.kestra.plugin.core.flow.Pause`: holds the execution PAUSED until a user resumes it
//! (`sluice execution resume`, the API's `POST /api/v1/executions/{id}/resume`, or the UI) or
//! its `pauseDuration` passes, and then ends as `behavior` says.
//!
//! Values given on resume are the task's output `onResume`.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.pause>

use super::ERRORS;
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, deprecated, no_effect, opt};

/// What a Pause does when its `pauseDuration` passes.
const BEHAVIORS: &[&str] = &["RESUME", "WARN", "FAIL", "CANCEL"];

/// The Pause task.
pub static PAUSE: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.Pause",
        &["io.kestra.core.tasks.flows.Pause", "core.flow.Pause", "flow.Pause", "Pause"],
        &[
            opt(
                "pauseDuration",
                Kind::Duration,
                "Resume by itself after this long (ISO-8601); without it, wait for a user.",
            ),
            deprecated("delay", Kind::Duration, "Resume by itself after this long.", "use `pauseDuration`"),
            opt(
                "behavior",
                Kind::Enum(BEHAVIORS),
                "What happens when `pauseDuration` passes: RESUME (default), WARN, FAIL or CANCEL.",
            ),
            no_effect(
                "onResume",
                Kind::Any,
                "Inputs asked for when resuming.",
                "Sluice keeps the values given on resume as the output `onResume` without checking them against these inputs",
            ),
            ERRORS,
            // Kestra's older form held child tasks; they are not run here.
            no_effect(
                "tasks",
                Kind::Tasks,
                "Tasks of the deprecated form.",
                "Sluice does not run tasks under a Pause; put them after it",
            ),
        ],
        "Pauses the execution until it is resumed or a duration passes.",
    )
    .flowable(Flowable::Pause),
    plan: None,
};
