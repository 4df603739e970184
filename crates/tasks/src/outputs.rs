//! Kestra's output protocol: a log line `::{"outputs":{...},"metrics":[...]}::` sets outputs
//! (read later as `{{ outputs.<task>.vars.<key> }}`) and metrics of the task run.

use serde::Deserialize;
use serde_json::{Map, Value};

/// A metric reported by a task.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Metric {
    /// Metric name.
    pub name: String,
    /// `counter` or `timer`.
    #[serde(rename = "type", default = "counter")]
    pub kind: String,
    /// The value (seconds for timers).
    pub value: f64,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Map<String, Value>,
}

fn counter() -> String {
    "counter".into()
}

/// What one protocol line carries.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct OutputLine {
    /// Output values, merged into the task run's `vars`.
    #[serde(default)]
    pub outputs: Map<String, Value>,
    /// Metrics.
    #[serde(default)]
    pub metrics: Vec<Metric>,
}

/// Reads a protocol line; any other line (or malformed JSON) gives `None` and stays a log line.
pub fn parse_output_line(line: &str) -> Option<OutputLine> {
    let body = line.trim().strip_prefix("::")?.strip_suffix("::")?;
    if !body.starts_with('{') {
        return None;
    }
    serde_json::from_str(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_outputs_and_metrics() {
        let line = r#"::{"outputs":{"rows":42,"name":"x"},"metrics":[{"name":"rows","type":"counter","value":42}]}::"#;
        let parsed = parse_output_line(line).unwrap();
        assert_eq!(parsed.outputs["rows"], 42);
        assert_eq!(parsed.metrics[0].value, 42.0);
        assert!(parse_output_line("::not json::").is_none());
        assert!(parse_output_line("plain text").is_none());
        assert!(parse_output_line("::{\"outputs\": 5}::").is_none());
    }
}
