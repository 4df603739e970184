//! `io.kestra.plugin.slack.notifications.SlackIncomingWebhook`: posts a message to a Slack
//! incoming webhook: `payload` (Slack's message JSON) as written, else `messageText` (JSON, or
//! markdown turned into Slack's mrkdwn and sent as `{"text": …}`). Only a 2xx answer counts as
//! delivered.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.slack.notifications.SlackIncomingWebhook>

use super::{Accept, Notify, OPTIONS_PROP, URL, json_text};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use regex::Regex;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};
use std::sync::LazyLock;

/// The SlackIncomingWebhook task.
pub static SLACK_INCOMING_WEBHOOK: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.slack.notifications.SlackIncomingWebhook",
        &[
            "io.kestra.plugin.notifications.slack.SlackIncomingWebhook",
            "io.kestra.plugin.slack.SlackIncomingWebhook",
        ],
        &[
            URL,
            opt("payload", Kind::String, "Slack's message JSON (`text`, `blocks`…)."),
            opt(
                "messageText",
                Kind::String,
                "A message in markdown (or JSON), when there is no payload.",
            ),
            OPTIONS_PROP,
        ],
        "Sends a message to a Slack incoming webhook.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let body = message(
        crate::props::text(task, cx, "payload")?,
        crate::props::text(task, cx, "messageText")?,
    );
    let notify = Notify {
        url: super::url(task, cx, "url")?,
        headers: Vec::new(),
        accept: Accept::Success,
        compose: Box::new(move |_| body),
        summary_of: None,
    };
    super::plan(task, cx, notify)
}

/// The JSON sent for a `payload` or a `messageText`, as Kestra's Slack plugin makes it.
pub(crate) fn message(payload: Option<String>, text: Option<String>) -> Result<String, String> {
    if let Some(p) = payload {
        return Ok(json_text("payload", &p)?.to_string());
    }
    let text = text.ok_or("set `payload` (Slack's message JSON) or `messageText`")?;
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
        return Ok(json.to_string());
    }
    Ok(serde_json::json!({ "text": mrkdwn(&text) }).to_string())
}

/// Markdown's `**bold**`, `__italic__` and `[text](url)` in Slack's mrkdwn.
fn mrkdwn(text: &str) -> String {
    static RULES: LazyLock<[(Regex, &str); 3]> = LazyLock::new(|| {
        [
            (Regex::new(r"\*\*(.+?)\*\*").expect("valid"), "*$1*"),
            (Regex::new(r"__(.+?)__").expect("valid"), "_${1}_"),
            (Regex::new(r"\[(.+?)\]\((.+?)\)").expect("valid"), "<$2|$1>"),
        ]
    });
    RULES
        .iter()
        .fold(text.to_string(), |t, (re, with)| re.replace_all(&t, *with).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_wins_and_markdown_becomes_mrkdwn() {
        assert_eq!(
            message(Some(r#"{ "text": "a" }"#.into()), Some("b".into())).unwrap(),
            r#"{"text":"a"}"#
        );
        assert_eq!(
            message(None, Some("**done** in __2s__, [see](http://x/y)".into())).unwrap(),
            r#"{"text":"*done* in _2s_, <http://x/y|see>"}"#
        );
        assert!(
            message(Some("{oops".into()), None)
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert!(message(None, None).is_err());
    }
}
