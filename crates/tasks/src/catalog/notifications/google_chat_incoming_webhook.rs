//! `io.kestra.plugin.googleworkspace.chat.GoogleChatIncomingWebhook`: posts `payload` as written to a Google Chat space's webhook; a 4xx or 5xx answer fails the task.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.googleworkspace.chat.GoogleChatIncomingWebhook>

use super::{OPTIONS_PROP, Payload, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The GoogleChatIncomingWebhook task.
pub static GOOGLE_CHAT_INCOMING_WEBHOOK: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.googleworkspace.chat.GoogleChatIncomingWebhook",
        &["io.kestra.plugin.notifications.google.GoogleChatIncomingWebhook"],
        &[
            URL,
            opt(
                "payload",
                Kind::String,
                "Google Chat's message JSON (`text`…), sent as written.",
            ),
            OPTIONS_PROP,
        ],
        "Sends a message to a Google Chat webhook.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    super::payload_webhook(task, cx, Payload::Verbatim, Vec::new())
}
