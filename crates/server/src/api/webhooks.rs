//! `GET`/`POST`/`PUT /api/v1/executions/webhook/{namespace}/{flowId}/{key}` (and Kestra 1.x's
//! `/api/v1/main/executions/webhook/…`): a call starts an execution of the flow whose Webhook
//! trigger has that key.
//!
//! The key is the credential, as in Kestra (whose basic authentication leaves these URLs open):
//! the routes need no other, and are not refused as cross-site, since the callers are other
//! services. Every miss — no such flow, a disabled one, no trigger with that key — is the same
//! 404, and keys are compared in constant time, so a caller learns nothing key by key.
//!
//! Kestra: <https://kestra.io/plugins/core/triggers/io.kestra.plugin.core.trigger.webhook>

use super::error::{ApiError, ApiResult};
use super::executions::start;
use super::extract::{ApiPath, Params};
use super::flows::checked_flow;
use crate::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use sluice_engine::Execution;
use sluice_flow::model::Trigger;
use sluice_flow::template::TemplateEngine;
use sluice_tasks::catalog::core::condition::all_hold;
use sluice_tasks::catalog::core::trigger::webhook::{self, Call, WEBHOOK};
use sluice_tasks::condition::ConditionContext;
use std::time::Duration;

/// Largest webhook body read, as Kestra's default request size limit (10 MiB).
pub const WEBHOOK_LIMIT: usize = 10 * 1024 * 1024;

fn not_found() -> ApiError {
    ApiError::NotFound(
        "no webhook trigger answers at this URL; check the namespace, the flow id and the trigger's `key`".into(),
    )
}

/// The handler of every webhook route and method.
pub async fn call(
    State(state): State<AppState>,
    ApiPath((namespace, flow_id, key)): ApiPath<(String, String, String)>,
    params: Params,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    if key.len() > webhook::MAX_KEY {
        return Err(not_found());
    }
    let record = state
        .store
        .get_flow(&namespace, &flow_id, None)
        .await?
        .ok_or_else(not_found)?;
    let flow = checked_flow(&state, &record.source).map_err(|_| not_found())?;
    if flow.disabled {
        return Err(not_found());
    }
    let trigger = find_trigger(&state, &flow, &key).ok_or_else(not_found)?;
    let call = Call {
        body: webhook::body(&body),
        headers: multi_map(headers.iter().map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })),
        parameters: multi_map(params.pairs().iter().cloned()),
    };
    let variables = webhook::variables(trigger, &call);
    let context = json!({"trigger": variables, "flow": {"id": flow.id, "namespace": flow.namespace}});
    let cx = ConditionContext {
        variables: &context,
        execution: None,
        secrets: state.secrets.as_ref(),
        now: Timestamp::now(),
    };
    match all_hold(&trigger.conditions, &cx) {
        Ok(true) => {}
        Ok(false) => return Ok(StatusCode::NO_CONTENT.into_response()),
        Err(message) => {
            return Err(ApiError::Invalid {
                message: format!("the webhook trigger's conditions could not be tested: {message}"),
                details: Vec::new(),
            });
        }
    }
    let start_with = sluice_engine::Start {
        id: sluice_store::new_execution_id(),
        revision: record.revision,
        variables,
        inputs: trigger.properties.get("inputs").and_then(|v| v.as_object()),
        at: Timestamp::now(),
    };
    let execution =
        sluice_engine::triggered_execution(&flow, start_with, state.secrets.as_ref()).map_err(|message| {
            ApiError::Invalid {
                message,
                details: Vec::new(),
            }
        })?;
    start(&state, &execution).await?;
    if !webhook::flag(trigger, "wait") {
        return Ok(Json(execution).into_response());
    }
    let Some(ended) = wait_for_end(&state, &execution.id).await? else {
        // Past the server's `webhookWait`: the caller gets the execution as it stands, to follow
        // at `/api/v1/executions/{id}`.
        let running = super::executions::find_execution(&state, &execution.id).await?;
        return Ok((StatusCode::ACCEPTED, Json(running)).into_response());
    };
    if !webhook::flag(trigger, "returnOutputs") {
        return Ok(Json(ended).into_response());
    }
    let content_type = trigger
        .properties
        .get("responseContentType")
        .and_then(Value::as_str)
        .unwrap_or("application/json")
        .to_string();
    let body = Value::Object(ended.outputs).to_string();
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

/// The enabled Webhook trigger of `flow` whose key (rendered: it may read secrets) is `key`. Every
/// trigger's key is compared, in constant time, so the time taken says nothing about which
/// matched.
fn find_trigger<'f>(state: &AppState, flow: &'f sluice_flow::Flow, key: &str) -> Option<&'f Trigger> {
    let context = json!({"flow": {"id": flow.id, "namespace": flow.namespace}});
    let engine = TemplateEngine::new();
    let mut found = None;
    for trigger in flow
        .triggers
        .iter()
        .filter(|t| t.type_name == WEBHOOK.name && !t.disabled)
    {
        let Some(written) = trigger.properties.get("key").and_then(Value::as_str) else {
            continue;
        };
        let wanted = match engine.render(written, &context, state.secrets.as_ref()) {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(flow = %format!("{}.{}", flow.namespace, flow.id), trigger = %trigger.id, error = %e, "a webhook key does not render; its calls get 404");
                continue;
            }
        };
        if crate::auth::same(wanted.as_bytes(), key.as_bytes()) && found.is_none() {
            found = Some(trigger);
        }
    }
    found
}

/// Names to every value they came with, in order.
fn multi_map(pairs: impl Iterator<Item = (String, String)>) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in pairs {
        if let Value::Array(values) = out.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
            values.push(Value::String(value));
        }
    }
    out
}

/// The execution once it has ended, read again and again, less often as time passes; `None`
/// if it has not ended within the server's webhook wait.
async fn wait_for_end(state: &AppState, id: &str) -> ApiResult<Option<Execution>> {
    let deadline = tokio::time::Instant::now() + state.webhook_wait;
    let mut pause = Duration::from_millis(20);
    loop {
        let exec = super::executions::find_execution(state, id).await?;
        if exec.state.current.is_terminal() {
            return Ok(Some(exec));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(pause.min(deadline - tokio::time::Instant::now())).await;
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}
