//! `io.kestra.plugin.core.trigger.Flow`: an execution of this flow each time an execution of
//! another flow reaches one of `states` and every condition holds. The executor tests it in the
//! step that changes the upstream's state, and stores the new execution in that step's commit,
//! so each upstream event starts exactly one downstream execution, whatever the number of
//! executors.
//!
//! Kestra: <https://kestra.io/plugins/core/triggers/io.kestra.plugin.core.trigger.flow>

use crate::catalog::core::condition::all_hold;
use crate::condition::{ConditionContext, Upstream, string_list};
use serde_json::{Value, json};
use sluice_flow::Diagnostic;
use sluice_flow::model::Trigger;
use sluice_flow::schema::{Kind, Prop, TypeSpec, opt, req};
use sluice_flow::yaml::{Node, Value as YamlValue};

/// The states a Flow trigger reacts to by default: Kestra's terminated states.
pub const TERMINATED: &[&str] = &[
    "SUCCESS",
    "WARNING",
    "FAILED",
    "KILLED",
    "CANCELLED",
    "RETRIED",
    "SKIPPED",
];

const TIME_WINDOW: &[Prop] = &[
    opt(
        "type",
        Kind::Enum(&[
            "DURATION_WINDOW",
            "SLIDING_WINDOW",
            "DAILY_TIME_DEADLINE",
            "DAILY_TIME_WINDOW",
        ]),
        "How the window is computed (default `DURATION_WINDOW`).",
    ),
    opt("window", Kind::Duration, "Length of the window (default `P1D`)."),
    opt("windowAdvance", Kind::Duration, "Offset of the window's start."),
    opt(
        "deadline",
        Kind::String,
        "Daily deadline, e.g. `09:00:00` (DAILY_TIME_DEADLINE).",
    ),
    opt("startTime", Kind::String, "Daily start (DAILY_TIME_WINDOW)."),
    opt("endTime", Kind::String, "Daily end (DAILY_TIME_WINDOW)."),
];

const PRECONDITIONS: &[Prop] = &[
    req("id", Kind::String, "A unique id for the preconditions."),
    opt(
        "flows",
        Kind::Any,
        "Upstream flows: `namespace`, `flowId`, `states`, `labels`.",
    ),
    opt(
        "where",
        Kind::Any,
        "Execution filters: `id`, `operand`, `filters` of `field`, `type`, `value`.",
    ),
    opt(
        "timeWindow",
        Kind::Object(TIME_WINDOW),
        "When the preconditions are evaluated.",
    ),
    opt(
        "resetOnSuccess",
        Kind::Bool,
        "Start over after each fire (default true).",
    ),
];

/// The Flow trigger.
pub static FLOW: TypeSpec = TypeSpec::new(
    "io.kestra.plugin.core.trigger.Flow",
    &[
        "io.kestra.core.models.triggers.types.Flow",
        "core.trigger.Flow",
        "trigger.Flow",
    ],
    &[
        opt(
            "inputs",
            Kind::Map,
            "Inputs of the executions it starts; `trigger.outputs` holds the upstream's outputs.",
        ),
        opt(
            "states",
            Kind::StringList,
            "Upstream states it reacts to (default: every terminated state).",
        ),
        opt(
            "preconditions",
            Kind::Object(PRECONDITIONS),
            "Upstream flows and filters the upstream execution must match.",
        ),
    ],
    "Starts an execution when an execution of another flow changes state.",
)
.with_rule(one_precondition);

/// Preconditions met by several upstream executions need windows kept between them, which
/// Sluice does not store yet: until it does, a set of more than one is refused here rather than
/// never firing.
fn one_precondition(node: &Node) -> Vec<Diagnostic> {
    let Some(p) = node.get("preconditions") else {
        return Vec::new();
    };
    let count = |name: &str| match p.get(name).map(|n| &n.value) {
        Some(YamlValue::Seq(items)) => items.len(),
        _ => 0,
    };
    if count("flows") + count("where") <= 1 {
        return Vec::new();
    }
    vec![
        Diagnostic::error(
            p.pos,
            "unsupported",
            "preconditions on more than one upstream flow or filter are not supported yet",
        )
        .with_help(
            "Sluice fires on one precondition at a time; keep one entry under `flows` or `where`, or chain the flows (each upstream flow with a Flow trigger on the previous one)",
        ),
    ]
}

/// `trigger` in the templates of the execution it starts, and of its conditions.
pub fn variables(trigger: &Trigger, upstream: &Upstream) -> Value {
    json!({
        "id": trigger.id,
        "type": trigger.type_name,
        "executionId": upstream.id,
        "namespace": upstream.namespace,
        "flowId": upstream.flow_id,
        "flowRevision": upstream.flow_revision,
        "state": upstream.state,
        "outputs": upstream.outputs,
        "executionLabels": upstream.labels.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
    })
}

/// Whether the upstream execution, now in its state, fires this trigger of the flow
/// `namespace.flow_id`. A flow never triggers itself.
pub fn fires(
    trigger: &Trigger,
    namespace: &str,
    flow_id: &str,
    upstream: &Upstream,
    cx: &ConditionContext<'_>,
) -> Result<bool, String> {
    if upstream.namespace == namespace && upstream.flow_id == flow_id {
        return Ok(false);
    }
    let states = string_list(&trigger.properties, "states")
        .unwrap_or_else(|| TERMINATED.iter().map(|s| s.to_string()).collect());
    if !states.iter().any(|s| s.eq_ignore_ascii_case(&upstream.state)) {
        return Ok(false);
    }
    if !all_hold(&trigger.conditions, cx)? {
        return Ok(false);
    }
    match trigger.properties.get("preconditions") {
        Some(p) => super::preconditions::hold(p, upstream, cx),
        None => Ok(true),
    }
}
