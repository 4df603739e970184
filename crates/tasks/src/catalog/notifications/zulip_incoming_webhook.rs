//! `io.kestra.plugin.zulip.ZulipIncomingWebhook`: posts `payload` as written to a Zulip incoming-webhook integration URL; a 4xx or 5xx answer fails the task.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.zulip.ZulipIncomingWebhook>

use super::{OPTIONS_PROP, Payload, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The ZulipIncomingWebhook task.
pub static ZULIP_INCOMING_WEBHOOK: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.zulip.ZulipIncomingWebhook",
        &["io.kestra.plugin.notifications.zulip.ZulipIncomingWebhook"],
        &[
            URL,
            opt("payload", Kind::String, "The message JSON, sent as written."),
            OPTIONS_PROP,
        ],
        "Sends a message to a Zulip incoming webhook.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    super::payload_webhook(task, cx, Payload::Verbatim, Vec::new())
}
