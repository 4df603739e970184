//! `io.kestra.plugin.zulip.ZulipExecution`: posts a summary of an execution to a Zulip
//! incoming webhook; Kestra's Zulip template is its Slack one, so is Sluice's.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.zulip.ZulipExecution>

use super::{EXECUTION, OPTIONS_PROP, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt};

/// The ZulipExecution task.
pub static ZULIP_EXECUTION: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.zulip.ZulipExecution",
        &["io.kestra.plugin.notifications.zulip.ZulipExecution"],
        &[
            URL,
            EXECUTION[0],
            EXECUTION[1],
            EXECUTION[2],
            EXECUTION[3],
            opt("channel", Kind::String, "The stream."),
            opt("username", Kind::String, "The sender's name."),
            opt("iconUrl", Kind::String, "The sender's icon URL."),
            opt("iconEmoji", Kind::String, "The sender's emoji."),
            no_effect(
                "payload",
                Kind::String,
                "A message.",
                "ZulipExecution sends its summary",
            ),
            OPTIONS_PROP,
        ],
        "Sends a summary of an execution to Zulip.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let extra = super::overlay(task, cx, super::SENDER)?;
    super::summary_webhook(task, cx, move |r| {
        let mut body = super::slack_execution::slack_summary(r);
        for (k, v) in extra {
            body[k] = Value::String(v);
        }
        body
    })
}
