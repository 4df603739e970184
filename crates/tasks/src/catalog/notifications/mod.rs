//! Kestra's notification tasks: a message POSTed as JSON to a chat or alerting service's
//! webhook (Slack, Discord, Teams, Google Chat, Zulip, Telegram, PagerDuty, Opsgenie), either
//! as written (`*IncomingWebhook`, `*Alert`, `TelegramSend`) or as a summary of an execution
//! (`*Execution`). Kestra moved each service to its own plugin (`io.kestra.plugin.slack…`);
//! the older `io.kestra.plugin.notifications.*` names are aliases.
//!
//! Kestra: <https://kestra.io/plugins/plugin-notifications>

pub mod discord_execution;
pub mod discord_incoming_webhook;
pub mod google_chat_execution;
pub mod google_chat_incoming_webhook;
pub mod opsgenie_alert;
pub mod pagerduty_alert;
pub mod slack_execution;
pub mod slack_incoming_webhook;
pub mod summary;
pub mod teams_execution;
pub mod teams_incoming_webhook;
pub mod telegram_execution;
pub mod telegram_send;
pub mod zulip_execution;
pub mod zulip_incoming_webhook;

use crate::http::{Outgoing, options::Options};
use crate::{Call, Finished, Plan, PlanContext, TaskError, http};
use serde_json::{Map, Value};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, no_effect, opt, req};

/// The `options` every notification takes.
const OPTIONS: &[Prop] = &[
    opt("connectTimeout", Kind::Duration, "Time to connect before failing."),
    opt(
        "readTimeout",
        Kind::Duration,
        "Time the service may send nothing before failing.",
    ),
    opt("readIdleTimeout", Kind::Duration, "Same as readTimeout (default PT5M)."),
    no_effect(
        "connectionPoolIdleTimeout",
        Kind::Duration,
        "Pooled connections' lifetime.",
        "the client's defaults apply",
    ),
    no_effect(
        "maxContentLength",
        Kind::Int,
        "Largest answer read.",
        "the answer is not kept",
    ),
    no_effect(
        "defaultCharset",
        Kind::String,
        "Charset of the message.",
        "messages are UTF-8",
    ),
    opt("headers", Kind::Map, "Extra request headers."),
    opt("proxy", Kind::Object(crate::catalog::core::http::PROXY), "Proxy."),
];

/// The webhook URL (a secret, usually).
pub(crate) const URL: Prop = req(
    "url",
    Kind::String,
    "The service's webhook URL, usually `{{ secret('…') }}`.",
);
/// Request options.
pub(crate) const OPTIONS_PROP: Prop = opt("options", Kind::Object(OPTIONS), "Timeouts, proxy and extra headers.");
/// The `*Execution` tasks' own properties.
pub(crate) const EXECUTION: [Prop; 4] = [
    opt(
        "executionId",
        Kind::String,
        "The execution to report (default: this one; `{{ trigger.executionId }}` from a Flow trigger).",
    ),
    opt("customMessage", Kind::String, "A message shown with the summary."),
    opt("customFields", Kind::Map, "Extra fields shown with the summary."),
    no_effect(
        "templateRenderMap",
        Kind::Map,
        "Variables of the message template.",
        "the summary is built from the execution",
    ),
];

/// Which statuses count as delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accept {
    /// 2xx only (Slack).
    Success,
    /// Anything below 400 (most services, through Kestra's HTTP client).
    BelowFourHundred,
    /// Exactly 200 with `"ok": true` in a JSON answer (Telegram).
    TelegramOk,
}

/// How a notification's message comes to be, once the worker has started the call.
pub(crate) type Compose = Box<dyn FnOnce(Option<&Value>) -> Result<String, String> + Send>;

/// A notification: POST `body` (made by `compose`, given the execution summary when asked)
/// to `url`.
pub(crate) struct Notify {
    /// Where to send.
    pub url: String,
    /// Extra headers (`options.headers`, tokens).
    pub headers: Vec<(String, String)>,
    /// What answers count as delivered.
    pub accept: Accept,
    /// Makes the JSON body.
    pub compose: Compose,
    /// The execution to summarise, for `*Execution` tasks.
    pub summary_of: Option<String>,
}

/// The task's `url`, rendered and required.
pub(crate) fn url(task: &Task, cx: &PlanContext<'_>, key: &str) -> Result<String, TaskError> {
    match crate::props::text(task, cx, key)? {
        Some(u) if !u.trim().is_empty() => Ok(u.trim().to_string()),
        _ => Err(TaskError::Invalid {
            task: task.id.clone(),
            message: format!("`{key}` rendered empty; set it to the service's webhook URL (or a secret holding it)"),
        }),
    }
}

/// The execution an `*Execution` task reports: `executionId`, else this one.
pub(crate) fn execution_id(task: &Task, cx: &PlanContext<'_>) -> Result<String, TaskError> {
    Ok(crate::props::text(task, cx, "executionId")?
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| cx.variables["execution"]["id"].as_str().unwrap_or_default().to_string()))
}

/// A rendered mapping property (`customFields`), empty when unset.
pub(crate) fn map(task: &Task, cx: &PlanContext<'_>, key: &str) -> Result<Map<String, Value>, TaskError> {
    match task.properties.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(v) => match cx.renderer.value(&task.id, key, v, cx.variables)? {
            Value::Object(m) => Ok(m),
            other => Err(TaskError::Invalid {
                task: task.id.clone(),
                message: format!("`{key}` must be a mapping, found {other}"),
            }),
        },
    }
}

/// The sender fields of Slack's legacy webhooks (Slack and Zulip summaries): property, JSON key.
pub(crate) const SENDER: &[(&str, &str)] = &[
    ("channel", "channel"),
    ("username", "username"),
    ("iconUrl", "icon_url"),
    ("iconEmoji", "icon_emoji"),
];

/// The set properties among `keys` (property, JSON key), rendered, to lay over a message.
pub(crate) fn overlay(
    task: &Task,
    cx: &PlanContext<'_>,
    keys: &[(&str, &'static str)],
) -> Result<Vec<(&'static str, String)>, TaskError> {
    let mut extra = Vec::new();
    for (key, wire) in keys {
        if let Some(v) = crate::props::text(task, cx, key)? {
            extra.push((*wire, v));
        }
    }
    Ok(extra)
}

/// Text that must be JSON (a `payload`): parsed, or a failure that says where it broke.
pub(crate) fn json_text(key: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("`{key}` is not valid JSON after rendering: {e}; the rendered text was: {text}"))
}

/// Plans the POST of a notification under the task's options and timeout.
pub(crate) fn plan(task: &Task, cx: &PlanContext<'_>, mut n: Notify) -> Result<Plan, TaskError> {
    let mut rendered = Map::new();
    if let Some(v) = task.properties.get("options") {
        rendered.insert(
            "options".into(),
            cx.renderer.value(&task.id, "options", v, cx.variables)?,
        );
    }
    let opts: Options = http::options::parse(&rendered).map_err(|message| TaskError::Invalid {
        task: task.id.clone(),
        message,
    })?;
    if let Some(Value::Object(h)) = rendered.get("options").and_then(|o| o.get("headers")) {
        n.headers.extend(
            h.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))),
        );
    }
    let timeout = crate::props::timeout(task, cx)?;
    let summary_of = n.summary_of.take();
    let mut call = Call::new(timeout, move |call| async move {
        deliver(opts, n, call.summary.as_ref())
            .await
            .err()
            .map(Finished::failed)
            .unwrap_or_default()
    });
    call.summary_of = summary_of;
    Ok(Plan::Call(Box::new(call)))
}

async fn deliver(opts: Options, n: Notify, summary: Option<&Value>) -> Result<(), String> {
    if n.summary_of.is_some() && summary.is_none() {
        return Err("the execution to report was not found".into());
    }
    let body = (n.compose)(summary)?;
    let mut req = Outgoing::post_json(n.url.clone(), body);
    req.headers = n.headers;
    let response = http::send(&opts, req).await.map_err(|e| redact(&e, &n.url))?;
    let code = response.status();
    let fine = match n.accept {
        Accept::Success => code.is_success(),
        Accept::BelowFourHundred => code.as_u16() < 400,
        Accept::TelegramOk => {
            let said = http::text(response, 1 << 20).await.unwrap_or_default();
            let ok = serde_json::from_str::<Value>(&said)
                .ok()
                .and_then(|v| v["ok"].as_bool());
            return match (code.as_u16(), ok) {
                (200, Some(true)) => Ok(()),
                _ => Err(format!("Telegram did not take the message: {code} {said}")),
            };
        }
    };
    match fine {
        true => Ok(()),
        false => Err(format!("the webhook answered {code}")),
    }
}

/// A webhook URL is a credential: it never appears in a failure as written.
fn redact(message: &str, url: &str) -> String {
    let shown = match reqwest::Url::parse(url) {
        Ok(u) => format!("{}://{}/…", u.scheme(), u.host_str().unwrap_or("?")),
        Err(_) => "the webhook URL".to_string(),
    };
    message.replace(url, &shown)
}

/// How a `payload` is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payload {
    /// Parsed as JSON (a broken payload fails before sending) and sent compact.
    Json,
    /// Sent exactly as rendered.
    Verbatim,
}

/// Plans a webhook whose message is the task's `payload`.
pub(crate) fn payload_webhook(
    task: &Task,
    cx: &PlanContext<'_>,
    kind: Payload,
    headers: Vec<(String, String)>,
) -> Result<Plan, TaskError> {
    let payload = crate::props::text(task, cx, "payload")?.ok_or_else(|| TaskError::Invalid {
        task: task.id.clone(),
        message: "set `payload`, the message as the service's JSON".into(),
    })?;
    let notify = Notify {
        url: url(task, cx, "url")?,
        headers,
        accept: Accept::BelowFourHundred,
        compose: Box::new(move |_| match kind {
            Payload::Json => Ok(json_text("payload", &payload)?.to_string()),
            Payload::Verbatim => Ok(payload),
        }),
        summary_of: None,
    };
    plan(task, cx, notify)
}

/// Plans an `*Execution` task whose message `make` builds from the report.
pub(crate) fn summary_webhook(
    task: &Task,
    cx: &PlanContext<'_>,
    make: impl FnOnce(&summary::Report) -> Value + Send + 'static,
) -> Result<Plan, TaskError> {
    let message = crate::props::text(task, cx, "customMessage")?;
    let fields = map(task, cx, "customFields")?;
    let notify = Notify {
        url: url(task, cx, "url")?,
        headers: Vec::new(),
        accept: Accept::BelowFourHundred,
        compose: Box::new(move |s| Ok(make(&summary::Report::new(s, message, fields)?).to_string())),
        summary_of: Some(execution_id(task, cx)?),
    };
    plan(task, cx, notify)
}
