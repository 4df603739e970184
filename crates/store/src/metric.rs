//! Metrics reported by tasks (Kestra's counters and timers), kept per task run.

use crate::Result;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The kind of a metric, with Kestra's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    /// A count of something.
    Counter,
    /// A duration, in seconds.
    Timer,
}

impl MetricKind {
    /// The stored name: `counter` or `timer`.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Timer => "timer",
        }
    }

    /// The kind a stored name stands for.
    pub fn parse(name: &str) -> Option<MetricKind> {
        match name {
            "counter" => Some(MetricKind::Counter),
            "timer" => Some(MetricKind::Timer),
            _ => None,
        }
    }
}

/// One metric value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Its name, e.g. `records`.
    pub name: String,
    /// Counter or timer.
    #[serde(rename = "type")]
    pub kind: MetricKind,
    /// The value (seconds for a timer).
    pub value: f64,
    /// Tags that qualify it.
    pub tags: Map<String, Value>,
}

/// A stored metric with the task run that reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredMetric {
    /// The execution.
    pub execution_id: String,
    /// The task run that reported it.
    pub task_run_id: String,
    /// The metric.
    #[serde(flatten)]
    pub metric: Metric,
}

/// Stores task metrics.
#[async_trait]
pub trait MetricStore: Send + Sync {
    /// Adds metrics reported by a task run.
    async fn add_metrics(&self, execution_id: &str, task_run_id: &str, metrics: &[Metric]) -> Result<()>;

    /// Every metric of an execution, in the order they were added.
    async fn metrics(&self, execution_id: &str) -> Result<Vec<StoredMetric>>;
}
