//! `io.kestra.plugin.microsoft365.teams.TeamsExecution`: posts a summary of an execution to a
//! Microsoft Teams webhook as Kestra's MessageCard template: the headline as summary, the
//! execution's facts, `themeColor`, `activityTitle` and `activitySubtitle`.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.microsoft365.teams.TeamsExecution>

use super::{EXECUTION, OPTIONS_PROP, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use serde_json::{Value, json};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt};

/// The TeamsExecution task.
pub static TEAMS_EXECUTION: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.microsoft365.teams.TeamsExecution",
        &["io.kestra.plugin.notifications.teams.TeamsExecution"],
        &[
            URL,
            EXECUTION[0],
            EXECUTION[1],
            EXECUTION[2],
            EXECUTION[3],
            opt("themeColor", Kind::String, "The card's colour, hex (default 0076D7)."),
            opt("activityTitle", Kind::String, "The section's title."),
            opt("activitySubtitle", Kind::String, "The section's subtitle."),
            no_effect(
                "payload",
                Kind::String,
                "A message.",
                "TeamsExecution sends its summary",
            ),
            OPTIONS_PROP,
        ],
        "Sends a summary of an execution to Microsoft Teams.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let color = crate::props::text(task, cx, "themeColor")?.unwrap_or_else(|| "0076D7".into());
    let title = crate::props::text(task, cx, "activityTitle")?;
    let subtitle = crate::props::text(task, cx, "activitySubtitle")?;
    super::summary_webhook(task, cx, move |r| {
        let facts: Vec<Value> = r
            .facts()
            .into_iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect();
        let mut section = json!({"facts": facts, "markdown": true});
        if let Some(t) = title {
            section["activityTitle"] = Value::String(t);
        }
        if let Some(t) = subtitle {
            section["activitySubtitle"] = Value::String(t);
        }
        json!({
            "@type": "MessageCard",
            "@context": "http://schema.org/extensions",
            "themeColor": color,
            "summary": r.headline(),
            "sections": [section],
        })
    })
}
