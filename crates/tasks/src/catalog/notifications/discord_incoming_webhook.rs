//! `io.kestra.plugin.discord.DiscordIncomingWebhook`: posts `payload` (Discord's message JSON, checked to be JSON) to a Discord webhook; a 4xx or 5xx answer fails the task.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.discord.DiscordIncomingWebhook>

use super::{OPTIONS_PROP, Payload, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The DiscordIncomingWebhook task.
pub static DISCORD_INCOMING_WEBHOOK: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.discord.DiscordIncomingWebhook",
        &["io.kestra.plugin.notifications.discord.DiscordIncomingWebhook"],
        &[
            URL,
            opt(
                "payload",
                Kind::String,
                "Discord's message JSON (`content`, `embeds`…).",
            ),
            OPTIONS_PROP,
        ],
        "Sends a message to a Discord webhook.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    super::payload_webhook(task, cx, Payload::Json, Vec::new())
}
