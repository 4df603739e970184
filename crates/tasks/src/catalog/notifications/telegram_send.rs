//! `io.kestra.plugin.telegram.TelegramSend`: sends `payload` as the text of a message to a
//! Telegram chat through the Bot API (`{endpointOverride}/bot{token}/sendMessage`); delivered
//! only when Telegram answers 200 with `"ok": true`. As in Kestra, `payload` is the text itself,
//! never parsed.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.telegram.TelegramSend>

use super::{Accept, Notify, OPTIONS_PROP};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, TypeSpec, opt, req};

/// Telegram's Bot API, unless `endpointOverride` says otherwise.
const API: &str = "https://api.telegram.org";

/// The properties both Telegram tasks share.
pub(crate) const TELEGRAM: [Prop; 4] = [
    req("token", Kind::String, "The bot's token, usually `{{ secret('…') }}`."),
    req("channel", Kind::String, "The chat id."),
    opt(
        "parseMode",
        Kind::Enum(&["HTML", "MARKDOWNV2"]),
        "How Telegram reads the text (default plain).",
    ),
    opt(
        "endpointOverride",
        Kind::String,
        "The Bot API's address (default https://api.telegram.org).",
    ),
];

/// The TelegramSend task.
pub static TELEGRAM_SEND: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.telegram.TelegramSend",
        &["io.kestra.plugin.notifications.telegram.TelegramSend"],
        &[
            TELEGRAM[0],
            TELEGRAM[1],
            TELEGRAM[2],
            TELEGRAM[3],
            opt("payload", Kind::String, "The message's text."),
            OPTIONS_PROP,
        ],
        "Sends a message to a Telegram chat.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let text = crate::props::text(task, cx, "payload")?.ok_or_else(|| TaskError::Invalid {
        task: task.id.clone(),
        message: "set `payload`, the message's text".into(),
    })?;
    let (notify, body) = notify(task, cx)?;
    super::plan(
        task,
        cx,
        Notify {
            compose: Box::new(move |_| Ok(body(text))),
            ..notify
        },
    )
}

/// The request for `task`'s chat, and how to make its body from a text.
pub(crate) fn notify(
    task: &Task,
    cx: &PlanContext<'_>,
) -> Result<(Notify, impl FnOnce(String) -> String + Send + 'static), TaskError> {
    let token = super::url(task, cx, "token")?;
    let channel = super::url(task, cx, "channel")?;
    let endpoint = crate::props::text(task, cx, "endpointOverride")?.unwrap_or_else(|| API.into());
    let mode = crate::props::text(task, cx, "parseMode")?.map(|m| match m.as_str() {
        "MARKDOWNV2" => "MarkdownV2".to_string(),
        other => other.to_string(),
    });
    let notify = Notify {
        url: format!("{}/bot{token}/sendMessage", endpoint.trim_end_matches('/')),
        headers: Vec::new(),
        accept: Accept::TelegramOk,
        compose: Box::new(|_| Ok(String::new())),
        summary_of: None,
    };
    let body = move |text: String| {
        let mut b = json!({"chat_id": channel, "text": text});
        if let Some(m) = mode {
            b["parse_mode"] = json!(m);
        }
        b.to_string()
    };
    Ok((notify, body))
}
