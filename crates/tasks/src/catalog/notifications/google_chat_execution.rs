//! `io.kestra.plugin.googleworkspace.chat.GoogleChatExecution`: posts a summary of an execution
//! to a Google Chat webhook as one text, as Kestra's template (`text` replaces it).
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.googleworkspace.chat.GoogleChatExecution>

use super::{EXECUTION, OPTIONS_PROP, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt};

/// The GoogleChatExecution task.
pub static GOOGLE_CHAT_EXECUTION: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.googleworkspace.chat.GoogleChatExecution",
        &["io.kestra.plugin.notifications.google.GoogleChatExecution"],
        &[
            URL,
            EXECUTION[0],
            EXECUTION[1],
            EXECUTION[2],
            EXECUTION[3],
            opt("text", Kind::String, "A text that replaces the summary."),
            no_effect(
                "payload",
                Kind::String,
                "A message.",
                "GoogleChatExecution sends its summary",
            ),
            OPTIONS_PROP,
        ],
        "Sends a summary of an execution to Google Chat.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let text = crate::props::text(task, cx, "text")?;
    super::summary_webhook(task, cx, move |r| {
        let summary = format!(
            "Kestra Google notification: Namespace {}, Flow ID {}, Execution ID {}, Execution Status {}, Final task ID {}. {}",
            r.e.namespace,
            r.e.flow_id,
            r.e.id,
            r.e.state,
            r.last_task(),
            r.headline()
        );
        json!({"text": text.unwrap_or(summary)})
    })
}
