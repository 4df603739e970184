//! Flows: create and update from YAML, read (any revision), list revisions, delete, search, and
//! validate without storing. Paths and shapes are Kestra's (`/api/v1/flows/...`).

use super::error::{ApiError, ApiResult, Detail};
use super::extract::{ApiPath, Params, YamlBody};
use super::flow_json::{details, documents, flow_json};
use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sluice_flow::{Checked, Flow, Severity};
use sluice_store::FlowRecord;

/// Most flows one search page holds.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Checks a source; an invalid one is a 422 listing every diagnostic.
pub fn checked_flow(state: &AppState, source: &str) -> ApiResult<Flow> {
    let Checked { flow, diagnostics } = state.validator.check(source);
    match flow {
        Some(flow) => Ok(flow),
        None => {
            let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
            let first = diagnostics
                .iter()
                .find(|d| d.severity == Severity::Error)
                .map(|d| format!(": line {}, column {}: {}", d.pos.line, d.pos.column, d.message))
                .unwrap_or_default();
            Err(ApiError::Invalid {
                message: format!(
                    "the flow is invalid ({errors} error{}){first}",
                    if errors == 1 { "" } else { "s" }
                ),
                details: details(source, &diagnostics),
            })
        }
    }
}

/// The newest revision of a flow, or a 404 naming it.
pub async fn find_flow(state: &AppState, namespace: &str, id: &str, revision: Option<u32>) -> ApiResult<FlowRecord> {
    state
        .store
        .get_flow(namespace, id, revision)
        .await?
        .ok_or_else(|| match revision {
            Some(r) => ApiError::NotFound(format!("flow {namespace}.{id} has no revision {r}")),
            None => ApiError::NotFound(format!("flow {namespace}.{id} not found")),
        })
}

/// `POST /api/v1/flows`: stores a new flow from its YAML source.
pub async fn create(State(state): State<AppState>, YamlBody(source): YamlBody) -> ApiResult<Json<Value>> {
    let flow = checked_flow(&state, &source)?;
    if state.store.get_flow(&flow.namespace, &flow.id, None).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "flow {ns}.{id} already exists; update it with PUT /api/v1/flows/{ns}/{id}",
            ns = flow.namespace,
            id = flow.id
        )));
    }
    let record = state.store.put_flow(&flow.namespace, &flow.id, &source).await?;
    Ok(Json(flow_json(&record, true)))
}

/// `PUT /api/v1/flows/{namespace}/{id}`: stores a new revision of an existing flow.
pub async fn update(
    State(state): State<AppState>,
    ApiPath((namespace, id)): ApiPath<(String, String)>,
    YamlBody(source): YamlBody,
) -> ApiResult<Json<Value>> {
    find_flow(&state, &namespace, &id, None).await?;
    let flow = checked_flow(&state, &source)?;
    if flow.namespace != namespace || flow.id != id {
        return Err(ApiError::invalid(format!(
            "the source is flow {}.{} but the path names {namespace}.{id}; the id and namespace of a flow cannot \
             change: create a new flow instead",
            flow.namespace, flow.id
        )));
    }
    let record = state.store.put_flow(&namespace, &id, &source).await?;
    Ok(Json(flow_json(&record, true)))
}

/// `GET /api/v1/flows/{namespace}/{id}` with optional `revision` and `source`.
pub async fn get(
    State(state): State<AppState>,
    ApiPath((namespace, id)): ApiPath<(String, String)>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let revision = params.parse::<u32>("revision", "a revision number")?;
    let with_source = params.flag("source", false)?;
    let record = find_flow(&state, &namespace, &id, revision).await?;
    Ok(Json(flow_json(&record, with_source)))
}

/// `GET /api/v1/flows/{namespace}/{id}/revisions`: every revision, oldest first, with its source.
pub async fn revisions(
    State(state): State<AppState>,
    ApiPath((namespace, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<Vec<Value>>> {
    let mut out = Vec::new();
    // Revisions are numbered 1, 2, 3… without gaps and kept after a delete.
    for revision in 1u32.. {
        match state.store.get_flow(&namespace, &id, Some(revision)).await? {
            Some(record) => out.push(flow_json(&record, true)),
            None => break,
        }
    }
    if out.is_empty() {
        return Err(ApiError::NotFound(format!("flow {namespace}.{id} not found")));
    }
    Ok(Json(out))
}

/// `DELETE /api/v1/flows/{namespace}/{id}`: 204, or 404 if there is no such flow.
pub async fn delete(
    State(state): State<AppState>,
    ApiPath((namespace, id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    if state.store.delete_flow(&namespace, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("flow {namespace}.{id} not found")))
    }
}

/// `GET /api/v1/flows/search`: `q` (in id or namespace), `namespace` (and its children), `page`,
/// `size`; Kestra's `{results, total}`.
pub async fn search(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let q = params.get("q").map(str::to_lowercase);
    let namespace = params.get("namespace");
    let page = params.number("page", 1, 1, u32::MAX)?;
    let size = params.number("size", 10, 1, MAX_PAGE_SIZE)?;
    let matching: Vec<FlowRecord> = state
        .store
        .list_flows()
        .await?
        .into_iter()
        .filter(|f| {
            namespace.is_none_or(|ns| {
                f.namespace == ns || f.namespace.strip_prefix(ns).is_some_and(|rest| rest.starts_with('.'))
            })
        })
        .filter(|f| {
            q.as_deref()
                .is_none_or(|q| f.id.to_lowercase().contains(q) || f.namespace.to_lowercase().contains(q))
        })
        .collect();
    let skip = usize::try_from(u64::from(page - 1) * u64::from(size)).unwrap_or(usize::MAX);
    let results: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(size as usize)
        .map(|r| flow_json(r, false))
        .collect();
    Ok(Json(json!({ "results": results, "total": matching.len() })))
}

/// `POST /api/v1/flows/validate`: one result per YAML document, in Kestra's shape
/// (`index`, `flow`, `namespace`, `constraints`, `warnings`…) plus every diagnostic as `details`.
pub async fn validate(State(state): State<AppState>, YamlBody(source): YamlBody) -> Json<Vec<Value>> {
    let results = documents(&source)
        .into_iter()
        .enumerate()
        .map(|(index, (start, text))| {
            let checked = state.validator.check(&text);
            let mut items: Vec<Detail> = details(&text, &checked.diagnostics);
            let shift = start.saturating_sub(1);
            for d in &mut items {
                d.line = d.line.map(|l| l.saturating_add(shift));
            }
            let lines = |severity: &str| -> Vec<String> {
                items
                    .iter()
                    .filter(|d| d.severity == severity)
                    .map(|d| {
                        format!(
                            "line {}, column {}: {}",
                            d.line.unwrap_or(0),
                            d.column.unwrap_or(0),
                            d.message
                        )
                    })
                    .collect()
            };
            let errors = lines("error");
            let root = sluice_flow::yaml::parse(&text).ok();
            let field = |key: &str| root.as_ref().and_then(|r| r.get(key)).and_then(|n| n.scalar_text());
            json!({
                "index": index,
                "flow": field("id"),
                "namespace": field("namespace"),
                "constraints": if errors.is_empty() { Value::Null } else { json!(errors.join("\n")) },
                "outdated": false,
                "deprecationPaths": [],
                "warnings": lines("warning"),
                "infos": [],
                "valid": checked.is_valid(),
                "details": items,
            })
        })
        .collect();
    Json(results)
}
