//! The server's HTTP side: Kestra-compatible REST API under `/api/v1`, the OpenAPI document at
//! `/api/openapi.json`, and the web UI, all from one [`app`] router over shared [`AppState`].
//!
//! It reads and writes the store and posts events for the executor; it never runs a task.

pub mod api;
pub mod auth;
mod cross_site;
mod state;
pub mod ui;

pub use auth::{Auth, BasicAuth};
pub use state::{AppState, DEFAULT_WEBHOOK_WAIT};

use axum::Router;

/// The whole HTTP application; with credentials configured in `state.auth`, every route needs
/// them except `GET /health`, which says only that the server answers (for readiness probes),
/// and the webhook routes, whose trigger key is their credential (as in Kestra).
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(ui::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require))
        .layer(axum::middleware::from_fn(cross_site::refuse))
        .route("/health", axum::routing::get(health))
        .merge(api::webhook_routes())
        .with_state(state)
}

/// `GET /health`: `{"status": "UP"}`, as Kestra's health endpoint answers; it reads nothing.
async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "UP"}))
}
