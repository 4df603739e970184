//! `io.kestra.plugin.core.trigger.Schedule`: executions on a cron schedule. The scheduler crate
//! fires it; this module says what a flow may write.
//!
//! Kestra: <https://kestra.io/plugins/core/trigger/io.kestra.plugin.core.trigger.schedule>

use sluice_flow::schema::{Kind, Prop, TypeSpec, deprecated, opt, req};

const TRIGGER_INPUTS: Prop = opt("inputs", Kind::Map, "Inputs of the executions it starts.");

/// The Schedule trigger.
pub static SCHEDULE: TypeSpec = TypeSpec::new(
    "io.kestra.plugin.core.trigger.Schedule",
    &[
        "io.kestra.core.models.triggers.types.Schedule",
        "core.trigger.Schedule",
        "trigger.Schedule",
        "Schedule",
    ],
    &[
        req("cron", Kind::Cron, "When to fire, in cron syntax, e.g. `0 2 * * *`."),
        opt(
            "withSeconds",
            Kind::Bool,
            "The cron expression has a leading seconds field.",
        ),
        opt(
            "timezone",
            Kind::String,
            "Time zone of the cron expression (default UTC), e.g. `Europe/Paris`.",
        ),
        TRIGGER_INPUTS,
        deprecated(
            "backfill",
            Kind::Map,
            "Fire for past dates from `start`.",
            "Kestra replaced it with backfills started from its Triggers tab; Sluice does not backfill from it either, so remove it",
        ),
        deprecated(
            "scheduleConditions",
            Kind::Any,
            "Older date conditions.",
            "write them under `conditions`, which Sluice tests at each fire",
        ),
        opt(
            "lateMaximumDelay",
            Kind::Duration,
            "Skip a fire that is later than this.",
        ),
        opt(
            "recoverMissedSchedules",
            Kind::Enum(&["LAST", "NONE", "ALL"]),
            "What to do with fires missed while down.",
        ),
    ],
    "Starts executions on a cron schedule.",
);
