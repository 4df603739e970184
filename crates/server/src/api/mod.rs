//! The REST API, following Kestra's paths and JSON shapes where Sluice has the feature.
//!
//! Every answer is JSON (or an event stream, or a download); every error is an [`ApiError`] with a
//! JSON body. Responses axum makes on its own (405, an unknown `/api` path) are turned into the
//! same JSON shape, so a client never has to parse anything else.

mod error;
mod executions;
mod extract;
mod files;
mod flow_json;
mod flows;
mod follow;
mod inputs;
mod kv;
mod logs;
mod namespace_files;
mod openapi;
mod openapi_namespaces;
mod openapi_parts;
mod openapi_schemas;
mod secrets;
mod triggers;
mod webhooks;

pub use error::{ApiError, Detail, INTERNAL_MESSAGE};
pub use extract::YAML_LIMIT;
pub use inputs::{FORM_LIMIT, UPLOAD_LIMIT};
pub use webhooks::WEBHOOK_LIMIT;

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::Request;
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::{Method, Uri};
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use axum::routing::{any, get, post};

/// Routes under `/api`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/v1/flows", post(flows::create))
        .route("/api/v1/flows/search", get(flows::search))
        .route("/api/v1/flows/validate", post(flows::validate))
        .route(
            "/api/v1/flows/{namespace}/{id}",
            get(flows::get).put(flows::update).delete(flows::delete),
        )
        .route("/api/v1/flows/{namespace}/{id}/revisions", get(flows::revisions))
        .route("/api/v1/executions/search", get(executions::search))
        .route("/api/v1/triggers/search", get(triggers::search))
        .route("/api/v1/executions/{executionId}", get(executions::get))
        // `{executionId}` here is the namespace: a path segment must have one name in every route.
        .route(
            "/api/v1/executions/{executionId}/{flowId}",
            post(executions::create).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/api/v1/executions/{executionId}/kill",
            post(executions::kill).delete(executions::kill),
        )
        .route("/api/v1/executions/{executionId}/resume", post(executions::resume))
        .route("/api/v1/executions/{executionId}/restart", post(executions::restart))
        .route(
            "/api/v1/executions/{executionId}/state",
            post(executions::change_task_run_state),
        )
        .route("/api/v1/executions/{executionId}/replay", post(executions::replay))
        .route("/api/v1/executions/{executionId}/follow", get(follow::execution))
        .route("/api/v1/executions/{executionId}/file", get(files::download))
        .route("/api/v1/executions/{executionId}/metrics", get(files::metrics))
        .route("/api/v1/metrics/{executionId}", get(files::metrics))
        .route(
            "/api/v1/namespaces/{namespace}/kv",
            get(kv::list).delete(kv::delete_keys),
        )
        .route(
            "/api/v1/namespaces/{namespace}/kv/{key}",
            get(kv::get).put(kv::put).delete(kv::delete),
        )
        .route(
            "/api/v1/namespaces/{namespace}/files",
            get(namespace_files::content)
                .post(namespace_files::upload)
                .put(namespace_files::relocate)
                .delete(namespace_files::delete)
                .layer(DefaultBodyLimit::max(namespace_files::FILE_LIMIT)),
        )
        .route(
            "/api/v1/namespaces/{namespace}/files/stats",
            get(namespace_files::stats),
        )
        .route(
            "/api/v1/namespaces/{namespace}/files/directory",
            get(namespace_files::directory),
        )
        .route(
            "/api/v1/namespaces/{namespace}/files/search",
            get(namespace_files::search),
        )
        .route("/api/v1/namespaces/{namespace}/secrets", get(secrets::list))
        .route(
            "/api/v1/namespaces/{namespace}/secrets/{key}",
            axum::routing::put(secrets::put).delete(secrets::delete),
        )
        .route("/api/v1/logs/{executionId}", get(logs::list))
        .route("/api/v1/logs/{executionId}/download", get(logs::download))
        .route("/api/v1/logs/{executionId}/follow", get(follow::logs))
        .route("/api/{*rest}", any(unknown_route))
        .layer(from_fn(json_errors))
}

/// The webhook routes, which their key guards instead of the server's credentials.
pub fn webhook_routes() -> Router<AppState> {
    let methods = || get(webhooks::call).post(webhooks::call).put(webhooks::call);
    Router::new()
        .route("/api/v1/executions/webhook/{namespace}/{flowId}/{key}", methods())
        .route("/api/v1/main/executions/webhook/{namespace}/{flowId}/{key}", methods())
        .layer(DefaultBodyLimit::max(WEBHOOK_LIMIT))
        .layer(from_fn(json_errors))
}

/// Any other path under `/api`.
async fn unknown_route(method: Method, uri: Uri) -> ApiError {
    ApiError::NotFound(format!(
        "no API route for {method} {}; see /api/openapi.json",
        uri.path()
    ))
}

/// Turns an error response that is not JSON (axum's own 405, a rejection's text) into the API's
/// JSON error shape; 5xx texts are replaced by the fixed internal message.
async fn json_errors(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if status.is_server_error() {
        INTERNAL_MESSAGE.to_string()
    } else if !text.is_empty() {
        text
    } else if status == axum::http::StatusCode::METHOD_NOT_ALLOWED {
        format!("{method} is not allowed on {path}; see /api/openapi.json for the methods of each path")
    } else {
        status.canonical_reason().unwrap_or("request failed").to_lowercase()
    };
    let mut fresh = error::error_response(status, &message, &[]);
    if let Some(allow) = parts.headers.get(ALLOW) {
        fresh.headers_mut().insert(ALLOW, allow.clone());
    }
    fresh
}
