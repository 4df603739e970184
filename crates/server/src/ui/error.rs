//! What a page shows when it cannot show what was asked: a 404 page naming what was not found, or
//! a 500 page that says something went wrong without showing internals (those go to the log).

use super::render::{self, Nav};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use sluice_store::StoreError;

/// Why a page could not be rendered.
#[derive(Debug)]
pub(crate) enum UiError {
    /// Nothing is stored under what the URL names, e.g. "Flow `company.team/etl`".
    NotFound(String),
    /// Reading the store failed.
    Store(StoreError),
    /// A template failed to render (a bug in the UI).
    Template(minijinja::Error),
}

impl From<StoreError> for UiError {
    fn from(e: StoreError) -> Self {
        UiError::Store(e)
    }
}

impl From<minijinja::Error> for UiError {
    fn from(e: minijinja::Error) -> Self {
        UiError::Template(e)
    }
}

#[derive(Serialize)]
struct ErrorPage<'a> {
    status: u16,
    heading: &'a str,
    message: String,
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            UiError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "Not found",
                format!("{what} was not found. It may have been deleted, or the address is mistyped."),
            ),
            UiError::Store(e) => {
                tracing::error!(error = %error_chain(&e), "web UI: reading the store failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Sluice could not read its data store. Try again in a moment; the server log says what happened."
                        .to_string(),
                )
            }
            UiError::Template(e) => {
                tracing::error!(error = %format!("{e:#}"), "web UI: rendering a page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Sluice could not render this page. The server log says what happened.".to_string(),
                )
            }
        };
        let page = ErrorPage {
            status: status.as_u16(),
            heading,
            message,
        };
        let title = format!("{} {}", status.as_u16(), heading);
        match render::page(&title, Nav::None, "error.html", &page) {
            Ok(html) => (status, html).into_response(),
            // The error page itself failed: plain text, still without internals.
            Err(_) => (status, Html(title)).into_response(),
        }
    }
}

/// An error and its causes, one after the other, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

/// Any other address under `/ui/`.
pub(crate) async fn unknown_page(uri: Uri) -> UiError {
    UiError::NotFound(format!("The page {}", uri.path()))
}
