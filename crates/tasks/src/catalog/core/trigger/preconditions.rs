//! A Flow trigger's `preconditions`: upstream flows (`flows`) and execution filters (`where`)
//! that the upstream execution must match, inside a daily time window.
//!
//! Each precondition is met by one upstream execution at a time, so a set of one fires at once.
//! A set of several must be met by different executions within one window, which needs stored
//! windows; the validator refuses those until they land.
//!
//! Kestra: <https://kestra.io/plugins/core/triggers/io.kestra.plugin.core.trigger.flow>

use crate::condition::{ConditionContext, Upstream, rendered_true, string_list, text};
use serde_json::{Map, Value};

/// Whether the upstream execution meets the preconditions now.
pub fn hold(preconditions: &Value, upstream: &Upstream, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let p = preconditions.as_object().ok_or("`preconditions` must be a mapping")?;
    if !in_window(p.get("timeWindow"), cx.now)? {
        return Ok(false);
    }
    let list = |name: &str| match p.get(name) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    };
    let (flows, filters) = (list("flows"), list("where"));
    if flows.len() + filters.len() > 1 {
        return Err("preconditions on more than one upstream flow or filter are not supported yet".into());
    }
    for flow in flows {
        if !upstream_flow(flow, upstream) {
            return Ok(false);
        }
    }
    for filter in filters {
        if !execution_filter(filter, upstream, cx)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn upstream_flow(f: &Map<String, Value>, up: &Upstream) -> bool {
    let same = |name: &str, actual: &str| text(f, name).is_none_or(|v| v == actual);
    let states = string_list(f, "states").is_none_or(|s| s.iter().any(|s| s.eq_ignore_ascii_case(&up.state)));
    let labels = match f.get("labels") {
        Some(Value::Object(wanted)) => wanted.iter().all(|(k, v)| {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            up.labels.contains(&(k.clone(), v))
        }),
        _ => true,
    };
    same("namespace", &up.namespace) && same("flowId", &up.flow_id) && states && labels
}

fn execution_filter(f: &Map<String, Value>, up: &Upstream, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let any = text(f, "operand").is_some_and(|o| o.eq_ignore_ascii_case("OR"));
    let filters: Vec<&Map<String, Value>> = match f.get("filters") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        _ => return Err("each `where` entry needs a list of `filters`".into()),
    };
    let mut results = Vec::with_capacity(filters.len());
    for filter in filters {
        results.push(one_filter(filter, up, cx)?);
    }
    Ok(if any {
        results.contains(&true)
    } else {
        !results.contains(&false)
    })
}

fn one_filter(f: &Map<String, Value>, up: &Upstream, cx: &ConditionContext<'_>) -> Result<bool, String> {
    let field = text(f, "field").ok_or("a filter needs a `field`")?;
    let value = text(f, "value");
    let actual = match field.to_ascii_uppercase().as_str() {
        "FLOW_ID" => up.flow_id.clone(),
        "NAMESPACE" => up.namespace.clone(),
        "STATE" => up.state.clone(),
        "EXPRESSION" => cx.render(value.as_deref().ok_or("an EXPRESSION filter needs a `value`")?)?,
        other => {
            return Err(format!(
                "unknown filter field `{other}`; use FLOW_ID, NAMESPACE, STATE or EXPRESSION"
            ));
        }
    };
    let kind = text(f, "type").ok_or("a filter needs a `type`")?.to_ascii_uppercase();
    let wanted = || {
        value
            .clone()
            .ok_or_else(|| format!("a `{kind}` filter needs a `value`"))
    };
    let values = || string_list(f, "values").ok_or_else(|| format!("a `{kind}` filter needs `values`"));
    Ok(match kind.as_str() {
        "EQUAL_TO" => actual == wanted()?,
        "NOT_EQUAL_TO" => actual != wanted()?,
        "IN" => values()?.contains(&actual),
        "NOT_IN" => !values()?.contains(&actual),
        "IS_TRUE" => rendered_true(&actual),
        "IS_FALSE" => !rendered_true(&actual),
        "IS_NULL" => false,
        "IS_NOT_NULL" => true,
        "STARTS_WITH" => actual.starts_with(&wanted()?),
        "ENDS_WITH" => actual.ends_with(&wanted()?),
        "CONTAINS" => actual.contains(&wanted()?),
        "REGEX" => {
            let pattern = wanted()?;
            regex::Regex::new(&format!("^(?:{pattern})$"))
                .map_err(|e| format!("`{pattern}` is not a regular expression: {e}"))?
                .is_match(&actual)
        }
        other => return Err(format!("unknown filter type `{other}`")),
    })
}

/// Whether `now` is inside the daily window (DAILY_TIME_DEADLINE, DAILY_TIME_WINDOW, in UTC as
/// Kestra's are); duration and sliding windows always hold for a single precondition.
fn in_window(window: Option<&Value>, now: jiff::Timestamp) -> Result<bool, String> {
    let Some(w) = window.and_then(Value::as_object) else {
        return Ok(true);
    };
    let time = |name: &str| -> Result<Option<jiff::civil::Time>, String> {
        text(w, name)
            .map(|t| {
                t.parse()
                    .map_err(|e| format!("`{name}: {t}` is not a time of day ({e})"))
            })
            .transpose()
    };
    let clock = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).time();
    Ok(
        match text(w, "type").unwrap_or_default().to_ascii_uppercase().as_str() {
            "DAILY_TIME_DEADLINE" => time("deadline")?.is_none_or(|d| clock < d),
            "DAILY_TIME_WINDOW" => {
                time("startTime")?.is_none_or(|s| clock >= s) && time("endTime")?.is_none_or(|e| clock < e)
            }
            _ => true,
        },
    )
}
