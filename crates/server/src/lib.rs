//! The server's HTTP side: Kestra-compatible REST API under `/api/v1`, the OpenAPI document at
//! `/api/openapi.json`, and the web UI, all from one [`app`] router over shared [`AppState`].
//!
//! It reads and writes the store and posts events for the executor; it never runs a task.

pub mod api;
mod state;
pub mod ui;

pub use state::AppState;

use axum::Router;

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new().merge(api::routes()).merge(ui::routes()).with_state(state)
}
