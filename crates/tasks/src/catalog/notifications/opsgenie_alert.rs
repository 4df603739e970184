//! `io.kestra.plugin.opsgenie.OpsgenieAlert`: posts `payload` as written to Opsgenie's alerts API, with `authorizationToken` as the Authorization header (`GenieKey …`, as in Kestra); a 4xx or 5xx answer fails the task.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.opsgenie.OpsgenieAlert>

use super::{OPTIONS_PROP, Payload, URL};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};

/// The OpsgenieAlert task.
pub static OPSGENIE_ALERT: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.opsgenie.OpsgenieAlert",
        &["io.kestra.plugin.notifications.opsgenie.OpsgenieAlert"],
        &[
            URL,
            opt("payload", Kind::String, "The alert JSON, sent as written."),
            opt(
                "authorizationToken",
                Kind::String,
                "The Authorization header, `GenieKey <key>`.",
            ),
            OPTIONS_PROP,
        ],
        "Creates an Opsgenie alert.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    super::payload_webhook(task, cx, Payload::Verbatim, auth(task, cx)?)
}

fn auth(task: &Task, cx: &PlanContext<'_>) -> Result<Vec<(String, String)>, TaskError> {
    Ok(crate::props::text(task, cx, "authorizationToken")?
        .map(|t| vec![("Authorization".to_string(), t)])
        .unwrap_or_default())
}
