//! The web UI: server-rendered HTML with a little hand-written JavaScript, embedded in the binary.

use crate::AppState;
use axum::Router;

/// Routes of the UI.
pub fn routes() -> Router<AppState> {
    Router::new()
}
