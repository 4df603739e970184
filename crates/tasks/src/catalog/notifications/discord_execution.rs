//! `io.kestra.plugin.discord.DiscordExecution`: posts a summary of an execution to a Discord
//! webhook, as Kestra's Discord template: one embed with the execution's facts and a link, the
//! outcome in its footer; `username`, `avatarUrl` and `content` as Discord's fields.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.discord.DiscordExecution>

use super::{EXECUTION, OPTIONS_PROP, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use serde_json::{Value, json};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt};

/// The DiscordExecution task.
pub static DISCORD_EXECUTION: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.discord.DiscordExecution",
        &["io.kestra.plugin.notifications.discord.DiscordExecution"],
        &[
            URL,
            EXECUTION[0],
            EXECUTION[1],
            EXECUTION[2],
            EXECUTION[3],
            opt("username", Kind::String, "The sender's name."),
            opt("avatarUrl", Kind::String, "The sender's avatar."),
            opt("content", Kind::String, "Text above the embed."),
            no_effect("embedList", Kind::Any, "Embeds.", "the summary is the only embed"),
            no_effect(
                "payload",
                Kind::String,
                "A message.",
                "DiscordExecution sends its summary",
            ),
            OPTIONS_PROP,
        ],
        "Sends a summary of an execution to Discord.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let extra = super::overlay(
        task,
        cx,
        &[
            ("username", "username"),
            ("avatarUrl", "avatar_url"),
            ("content", "content"),
        ],
    )?;
    super::summary_webhook(task, cx, move |r| {
        let mut description: String = r
            .facts()
            .iter()
            .filter(|(k, _)| r.fields.get(k).is_none())
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n");
        if let Some(link) = &r.e.link {
            description.push_str(&format!("\n\n[Link to the Execution page]({link})"));
        }
        let mut body = json!({
            "embeds": [{"title": r.title(), "description": description, "footer": {"text": r.outcome()}}],
            "tts": false,
        });
        for (k, v) in extra {
            body[k] = Value::String(v);
        }
        body
    })
}
