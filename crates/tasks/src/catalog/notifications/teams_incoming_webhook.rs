//! `io.kestra.plugin.microsoft365.teams.TeamsIncomingWebhook`: posts `payload` (a MessageCard or Adaptive Card) as written to a Microsoft Teams incoming webhook; a 4xx or 5xx answer fails the task.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.microsoft365.teams.TeamsIncomingWebhook>

use super::{OPTIONS_PROP, Payload, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The TeamsIncomingWebhook task.
pub static TEAMS_INCOMING_WEBHOOK: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.microsoft365.teams.TeamsIncomingWebhook",
        &["io.kestra.plugin.notifications.teams.TeamsIncomingWebhook"],
        &[
            URL,
            opt("payload", Kind::String, "The card JSON, sent as written."),
            OPTIONS_PROP,
        ],
        "Sends a message to a Microsoft Teams webhook.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    super::payload_webhook(task, cx, Payload::Verbatim, Vec::new())
}
