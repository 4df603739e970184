//! Executions: create one from a flow and its inputs, read and search them, and post the events
//! a user may send (kill, resume, restart) or start a replay. The API never runs anything itself: it stores
//! the execution or the event, then wakes the executor.

use super::error::{ApiError, ApiResult};
use super::extract::{ApiPath, Params};
use super::flows::{checked_flow, find_flow};
use super::inputs::{Upload, read_inputs};
use crate::AppState;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use serde_json::{Value, json};
use sluice_engine::{Event, Execution, Label, State as ExecState};
use sluice_store::{ExecutionFilter, ExecutionSummary};

/// Most executions one search page holds.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// An execution by id, or a 404 naming it.
pub async fn find_execution(state: &AppState, id: &str) -> ApiResult<Execution> {
    state
        .store
        .get_execution(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("execution {id} not found")))
}

/// The folder of an execution's files: `data_dir/files/<id>`. Ids are checked first, so a
/// crafted id can never name another folder.
pub fn files_dir(state: &AppState, id: &str) -> ApiResult<std::path::PathBuf> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ApiError::BadRequest(format!("`{id}` is not an execution id")));
    }
    Ok(state.data_dir.join("files").join(id))
}

/// Labels from `labels=key:value` parameters.
fn labels(params: &Params) -> ApiResult<Vec<Label>> {
    params
        .all("labels")
        .map(|l| match l.split_once(':') {
            Some((key, value)) if !key.is_empty() => Ok(Label {
                key: key.to_string(),
                value: value.to_string(),
            }),
            _ => Err(ApiError::BadRequest(format!(
                "query parameter `labels` must be written `key:value`, got `{l}`"
            ))),
        })
        .collect()
}

/// Stores a new execution with its start event and wakes the executor.
pub(super) async fn start(state: &AppState, execution: &Execution) -> ApiResult<()> {
    let now = Timestamp::now();
    state.store.create_execution(execution, &Event::Start, now).await?;
    state.executor_wake.notify_one();
    Ok(())
}

/// `POST /api/v1/executions/{namespace}/{flowId}`: inputs as multipart form fields (files as file
/// parts), a JSON object, or no body; optional `revision` and `labels=key:value` parameters.
pub async fn create(
    State(state): State<AppState>,
    ApiPath((namespace, flow_id)): ApiPath<(String, String)>,
    params: Params,
    request: Request,
) -> ApiResult<Json<Execution>> {
    let revision = params.parse::<u32>("revision", "a revision number")?;
    let labels = labels(&params)?;
    let record = find_flow(&state, &namespace, &flow_id, revision).await?;
    let flow = checked_flow(&state, &record.source)?;
    if flow.disabled {
        return Err(ApiError::Conflict(format!(
            "flow {namespace}.{flow_id} is disabled; enable it before starting an execution"
        )));
    }
    let mut execution = Execution::new(
        sluice_store::new_execution_id(),
        &flow,
        serde_json::Map::new(),
        Timestamp::now(),
    );
    execution.flow_revision = record.revision;
    execution.labels.extend(labels);
    let upload = Upload {
        storage: &state.storage,
        execution: &execution,
        secrets: state.secrets.as_ref(),
    };
    execution.inputs = read_inputs(request, &flow, &upload).await?;
    start(&state, &execution).await?;
    Ok(Json(execution))
}

/// `GET /api/v1/executions/{executionId}`.
pub async fn get(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> ApiResult<Json<Execution>> {
    Ok(Json(find_execution(&state, &id).await?))
}

/// A summary in Kestra's field names: `state.current`, `state.startDate`, `state.endDate`,
/// `state.duration`.
fn summary_json(s: &ExecutionSummary) -> Value {
    json!({
        "id": s.id,
        "namespace": s.namespace,
        "flowId": s.flow_id,
        "state": {
            "current": s.state,
            "startDate": s.start,
            "endDate": s.end,
            "duration": s.duration,
        },
    })
}

/// A timestamp parameter (`2026-11-28T09:30:00Z`, any offset).
fn timestamp(params: &Params, name: &str) -> ApiResult<Option<Timestamp>> {
    params.parse::<Timestamp>(name, "an RFC 3339 date and time like `2026-11-28T09:30:00Z`")
}

/// `GET /api/v1/executions/search`: `namespace`, `flowId`, `state` (repeatable or comma-separated),
/// `startDate`, `endDate`, `page`, `size`; newest first.
pub async fn search(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let mut states = Vec::new();
    for name in params.all("state").flat_map(|v| v.split(',')) {
        let parsed = ExecState::parse(name.trim()).ok_or_else(|| {
            let known: Vec<&str> = ExecState::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::BadRequest(format!("`{name}` is not a state; states are {}", known.join(", ")))
        })?;
        states.push(parsed);
    }
    let filter = ExecutionFilter {
        namespace: params.get("namespace").map(str::to_string),
        flow_id: params.get("flowId").map(str::to_string),
        state: (!states.is_empty()).then_some(states),
        from: timestamp(&params, "startDate")?,
        to: timestamp(&params, "endDate")?,
        page: params.number("page", 1, 1, u32::MAX)?,
        size: params.number("size", 10, 1, MAX_PAGE_SIZE)?,
    };
    let page = state.store.list_executions(&filter).await?;
    let results: Vec<Value> = page.results.iter().map(summary_json).collect();
    Ok(Json(json!({ "results": results, "total": page.total })))
}

/// `POST` or `DELETE /api/v1/executions/{executionId}/kill`: posts a kill; 202 with the execution
/// as it is now (the executor carries the kill out). 409 if it has ended already.
pub async fn kill(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<(StatusCode, Json<Execution>)> {
    let execution = find_execution(&state, &id).await?;
    let current = execution.state.current;
    if current.is_terminal() {
        return Err(ApiError::Conflict(format!(
            "execution {id} has already ended ({current}); there is nothing to kill"
        )));
    }
    state.store.push_event(&id, &Event::Kill, Timestamp::now()).await?;
    state.executor_wake.notify_one();
    Ok((StatusCode::ACCEPTED, Json(execution)))
}

/// `POST /api/v1/executions/{executionId}/resume`: a PAUSED execution goes on; its paused
/// Pause tasks succeed. An optional JSON object body gives the values they keep as their
/// output `onResume`. 409 unless the execution is PAUSED.
pub async fn resume(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Execution>> {
    let execution = find_execution(&state, &id).await?;
    let current = execution.state.current;
    if current != ExecState::Paused {
        return Err(ApiError::Conflict(format!(
            "execution {id} is {current}; only a PAUSED execution can be resumed"
        )));
    }
    let inputs = match serde_json::from_slice::<Value>(&body) {
        _ if body.iter().all(u8::is_ascii_whitespace) => serde_json::Map::new(),
        Ok(Value::Object(map)) => map,
        _ => {
            return Err(ApiError::invalid(
                "the body of a resume must be empty or a JSON object of the values to resume with, e.g. {\"approved\": true}",
            ));
        }
    };
    state
        .store
        .push_event(&id, &Event::Resume { inputs }, Timestamp::now())
        .await?;
    state.executor_wake.notify_one();
    Ok(Json(execution))
}

/// `POST /api/v1/executions/{executionId}/restart`: a FAILED or KILLED execution runs its failed
/// task runs again, in place. 409 for any other state.
pub async fn restart(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> ApiResult<Json<Execution>> {
    let execution = find_execution(&state, &id).await?;
    let current = execution.state.current;
    if !matches!(current, ExecState::Failed | ExecState::Killed) {
        return Err(ApiError::Conflict(format!(
            "execution {id} is {current}; only FAILED or KILLED executions can be restarted"
        )));
    }
    state.store.push_event(&id, &Event::Restart, Timestamp::now()).await?;
    state.executor_wake.notify_one();
    Ok(Json(execution))
}

/// `POST /api/v1/executions/{executionId}/state`: sets the state of one task run of an ended
/// execution (`{"taskRunId": …, "state": "SUCCESS" | "WARNING" | "FAILED"}`), which then goes on
/// from there, as Kestra's "change state" does. 409 while the execution runs.
pub async fn change_task_run_state(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Execution>> {
    let execution = find_execution(&state, &id).await?;
    let usage = "the body must be a JSON object such as {\"taskRunId\": \"…\", \"state\": \"SUCCESS\"}; the state is SUCCESS, WARNING or FAILED";
    let request: Value = serde_json::from_slice(&body).map_err(|_| ApiError::invalid(usage))?;
    let (Some(run), Some(new_state)) = (request["taskRunId"].as_str(), request["state"].as_str()) else {
        return Err(ApiError::invalid(usage));
    };
    let new_state = match new_state {
        "SUCCESS" => ExecState::Success,
        "WARNING" => ExecState::Warning,
        "FAILED" => ExecState::Failed,
        _ => return Err(ApiError::invalid(usage)),
    };
    if execution.task_run(run).is_none() {
        return Err(ApiError::invalid(format!(
            "execution {id} has no task run `{run}`; its task runs are listed in `taskRunList`"
        )));
    }
    let current = execution.state.current;
    if !current.is_terminal() {
        return Err(ApiError::Conflict(format!(
            "execution {id} is still {current}; change a task run's state once it has ended"
        )));
    }
    let event = Event::ChangeTaskRunState {
        task_run_id: run.to_string(),
        state: new_state,
    };
    state.store.push_event(&id, &event, Timestamp::now()).await?;
    state.executor_wake.notify_one();
    Ok(Json(execution))
}

/// `POST /api/v1/executions/{executionId}/replay`: a new execution of the same flow revision
/// (or `revision`) with the same inputs and labels, whose `originalId` is the old one; with
/// `taskRunId`, it keeps what ran before that task run and runs it and what follows again.
pub async fn replay(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    params: Params,
) -> ApiResult<Json<Execution>> {
    let old = find_execution(&state, &id).await?;
    if !old.state.current.is_terminal() {
        return Err(ApiError::Conflict(format!(
            "execution {id} is still {}; replay it once it has ended",
            old.state.current
        )));
    }
    let revision = params.parse::<u32>("revision", "a revision number")?;
    let record = find_flow(
        &state,
        &old.namespace,
        &old.flow_id,
        Some(revision.unwrap_or(old.flow_revision)),
    )
    .await?;
    let flow = checked_flow(&state, &record.source)?;
    let mut execution = Execution::new(
        sluice_store::new_execution_id(),
        &flow,
        old.inputs.clone(),
        Timestamp::now(),
    );
    execution.flow_revision = record.revision;
    execution.labels = old.labels.clone();
    execution.original_id = Some(old.id.clone());
    if let Some(from) = params.get("taskRunId") {
        sluice_engine::replay_from(&old, &mut execution, from, Timestamp::now()).map_err(ApiError::invalid)?;
    }
    start(&state, &execution).await?;
    Ok(Json(execution))
}
