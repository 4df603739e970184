//! What the `*Execution` notifications say about an execution, in Kestra's words: the title
//! line `[namespace] flow ➛ STATE`, `Succeeded after 00:01:02.345` or
//! `Failed on task `t` after …`, the link to the execution in the UI.
//!
//! Kestra: <https://kestra.io/plugins/plugin-notifications> (the templates of each
//! `*Execution` task).

use crate::ExecutionSummary;
use serde_json::{Map, Value};

/// The summary the worker filled, with what the task added.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    /// The execution.
    pub e: ExecutionSummary,
    /// `customMessage`.
    pub message: Option<String>,
    /// `customFields`.
    pub fields: Map<String, Value>,
}

impl Report {
    /// Reads the worker's summary.
    pub(crate) fn new(
        summary: Option<&Value>,
        message: Option<String>,
        fields: Map<String, Value>,
    ) -> Result<Self, String> {
        let e = summary
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| format!("the execution summary could not be read: {e}"))?
            .ok_or("the execution to report was not found")?;
        Ok(Report { e, message, fields })
    }

    /// `[namespace] flow ➛ STATE`.
    pub(crate) fn title(&self) -> String {
        format!("[{}] {} ➛ {}", self.e.namespace, self.e.flow_id, self.e.state)
    }

    /// `Succeeded after D` or ``Failed on task `t` after D``.
    pub(crate) fn outcome(&self) -> String {
        match &self.e.failed_task {
            Some(t) => format!("Failed on task `{t}` after {}", self.duration()),
            None => format!("Succeeded after {}", self.duration()),
        }
    }

    /// Slack's bold linked title and the outcome, the line most templates start with.
    pub(crate) fn headline(&self) -> String {
        match &self.e.link {
            Some(link) => format!("*<{link}|{}>*\n> {}", self.title(), self.outcome()),
            None => format!("*{}*\n> {}", self.title(), self.outcome()),
        }
    }

    /// Kestra's `HH:mm:ss.SSS`.
    pub(crate) fn duration(&self) -> String {
        let ms = self.e.duration_ms;
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    }

    /// The final task's id, or an empty text.
    pub(crate) fn last_task(&self) -> &str {
        self.e.last_task.as_deref().unwrap_or_default()
    }

    /// `good`, `warning` or `danger` by state, as Slack's attachment colours.
    pub(crate) fn color(&self) -> &'static str {
        match self.e.state.as_str() {
            "SUCCESS" => "good",
            "WARNING" => "warning",
            _ => "danger",
        }
    }

    /// The start as seconds since the epoch.
    pub(crate) fn start_seconds(&self) -> i64 {
        self.e
            .start_date
            .parse::<jiff::Timestamp>()
            .map(|t| t.as_second())
            .unwrap_or_default()
    }

    /// (title, value) of every fact: the execution's, the custom fields, the final task.
    pub(crate) fn facts(&self) -> Vec<(String, String)> {
        let mut facts = vec![
            ("Namespace".to_string(), self.e.namespace.clone()),
            ("Flow ID".to_string(), self.e.flow_id.clone()),
            ("Execution ID".to_string(), self.e.id.clone()),
            ("Execution Status".to_string(), self.e.state.clone()),
        ];
        for (k, v) in &self.fields {
            facts.push((k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)));
        }
        facts.push(("Final task ID".to_string(), self.last_task().to_string()));
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_and_lines_read_as_kestras() {
        let e = ExecutionSummary {
            namespace: "company.team".into(),
            flow_id: "etl".into(),
            state: "FAILED".into(),
            duration_ms: 3_723_045,
            failed_task: Some("load".into()),
            ..ExecutionSummary::default()
        };
        let r = Report {
            e,
            message: None,
            fields: Map::new(),
        };
        assert_eq!(r.duration(), "01:02:03.045");
        assert_eq!(
            r.headline(),
            "*[company.team] etl ➛ FAILED*\n> Failed on task `load` after 01:02:03.045"
        );
        assert_eq!(r.color(), "danger");
    }
}
