//! How Sluice describes a task, trigger or task runner type: names, aliases, properties.
//!
//! The types themselves live in `sluice-tasks` (one module each) and reach the validator as a
//! [`Catalog`]; one catalog drives validation, did-you-mean suggestions and the JSON Schema
//! export, so the three can never disagree.

mod catalog;
mod json;
mod pod;
mod runners;

pub use catalog::{Catalog, find_type, type_names};
pub use json::json_schema;
pub use pod::POD_LIFE;
pub use runners::{DOCKER_OPTIONS, RUNNERS};

use crate::model::Flowable;

/// What a property's value must look like.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Any scalar, used as text (may be a template).
    String,
    /// Text that is never rendered, as Kestra treats descriptions.
    Text,
    /// true or false.
    Bool,
    /// A whole number.
    Int,
    /// Any number.
    Number,
    /// An ISO-8601 duration such as `PT5M`.
    Duration,
    /// A standard cron expression.
    Cron,
    /// One of a fixed set of words.
    Enum(&'static [&'static str]),
    /// A list of strings.
    StringList,
    /// A mapping of names to strings (environment variables, labels).
    StringMap,
    /// Files to write before the run: a mapping of file name to content.
    Files,
    /// Any mapping, checked elsewhere or not at all.
    Map,
    /// Anything at all.
    Any,
    /// A mapping with known properties.
    Object(&'static [Prop]),
    /// A list of tasks, validated recursively.
    Tasks,
    /// A mapping of names to lists of tasks (Switch's `cases`).
    TaskMap,
    /// A Dag's list of `{task, dependsOn}` entries.
    DagTasks,
    /// A task runner, chosen by its `type`.
    TaskRunner,
    /// A retry policy.
    Retry,
    /// A message: a string or a list of strings.
    StringOrList,
    /// A Kubernetes pod spec or pod metadata, checked against the Kubernetes API types.
    Pod(crate::k8s::PodPart),
    /// A list of trigger conditions, each checked against the catalog's condition types.
    Conditions,
}

/// One property of a type.
#[derive(Debug, Clone, Copy)]
pub struct Prop {
    /// The name as written in YAML.
    pub name: &'static str,
    /// What its value must look like.
    pub kind: Kind,
    /// Whether a flow must set it.
    pub required: bool,
    /// One line for editors and the JSON Schema.
    pub doc: &'static str,
    /// Whether setting it earns a warning, and what the warning says.
    pub note: Note,
}

/// Why a property that Kestra accepts earns a warning when a flow sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// Nothing to say: the property works as in Kestra.
    None,
    /// Kestra still accepts it but has deprecated it; the text says what replaces it.
    Deprecated(&'static str),
    /// Sluice accepts it but does not do what Kestra does; the text says what Sluice does instead.
    NoEffect(&'static str),
}

/// A property that a flow may set.
pub const fn opt(name: &'static str, kind: Kind, doc: &'static str) -> Prop {
    Prop {
        name,
        kind,
        required: false,
        doc,
        note: Note::None,
    }
}

/// A property that a flow must set.
pub const fn req(name: &'static str, kind: Kind, doc: &'static str) -> Prop {
    Prop {
        name,
        kind,
        required: true,
        doc,
        note: Note::None,
    }
}

/// An optional property Kestra has deprecated; `instead` says what replaces it.
pub const fn deprecated(name: &'static str, kind: Kind, doc: &'static str, instead: &'static str) -> Prop {
    Prop {
        note: Note::Deprecated(instead),
        ..opt(name, kind, doc)
    }
}

/// An optional property Sluice accepts without doing what Kestra does; `instead` says what
/// Sluice does.
pub const fn no_effect(name: &'static str, kind: Kind, doc: &'static str, instead: &'static str) -> Prop {
    Prop {
        note: Note::NoEffect(instead),
        ..opt(name, kind, doc)
    }
}

/// A task, trigger or task-runner type.
#[derive(Debug)]
pub struct TypeSpec {
    /// Kestra's full type name, the canonical one.
    pub name: &'static str,
    /// Other names that select this type (older Kestra names, short forms).
    pub aliases: &'static [&'static str],
    /// Properties beyond the common ones of its category.
    pub props: &'static [Prop],
    /// One line for editors and the JSON Schema.
    pub doc: &'static str,
    /// For a task type whose children the engine walks (Sequential, If, ForEach…): how it walks
    /// them. `None` for tasks a worker runs, and for triggers and task runners.
    pub flowable: Option<Flowable>,
    /// A check of the whole value that property kinds cannot say (properties that exclude each
    /// other, limits across lists), run after the properties are checked.
    pub rule: Option<Rule>,
}

/// A type's own check of its YAML mapping: the problems found, each with where and how to fix.
pub type Rule = fn(&crate::yaml::Node) -> Vec<crate::Diagnostic>;

impl TypeSpec {
    /// A type that is not flowable.
    pub const fn new(
        name: &'static str,
        aliases: &'static [&'static str],
        props: &'static [Prop],
        doc: &'static str,
    ) -> Self {
        TypeSpec {
            name,
            aliases,
            props,
            doc,
            flowable: None,
            rule: None,
        }
    }

    /// The same type, with its own check of the whole value.
    pub const fn with_rule(self, rule: Rule) -> Self {
        TypeSpec {
            rule: Some(rule),
            ..self
        }
    }

    /// The same type, walked by the engine as `flowable`.
    pub const fn flowable(self, flowable: Flowable) -> Self {
        TypeSpec {
            flowable: Some(flowable),
            ..self
        }
    }

    /// Whether `name` selects this type.
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }

    /// The shortest name a flow may write for this type, for lists in messages.
    pub fn short_name(&self) -> &'static str {
        self.aliases
            .iter()
            .copied()
            .min_by_key(|a| a.len())
            .unwrap_or(self.name)
    }

    /// A property by name.
    pub fn prop(&self, name: &str) -> Option<&'static Prop> {
        self.props.iter().find(|p| p.name == name)
    }
}

/// Properties every task has, whatever its type.
pub const TASK_COMMON: &[Prop] = &[
    req("id", Kind::String, "Unique id of the task in the flow."),
    req(
        "type",
        Kind::String,
        "The task type, e.g. `io.kestra.plugin.scripts.shell.Commands`.",
    ),
    opt("description", Kind::Text, "What the task does (never rendered)."),
    opt("retry", Kind::Retry, "How to retry a failed attempt."),
    opt(
        "timeout",
        Kind::Duration,
        "Longest an attempt may run; it then fails and its processes are stopped.",
    ),
    opt("disabled", Kind::Bool, "Skip the task."),
    opt(
        "allowFailure",
        Kind::Bool,
        "A failure of this task makes the execution WARNING, not FAILED.",
    ),
    opt(
        "allowWarning",
        Kind::Bool,
        "A warning of this task makes the execution SUCCESS.",
    ),
    opt(
        "runIf",
        Kind::String,
        "A template; the task runs only when it renders to true.",
    ),
    opt("logLevel", Kind::Enum(LOG_LEVELS), "Lowest level of log lines kept."),
    opt("logToFile", Kind::Bool, "Keep logs in a file instead of the log store."),
    opt("workerGroup", Kind::Map, "Which workers may run the task."),
    opt(
        "version",
        Kind::String,
        "Version of the task's plugin (Sluice has one version of each task; ignored).",
    ),
    no_effect(
        "pluginDefaultsRef",
        Kind::String,
        "Reference (`ref`) of the plugin defaults to apply to this task.",
        "Sluice applies every plugin default whose `type` matches the task; remove `pluginDefaultsRef` or give the default a matching `type`",
    ),
    no_effect(
        "taskCache",
        Kind::Map,
        "Cache of the task's outputs between executions.",
        "Sluice runs the task in every execution and keeps no output cache",
    ),
    no_effect(
        "assets",
        Kind::Any,
        "Assets the task reads and writes, for lineage.",
        "Sluice keeps no asset lineage; the declaration is ignored",
    ),
];

/// Properties every trigger has.
pub const TRIGGER_COMMON: &[Prop] = &[
    req("id", Kind::String, "Unique id of the trigger in the flow."),
    req(
        "type",
        Kind::String,
        "The trigger type, e.g. `io.kestra.plugin.core.trigger.Schedule`.",
    ),
    opt("description", Kind::Text, "What the trigger is for (never rendered)."),
    opt("disabled", Kind::Bool, "Do not fire."),
    opt(
        "conditions",
        Kind::Conditions,
        "Conditions that must all hold for the trigger to fire.",
    ),
    opt(
        "stopAfter",
        Kind::Any,
        "States after which the trigger disables itself.",
    ),
    opt("version", Kind::String, "Version of the trigger's plugin (ignored)."),
    opt("workerGroup", Kind::Map, "Which workers evaluate the trigger."),
    opt("logLevel", Kind::Enum(LOG_LEVELS), "Lowest level of log lines kept."),
    opt("logToFile", Kind::Bool, "Keep logs in a file instead of the log store."),
    no_effect(
        "labels",
        Kind::Any,
        "Labels of the executions it starts.",
        "Sluice gives the executions a trigger starts the flow's own `labels` only; put these there",
    ),
];

/// Log levels, lowest first.
pub const LOG_LEVELS: &[&str] = &["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

/// Properties of a retry policy.
pub const RETRY_PROPS: &[Prop] = &[
    req(
        "type",
        Kind::Enum(&["constant", "exponential", "random"]),
        "How the delay between attempts grows.",
    ),
    opt(
        "interval",
        Kind::Duration,
        "Delay before a retry (constant, exponential).",
    ),
    opt("maxInterval", Kind::Duration, "Longest delay (exponential, random)."),
    opt("minInterval", Kind::Duration, "Shortest delay (random)."),
    opt(
        "delayFactor",
        Kind::Number,
        "Multiplier between delays (exponential, default 2).",
    ),
    opt("maxAttempts", Kind::Int, "Most attempts in all, the first included."),
    opt("maxAttempt", Kind::Int, "Older spelling of `maxAttempts`."),
    opt(
        "maxDuration",
        Kind::Duration,
        "No retry starts after this long since the first attempt.",
    ),
    opt("warningOnRetry", Kind::Bool, "A success after retries ends WARNING."),
    opt(
        "behavior",
        Kind::Enum(&["RETRY_FAILED_TASK", "CREATE_NEW_EXECUTION"]),
        "Retry the task, or run the flow anew.",
    ),
];
