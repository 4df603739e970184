//! `io.kestra.plugin.telegram.TelegramExecution`: sends a one-line summary of an execution to
//! a Telegram chat, as Kestra's Telegram template.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.telegram.TelegramExecution>

use super::summary::Report;
use super::telegram_send::TELEGRAM;
use super::{EXECUTION, Notify, OPTIONS_PROP};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, no_effect};

/// The TelegramExecution task.
pub static TELEGRAM_EXECUTION: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.telegram.TelegramExecution",
        &["io.kestra.plugin.notifications.telegram.TelegramExecution"],
        &[
            TELEGRAM[0],
            TELEGRAM[1],
            TELEGRAM[2],
            TELEGRAM[3],
            EXECUTION[0],
            EXECUTION[1],
            EXECUTION[2],
            EXECUTION[3],
            no_effect(
                "payload",
                Kind::String,
                "A message.",
                "TelegramExecution sends its summary",
            ),
            OPTIONS_PROP,
        ],
        "Sends a summary of an execution to a Telegram chat.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let message = crate::props::text(task, cx, "customMessage")?;
    let fields = super::map(task, cx, "customFields")?;
    let (notify, body) = super::telegram_send::notify(task, cx)?;
    let compose = move |summary: Option<&serde_json::Value>| {
        let r = Report::new(summary, message, fields)?;
        let mut line = format!(
            "{} {} {} ➛ {} - Final task ID ➛ {} {}",
            r.e.namespace,
            r.e.flow_id,
            r.e.id,
            r.e.state,
            r.last_task(),
            r.outcome()
        );
        if let Some(link) = &r.e.link {
            line.push_str(&format!(" ({link})"));
        }
        if let Some(m) = &r.message {
            line.push_str(&format!("\n{m}"));
        }
        Ok(body(line))
    };
    super::plan(
        task,
        cx,
        Notify {
            compose: Box::new(compose),
            summary_of: Some(super::execution_id(task, cx)?),
            ..notify
        },
    )
}
