//! Retry policies: the kinds, the delays each kind needs, and attempt limits.

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::duration::parse_duration;
use crate::model::{Retry, RetryBehavior, RetryKind};
use crate::yaml::{Node, Value};
use std::time::Duration;

/// Checks what a retry policy's properties do not say alone (the delays its kind needs, attempt
/// limits) and returns it typed. Its properties themselves are checked by
/// [`super::props::check_retry`], which calls this.
pub(super) fn retry_policy(cx: &mut Cx<'_>, node: &Node) -> Option<Retry> {
    node.as_map()?;
    let dur = |cx: &mut Cx<'_>, key: &str| node.get(key).and_then(|n| check_duration_quiet(cx, n, key));
    let kind = match node.get("type")?.scalar_text()?.as_str() {
        "constant" => RetryKind::Constant,
        "exponential" => RetryKind::Exponential,
        "random" => RetryKind::Random,
        _ => return None,
    };
    let (interval, max_interval, min_interval) = (dur(cx, "interval"), dur(cx, "maxInterval"), dur(cx, "minInterval"));
    let needs: &[&str] = match kind {
        RetryKind::Constant => &["interval"],
        RetryKind::Exponential => &["interval", "maxInterval"],
        RetryKind::Random => &["minInterval", "maxInterval"],
    };
    for key in needs {
        if node.get(key).is_none() {
            cx.push(
                Diagnostic::error(node.pos, "missing-property", {
                    let kind = node.get("type")?.scalar_text()?;
                    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    };
                    format!("{article} `{kind}` retry needs `{key}`")
                })
                .with_help(format!("add `{key}: PT30S` (or the delay you want)")),
            );
        }
    }
    if let (Some(lo), Some(hi)) = (min_interval.or(interval), max_interval)
        && lo > hi
    {
        cx.push(
            Diagnostic::error(
                node.get("maxInterval")?.pos,
                "invalid-value",
                "`maxInterval` is shorter than the first delay",
            )
            .with_help("make `maxInterval` at least as long as `interval` / `minInterval`"),
        );
    }
    let attempts = |key: &str| match node.get(key).map(|n| (&n.value, n.pos)) {
        Some((Value::Int(i), pos)) => Some((u32::try_from(*i).ok().filter(|n| *n >= 1), pos)),
        _ => None,
    };
    let max_attempts = match (attempts("maxAttempts"), attempts("maxAttempt")) {
        (Some(a), Some((_, pos))) => {
            cx.push(
                Diagnostic::warning(
                    pos,
                    "duplicate-property",
                    "both `maxAttempts` and `maxAttempt` are set; `maxAttempts` wins",
                )
                .with_help("remove `maxAttempt`, the older spelling"),
            );
            Some(a)
        }
        (a, b) => a.or(b),
    };
    if let Some((None, pos)) = max_attempts {
        cx.push(
            Diagnostic::error(pos, "invalid-value", "`maxAttempts` must be at least 1")
                .with_help("it counts every attempt, the first included: `maxAttempts: 3` retries twice"),
        );
    }
    let max_duration = dur(cx, "maxDuration");
    if max_attempts.is_none() && node.get("maxDuration").is_none() {
        cx.push(
            Diagnostic::warning(
                node.pos,
                "unbounded-retry",
                "this retry has neither `maxAttempts` nor `maxDuration`, so it retries without end",
            )
            .with_help("add `maxAttempts: 3` or `maxDuration: PT1H`"),
        );
    }
    let behavior = match node.get("behavior").and_then(|n| n.scalar_text()).as_deref() {
        Some("CREATE_NEW_EXECUTION") => RetryBehavior::CreateNewExecution,
        _ => RetryBehavior::RetryFailedTask,
    };
    Some(Retry {
        kind,
        interval,
        max_interval,
        min_interval,
        delay_factor: node.get("delayFactor").and_then(|n| match n.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }),
        max_attempts: max_attempts.and_then(|(n, _)| n),
        max_duration,
        warning_on_retry: node.get("warningOnRetry").is_some_and(|n| n.value == Value::Bool(true)),
        behavior,
    })
}

/// A duration already reported by `check_props` when wrong: parse without a second message.
fn check_duration_quiet(_cx: &mut Cx<'_>, node: &Node, _name: &str) -> Option<Duration> {
    node.as_str().and_then(|s| parse_duration(s).ok())
}
