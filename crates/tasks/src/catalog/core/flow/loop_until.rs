//! `io.kestra.plugin.core.flow.LoopUntil` (also Kestra's older `WaitFor`): its tasks run in
//! rounds until `condition` renders true after a round; rounds start `checkFrequency.interval`
//! apart (default PT1M), at most `maxIterations` of them for at most `maxDuration`, after which
//! it ends, failed when `failOnMaxReached`. `outputs.<id>.iterationCount` is the round.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.loopuntil>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, Prop, TypeSpec, opt, req};

/// `checkFrequency`'s properties.
const CHECK_FREQUENCY: &[Prop] = &[
    opt("interval", Kind::Duration, "Time between rounds (default PT1M)."),
    opt("maxIterations", Kind::Int, "Most rounds (default: no limit)."),
    opt(
        "maxDuration",
        Kind::Duration,
        "Longest the loop may go on (default: no limit).",
    ),
];

/// The LoopUntil task.
pub static LOOP_UNTIL: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.LoopUntil",
        &[
            "io.kestra.plugin.core.flow.WaitFor",
            "core.flow.LoopUntil",
            "flow.LoopUntil",
            "LoopUntil",
        ],
        &[
            req(
                "condition",
                Kind::String,
                "Rendered after each round; the loop ends when it is true.",
            ),
            req("tasks", Kind::Tasks, "Tasks of one round, one after the other."),
            opt(
                "checkFrequency",
                Kind::Object(CHECK_FREQUENCY),
                "How often rounds start, and the limits of the loop.",
            ),
            opt(
                "failOnMaxReached",
                Kind::Bool,
                "Fail when a limit is reached before the condition is true (default false).",
            ),
            ERRORS,
            FINALLY,
        ],
        "Runs its tasks again and again until a condition is true.",
    )
    .flowable(Flowable::LoopUntil),
    plan: None,
};
