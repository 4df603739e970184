//! The REST API, following Kestra's paths and JSON shapes where Sluice has the feature.

use crate::AppState;
use axum::Router;

/// Routes under `/api`.
pub fn routes() -> Router<AppState> {
    Router::new()
}
