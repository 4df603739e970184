//! `io.kestra.plugin.pagerduty.PagerDutyAlert`: posts `payload` (an Events API v2 event with `routing_key` and `event_action`) as written to `url`; a 4xx or 5xx answer fails the task.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.pagerduty.PagerDutyAlert>

use super::{OPTIONS_PROP, Payload, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The PagerDutyAlert task.
pub static PAGERDUTY_ALERT: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.pagerduty.PagerDutyAlert",
        &["io.kestra.plugin.notifications.pagerduty.PagerDutyAlert"],
        &[
            URL,
            opt("payload", Kind::String, "The Events API v2 JSON, sent as written."),
            OPTIONS_PROP,
        ],
        "Sends an event to PagerDuty.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    super::payload_webhook(task, cx, Payload::Verbatim, Vec::new())
}
