//! The web UI: server-rendered HTML with a little hand-written JavaScript, embedded in the binary.
//!
//! Every page reads the store directly and renders from templates (minijinja, HTML autoescaping
//! on), so reading works without JavaScript. The script (`assets/app.js`) only adds live updates
//! (log lines and the execution summary over the API's event streams) and the actions (run, save,
//! kill, restart, replay), which it sends to the REST API under `/api/v1`.
//!
//! Routes:
//! - `/` and `/ui` redirect to `/ui/flows`;
//! - `/ui/flows`, `/ui/flows/{namespace}/{id}`;
//! - `/ui/executions`, `/ui/executions/{id}`, and `/ui/executions/{id}/gantt`, the live part of
//!   an execution's page (state, Gantt chart, task runs) that the script re-fetches while it runs;
//! - `/ui/executions/{id}/file?path=kestra:///…`, a preview of one of its stored files;
//! - `/ui/assets/app.css`, `/ui/assets/app.js`;
//! - anything else under `/ui/` is a 404 page.

mod assets;
mod error;
mod executions;
mod files;
mod flows;
mod format;
mod gantt;
mod inputs;
mod logs;
mod render;
mod topology;

use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

/// Routes of the UI.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/ui", get(home))
        .route("/ui/", get(home))
        .route("/ui/flows", get(flows::list))
        .route("/ui/flows/{namespace}/{id}", get(flows::show))
        .route("/ui/executions", get(executions::list))
        .route("/ui/executions/{id}", get(executions::show))
        .route("/ui/executions/{id}/gantt", get(executions::live))
        .route("/ui/executions/{id}/file", get(files::show))
        .route("/ui/assets/{file}", get(asset))
        .route("/ui/{*rest}", get(error::unknown_page))
}

/// The home page is the flow list.
async fn home() -> Redirect {
    Redirect::to("/ui/flows")
}

/// `GET /ui/assets/{file}`: an embedded asset, or the not-found page.
async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    assets::serve(&file, &headers)
        .unwrap_or_else(|| error::UiError::NotFound(format!("The file {file}")).into_response())
}
