//! The tables of task and trigger types Sluice knows, with Kestra's names and property names.
//! Script tasks' properties are in `scripts.rs`, PodCreate's in `pod.rs`.

use super::{Kind, Prop, TypeSpec, deprecated, no_effect, opt, req};
use super::{pod, scripts};

/// Task types.
pub static TASKS: &[TypeSpec] = &[
    TypeSpec {
        name: "io.kestra.plugin.core.log.Log",
        aliases: &["io.kestra.core.tasks.log.Log", "core.log.Log", "log.Log", "Log"],
        props: &[
            req(
                "message",
                Kind::StringOrList,
                "The message, or a list of messages, to log.",
            ),
            opt(
                "level",
                Kind::Enum(super::LOG_LEVELS),
                "Level of the log line (default INFO).",
            ),
        ],
        doc: "Writes a message to the execution's logs.",
    },
    TypeSpec {
        name: "io.kestra.plugin.core.flow.Sequential",
        aliases: &[
            "io.kestra.core.tasks.flows.Sequential",
            "core.flow.Sequential",
            "flow.Sequential",
            "Sequential",
        ],
        props: &[req("tasks", Kind::Tasks, "Tasks run one after the other.")],
        doc: "Runs its tasks one after the other.",
    },
    TypeSpec {
        name: "io.kestra.plugin.core.flow.Parallel",
        aliases: &[
            "io.kestra.core.tasks.flows.Parallel",
            "core.flow.Parallel",
            "flow.Parallel",
            "Parallel",
        ],
        props: &[
            req("tasks", Kind::Tasks, "Tasks run at the same time."),
            opt("concurrent", Kind::Int, "Most tasks running at once (0: no limit)."),
            no_effect(
                "failFast",
                Kind::Bool,
                "Kill the running siblings when one child fails.",
                "Sluice lets the running children finish when one fails, as with `failFast: false`",
            ),
        ],
        doc: "Runs its tasks at the same time.",
    },
    TypeSpec {
        name: "io.kestra.plugin.scripts.shell.Commands",
        aliases: &["shell.Commands"],
        props: scripts::SHELL_COMMANDS,
        doc: "Runs shell commands.",
    },
    TypeSpec {
        name: "io.kestra.plugin.scripts.shell.Script",
        aliases: &["shell.Script"],
        props: scripts::SHELL_SCRIPT,
        doc: "Runs a shell script.",
    },
    TypeSpec {
        name: "io.kestra.plugin.scripts.python.Commands",
        aliases: &["python.Commands"],
        props: scripts::PYTHON_COMMANDS,
        doc: "Runs commands in a Python environment.",
    },
    TypeSpec {
        name: "io.kestra.plugin.scripts.python.Script",
        aliases: &["python.Script"],
        props: scripts::PYTHON_SCRIPT,
        doc: "Runs a Python script.",
    },
    TypeSpec {
        name: "io.kestra.plugin.dbt.cli.DbtCLI",
        aliases: &["dbt.CLI", "dbt.cli.DbtCLI"],
        props: scripts::DBT_CLI,
        doc: "Runs dbt commands and reports each dbt node as its own task run.",
    },
    TypeSpec {
        name: "io.kestra.plugin.kubernetes.PodCreate",
        aliases: &["io.kestra.plugin.kubernetes.core.PodCreate", "kubernetes.PodCreate"],
        props: pod::POD_CREATE,
        doc: "Creates a Kubernetes pod from a full spec, follows it to the end, and deletes it.",
    },
];

const TRIGGER_INPUTS: Prop = opt("inputs", Kind::Map, "Inputs of the executions it starts.");

/// Trigger types.
pub static TRIGGERS: &[TypeSpec] = &[TypeSpec {
    name: "io.kestra.plugin.core.trigger.Schedule",
    aliases: &[
        "io.kestra.core.models.triggers.types.Schedule",
        "core.trigger.Schedule",
        "trigger.Schedule",
        "Schedule",
    ],
    props: &[
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
            "write them under `conditions` (which Sluice does not evaluate yet)",
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
    doc: "Starts executions on a cron schedule.",
}];
