//! The server's HTTP side: Kestra-compatible REST API under `/api/v1`, the OpenAPI document at
//! `/api/openapi.json`, and the web UI, all from one [`app`] router over shared [`AppState`].
//!
//! It reads and writes the store and posts events for the executor; it never runs a task.

pub mod api;
pub mod auth;
mod state;
pub mod ui;

pub use auth::{Auth, BasicAuth};
pub use state::AppState;

use axum::Router;

/// The whole HTTP application; with credentials configured in `state.auth`, every route needs them.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(ui::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require))
        .with_state(state)
}
