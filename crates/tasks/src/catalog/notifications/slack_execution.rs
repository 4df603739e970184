//! `io.kestra.plugin.slack.notifications.SlackExecution`: posts a summary of an execution
//! (this one by default) to a Slack incoming webhook, in the shape of Kestra's Slack template:
//! the linked title and outcome, a Details button, the execution's facts coloured by state.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.slack.notifications.SlackExecution>

use super::summary::Report;
use super::{Accept, EXECUTION, Notify, OPTIONS_PROP, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use serde_json::{Value, json};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, deprecated, no_effect};

/// The SlackExecution task.
pub static SLACK_EXECUTION: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.slack.notifications.SlackExecution",
        &[
            "io.kestra.plugin.notifications.slack.SlackExecution",
            "io.kestra.plugin.slack.SlackExecution",
        ],
        &[
            URL,
            EXECUTION[0],
            EXECUTION[1],
            EXECUTION[2],
            EXECUTION[3],
            deprecated(
                "channel",
                Kind::String,
                "Channel (legacy webhooks only).",
                "the webhook's own channel",
            ),
            deprecated(
                "username",
                Kind::String,
                "Sender name (legacy webhooks only).",
                "the webhook's own name",
            ),
            deprecated(
                "iconUrl",
                Kind::String,
                "Sender icon URL (legacy webhooks only).",
                "the webhook's own icon",
            ),
            deprecated(
                "iconEmoji",
                Kind::String,
                "Sender emoji (legacy webhooks only).",
                "the webhook's own icon",
            ),
            no_effect(
                "payload",
                Kind::String,
                "A message.",
                "SlackExecution sends its summary",
            ),
            no_effect(
                "messageText",
                Kind::String,
                "A message.",
                "SlackExecution sends its summary",
            ),
            OPTIONS_PROP,
        ],
        "Sends a summary of an execution to Slack.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let message = crate::props::text(task, cx, "customMessage")?;
    let fields = super::map(task, cx, "customFields")?;
    let extra = super::overlay(task, cx, super::SENDER)?;
    let notify = Notify {
        url: super::url(task, cx, "url")?,
        headers: Vec::new(),
        accept: Accept::Success,
        compose: Box::new(move |summary| {
            let r = Report::new(summary, message, fields)?;
            let mut body = slack_summary(&r);
            for (k, v) in extra {
                body[k] = Value::String(v);
            }
            Ok(body.to_string())
        }),
        summary_of: Some(super::execution_id(task, cx)?),
    };
    super::plan(task, cx, notify)
}

/// Kestra's Slack (and Zulip) summary message.
pub(crate) fn slack_summary(r: &Report) -> Value {
    let headline = r.headline();
    let mut blocks = Vec::new();
    if let Some(m) = &r.message {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": m}}));
    }
    let mut main = json!({"type": "section", "text": {"type": "mrkdwn", "text": headline}});
    if let Some(link) = &r.e.link {
        main["accessory"] = json!({"type": "button", "text": {"type": "plain_text", "text": "Details"}, "url": link});
    }
    blocks.push(main);
    let fields: Vec<Value> = r
        .facts()
        .into_iter()
        .map(|(title, value)| json!({"title": title, "value": value, "short": true}))
        .collect();
    json!({
        "text": headline,
        "blocks": blocks,
        "attachments": [{"color": r.color(), "fields": fields, "ts": r.start_seconds()}],
    })
}
