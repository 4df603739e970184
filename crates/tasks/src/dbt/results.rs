//! `target/run_results.json`: one result per dbt node, with its status, timing and adapter
//! response. Read field by field from a JSON value so that fields added, removed or retyped by
//! another dbt version (or an adapter) never make the whole file unreadable.

use super::{DbtError, Level};
use crate::Metric;
use jiff::Timestamp;
use serde_json::{Map, Value};

const FILE: &str = "run_results.json";
/// Most node names listed in a [`Summary::message`].
const MAX_NAMED: usize = 10;

/// A node's state, in Kestra's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeState {
    /// dbt `success`, `pass`, `no-op`, `reused`.
    Success,
    /// dbt `warn`, `partial success` (some microbatch batches failed), and any status Sluice
    /// does not know (so it is looked at, not hidden).
    Warning,
    /// dbt `error`, `fail`, `runtime error` (`runtime_error`).
    Failed,
    /// dbt `skipped` (an upstream node failed).
    Skipped,
}

impl NodeState {
    /// Kestra's name: `SUCCESS`, `WARNING`, `FAILED` or `SKIPPED`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Success => "SUCCESS",
            NodeState::Warning => "WARNING",
            NodeState::Failed => "FAILED",
            NodeState::Skipped => "SKIPPED",
        }
    }

    /// The state of a dbt status (any case; `_`, `-` and spaces alike); `None` when unknown.
    pub fn from_dbt(status: &str) -> Option<NodeState> {
        let status: String = status
            .trim()
            .chars()
            .map(|c| {
                if c == '_' || c == '-' {
                    ' '
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        Some(match status.as_str() {
            "success" | "pass" | "no op" | "reused" => NodeState::Success,
            "warn" | "warning" | "partial success" => NodeState::Warning,
            "error" | "fail" | "runtime error" | "runtimeerr" => NodeState::Failed,
            "skipped" | "skip" => NodeState::Skipped,
            _ => return None,
        })
    }

    /// The level of the node's log lines, as Kestra's plugin writes them.
    pub fn log_level(self) -> Level {
        match self {
            NodeState::Failed => Level::Error,
            NodeState::Warning => Level::Warn,
            NodeState::Success | NodeState::Skipped => Level::Info,
        }
    }
}

/// One dbt node's result: what Kestra shows as a task run of its own, with the node's
/// `unique_id` as task id.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeResult {
    /// dbt's id of the node, e.g. `model.my_project.stg_orders`.
    pub unique_id: String,
    /// `model`, `seed`, `test`, `snapshot`, `source`, `unit_test`, `operation`, … — the first
    /// part of the id, or the manifest's `resource_type` after
    /// [`apply_manifest`](NodeResult::apply_manifest).
    pub resource_type: String,
    /// The node's name, e.g. `stg_orders` or `not_null_stg_orders_order_id` — taken from the id,
    /// or the manifest's `name` after [`apply_manifest`](NodeResult::apply_manifest).
    pub name: String,
    /// dbt's status as written (`success`, `pass`, `warn`, `fail`, `error`, `skipped`, …).
    pub status: String,
    /// The status in Kestra's terms.
    pub state: NodeState,
    /// When dbt started the node: the earliest `started_at` of its `timing` phases (the start of
    /// `compile`). The task run's CREATED time, as Kestra's plugin makes it.
    pub started_at: Option<Timestamp>,
    /// When the `execute` phase started: the task run's RUNNING time.
    pub execute_started_at: Option<Timestamp>,
    /// The latest `completed_at` of the phases (the end of `execute`): when the task run reached
    /// its final state. All three times are `None` for skipped nodes, which dbt does not time.
    pub ended_at: Option<Timestamp>,
    /// dbt's `execution_time` in seconds.
    pub execution_time: Option<f64>,
    /// dbt's message: `OK`, `INSERT 4`, `Got 2 results, configured to fail if != 0`, the
    /// database error of a failed model, …
    pub message: Option<String>,
    /// `adapter_response.rows_affected`, when the adapter reports it.
    pub rows_affected: Option<i64>,
    /// `adapter_response.bytes_processed` (BigQuery), when the adapter reports it.
    pub bytes_processed: Option<i64>,
    /// For tests: how many rows failed the test.
    pub failures: Option<i64>,
    /// dbt's worker thread, e.g. `Thread-1 (worker)`.
    pub thread_id: Option<String>,
    /// The relation the node built (`"db"."schema"."table"`), when dbt reports one.
    pub relation_name: Option<String>,
}

impl NodeResult {
    /// The log lines Kestra's plugin attaches to the node's task run: `<unique_id> => <status>
    /// in <s>s (<n> failures)`, then the node's message when it has one; at the node's level.
    pub fn log_lines(&self) -> Vec<(Level, String)> {
        let level = self.state.log_level();
        let mut summary = format!("{} => {}", self.unique_id, self.status);
        if let Some(t) = self.execution_time {
            summary.push_str(&format!(" in {t:.2}s"));
        }
        match self.failures {
            Some(1) => summary.push_str(" (1 failure)"),
            Some(n) if n > 1 => summary.push_str(&format!(" ({n} failures)")),
            _ => {}
        }
        let mut lines = vec![(level, summary)];
        if let Some(message) = self.message.as_deref().filter(|m| !m.trim().is_empty()) {
            lines.push((level, message.to_string()));
        }
        lines
    }
}

/// Reads `target/run_results.json`.
///
/// Entries that are not objects or have no `unique_id` are left out; every other field may be
/// missing or of an unexpected type. A status Sluice does not know gives [`NodeState::Warning`]
/// (with `status` as written). The results keep dbt's order (the order nodes finished).
pub fn parse_run_results(json: impl AsRef<[u8]>) -> Result<Vec<NodeResult>, DbtError> {
    let value: Value = serde_json::from_slice(json.as_ref()).map_err(|source| DbtError::Json { file: FILE, source })?;
    let shape = |message: &str| DbtError::Shape {
        file: FILE,
        message: message.to_string(),
    };
    let root = value
        .as_object()
        .ok_or_else(|| shape("the top level is not an object"))?;
    let results = match root.get("results") {
        Some(Value::Array(results)) => results,
        Some(Value::Null) | None => return Err(shape("it has no `results` list")),
        Some(_) => return Err(shape("`results` is not a list")),
    };
    Ok(results.iter().filter_map(Value::as_object).filter_map(node).collect())
}

fn node(result: &Map<String, Value>) -> Option<NodeResult> {
    // dbt before 1.0 nested the node; its unique_id moved to the top level later.
    let unique_id = text(result.get("unique_id"))
        .or_else(|| text(result.get("node").and_then(|n| n.get("unique_id"))))
        .filter(|id| !id.is_empty())?;
    let status = text(result.get("status")).unwrap_or_default();
    let state = NodeState::from_dbt(&status).unwrap_or(NodeState::Warning);
    let (resource_type, name) = split_unique_id(&unique_id);

    let mut started_at: Option<Timestamp> = None;
    let mut execute_started_at: Option<Timestamp> = None;
    let mut ended_at: Option<Timestamp> = None;
    if let Some(Value::Array(phases)) = result.get("timing") {
        for phase in phases {
            let start = timestamp(phase.get("started_at"));
            let end = timestamp(phase.get("completed_at"));
            started_at = earliest(started_at, start);
            ended_at = latest(ended_at, end);
            if phase.get("name").and_then(Value::as_str) == Some("execute") {
                execute_started_at = earliest(execute_started_at, start);
            }
        }
    }

    let adapter = result.get("adapter_response").and_then(Value::as_object);
    Some(NodeResult {
        resource_type,
        name,
        status,
        state,
        started_at,
        execute_started_at,
        ended_at,
        execution_time: result.get("execution_time").and_then(number),
        message: text(result.get("message")),
        rows_affected: adapter.and_then(|a| a.get("rows_affected")).and_then(integer),
        bytes_processed: adapter.and_then(|a| a.get("bytes_processed")).and_then(integer),
        failures: result.get("failures").and_then(integer),
        thread_id: text(result.get("thread_id")),
        relation_name: text(result.get("relation_name")),
        unique_id,
    })
}

/// Resource type and name from a unique id: `model.pkg.name` (`model.pkg.name.v2` for a
/// versioned model), `test.pkg.name.hash`, `source.pkg.source.table`, `unit_test.pkg.model.test`.
fn split_unique_id(unique_id: &str) -> (String, String) {
    let parts: Vec<&str> = unique_id.split('.').collect();
    let resource_type = parts[0].to_string();
    let name = match (parts[0], parts.len()) {
        (_, 0..=2) => parts[parts.len() - 1].to_string(),
        ("source", _) => parts[2..].join("."),
        ("unit_test", _) => parts[parts.len() - 1].to_string(),
        _ => parts[2].to_string(),
    };
    (resource_type, name)
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

fn integer(value: &Value) -> Option<i64> {
    if let Some(i) = value.as_i64() {
        return Some(i);
    }
    if let Value::String(s) = value
        && let Ok(i) = s.trim().parse::<i64>()
    {
        return Some(i);
    }
    // Floats with no fraction (some adapters report counts as 4.0); u64 beyond i64 saturates.
    let f = number(value)?;
    (f.fract() == 0.0).then(|| f.clamp(i64::MIN as f64, i64::MAX as f64) as i64)
}

/// dbt writes `2024-01-02T03:04:05.678901Z`; a time without an offset is taken as UTC.
fn timestamp(value: Option<&Value>) -> Option<Timestamp> {
    let s = value?.as_str()?.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    let civil: jiff::civil::DateTime = s.parse().ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()
}

fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn latest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// The task's state as the nodes give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// FAILED when a node failed, else WARNING when a node warned, else SUCCESS (also when
    /// nothing ran, or only skipped nodes).
    pub state: NodeState,
    /// Nodes that succeeded.
    pub succeeded: usize,
    /// Nodes that warned.
    pub warned: usize,
    /// Nodes that failed.
    pub failed: usize,
    /// Nodes that were skipped.
    pub skipped: usize,
    /// Names of the failed nodes, in dbt's order.
    pub failed_nodes: Vec<String>,
    /// Names of the nodes that warned, in dbt's order.
    pub warned_nodes: Vec<String>,
}

impl Summary {
    /// One line for the task's logs or its error: e.g. `dbt: 1 of 21 nodes failed
    /// (assert_payments_below_limit); 1 warned (not_null_stg_customers_last_name), 4 skipped`.
    /// Names past the tenth are counted, not listed.
    pub fn message(&self) -> String {
        let total = self.succeeded + self.warned + self.failed + self.skipped;
        let nodes = |n: usize| if n == 1 { "node" } else { "nodes" };
        let mut parts = Vec::new();
        if self.failed > 0 {
            parts.push(format!(
                "{} of {total} {} failed ({})",
                self.failed,
                nodes(total),
                names(&self.failed_nodes)
            ));
        }
        if self.warned > 0 {
            let what = if parts.is_empty() {
                format!("{} of {total} {} warned", self.warned, nodes(total))
            } else {
                format!("{} warned", self.warned)
            };
            parts.push(format!("{what} ({})", names(&self.warned_nodes)));
        }
        if self.skipped > 0 {
            parts.push(format!("{} skipped", self.skipped));
        }
        if parts.is_empty() {
            return format!("dbt: {} {} succeeded", self.succeeded, nodes(self.succeeded));
        }
        let mut text = String::from("dbt: ");
        text.push_str(&parts[0]);
        if parts.len() > 1 {
            text.push_str("; ");
            text.push_str(&parts[1..].join(", "));
        }
        text
    }
}

fn names(names: &[String]) -> String {
    if names.len() <= MAX_NAMED {
        return names.join(", ");
    }
    format!(
        "{}, and {} more",
        names[..MAX_NAMED].join(", "),
        names.len() - MAX_NAMED
    )
}

/// Counts the nodes by state and names those that failed or warned.
pub fn summarize(nodes: &[NodeResult]) -> Summary {
    let mut summary = Summary {
        state: NodeState::Success,
        succeeded: 0,
        warned: 0,
        failed: 0,
        skipped: 0,
        failed_nodes: Vec::new(),
        warned_nodes: Vec::new(),
    };
    for node in nodes {
        match node.state {
            NodeState::Success => summary.succeeded += 1,
            NodeState::Skipped => summary.skipped += 1,
            NodeState::Warning => {
                summary.warned += 1;
                summary.warned_nodes.push(node.name.clone());
            }
            NodeState::Failed => {
                summary.failed += 1;
                summary.failed_nodes.push(node.name.clone());
            }
        }
    }
    summary.state = if summary.failed > 0 {
        NodeState::Failed
    } else if summary.warned > 0 {
        NodeState::Warning
    } else {
        NodeState::Success
    };
    summary
}

/// The task's counters, as Kestra's plugin names them: `rows.affected` and `bytes.processed`,
/// each summed over the nodes that report it (absent when none does).
pub fn node_metrics(nodes: &[NodeResult]) -> Vec<Metric> {
    let sum = |f: fn(&NodeResult) -> Option<i64>| {
        nodes
            .iter()
            .filter_map(f)
            .fold(None, |acc: Option<f64>, v| Some(acc.unwrap_or(0.0) + v as f64))
    };
    [
        ("rows.affected", sum(|n| n.rows_affected)),
        ("bytes.processed", sum(|n| n.bytes_processed)),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        value.map(|value| Metric {
            name: name.to_string(),
            kind: "counter".to_string(),
            value,
            tags: Map::new(),
        })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(NodeState::from_dbt("runtime error"), Some(NodeState::Failed));
        assert_eq!(NodeState::from_dbt("runtime_error"), Some(NodeState::Failed));
        assert_eq!(NodeState::from_dbt("PASS"), Some(NodeState::Success));
        assert_eq!(NodeState::from_dbt("no-op"), Some(NodeState::Success));
        assert_eq!(NodeState::from_dbt("partial success"), Some(NodeState::Warning));
        assert_eq!(NodeState::from_dbt("exploded"), None);
    }

    #[test]
    fn unique_ids() {
        let split = |id| split_unique_id(id);
        assert_eq!(split("model.p.orders"), ("model".into(), "orders".into()));
        assert_eq!(split("model.p.orders.v2"), ("model".into(), "orders".into()));
        assert_eq!(split("test.p.not_null_x.abc123"), ("test".into(), "not_null_x".into()));
        assert_eq!(split("source.p.raw.orders"), ("source".into(), "raw.orders".into()));
        assert_eq!(
            split("unit_test.p.orders.test_it"),
            ("unit_test".into(), "test_it".into())
        );
        assert_eq!(split("weird"), ("weird".into(), "weird".into()));
        assert_eq!(split("a.b"), ("a".into(), "b".into()));
        assert_eq!(split("..."), ("".into(), "".into()));
    }

    #[test]
    fn numbers() {
        assert_eq!(integer(&serde_json::json!(4)), Some(4));
        assert_eq!(integer(&serde_json::json!(-1)), Some(-1));
        assert_eq!(integer(&serde_json::json!("12")), Some(12));
        assert_eq!(integer(&serde_json::json!(4.0)), Some(4));
        assert_eq!(integer(&serde_json::json!(4.5)), None);
        assert_eq!(integer(&serde_json::json!(u64::MAX)), Some(i64::MAX));
        assert_eq!(integer(&serde_json::json!(null)), None);
        assert_eq!(number(&serde_json::json!("0.25")), Some(0.25));
        assert_eq!(number(&serde_json::json!("NaN")), None);
    }

    #[test]
    fn times() {
        let t = |s: &str| timestamp(Some(&Value::String(s.into())));
        assert_eq!(t("2024-01-02T03:04:05.5Z"), t("2024-01-02T03:04:05.500"));
        assert!(t("2024-01-02T03:04:05+02:00").is_some());
        assert_eq!(t("yesterday"), None);
        assert_eq!(timestamp(Some(&Value::Null)), None);
    }
}
