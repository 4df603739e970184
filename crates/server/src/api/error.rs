//! The one error type of the API and its JSON body.
//!
//! A user's mistake says what was wrong (and, for invalid flows and inputs, every detail with its
//! place); an internal failure is logged with its causes and answered with the same short sentence
//! whatever the request, so nothing about the server leaks.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sluice_flow::Diagnostic;
use sluice_store::StoreError;

/// The body of every internal error: the same for every request.
pub const INTERNAL_MESSAGE: &str = "internal error, see the server log";

/// A boxed cause of an internal error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One finding behind a 422: where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    /// Where in the document: `tasks[0].type`, `inputs.count`; `None` when it is the whole thing.
    pub path: Option<String>,
    /// 1-based line in the flow source, when the finding is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column in the flow source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// A stable name of the kind of problem, like `unknown-property` or `invalid-input`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Detail {
    /// A detail from a validator diagnostic, with its path in the YAML when known.
    pub fn from_diagnostic(d: &Diagnostic, path: Option<String>) -> Self {
        Detail {
            path,
            line: Some(d.pos.line),
            column: Some(d.pos.column),
            severity: match d.severity {
                sluice_flow::Severity::Error => "error",
                sluice_flow::Severity::Warning => "warning",
            },
            code: d.code,
            message: d.message.clone(),
            help: d.help.clone(),
        }
    }

    /// An error about an execution input.
    pub fn input(id: &str, code: &'static str, message: String, help: Option<String>) -> Self {
        Detail {
            path: Some(format!("inputs.{id}")),
            line: None,
            column: None,
            severity: "error",
            code,
            message,
            help,
        }
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request itself is malformed: a parameter, a header or the body.
    #[error("{0}")]
    BadRequest(String),
    /// What the request names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request does not fit the current state (a flow exists already, an execution has ended).
    #[error("{0}")]
    Conflict(String),
    /// The request is well-formed but its content is invalid; `details` says where and why.
    #[error("{message}")]
    Invalid {
        /// A summary.
        message: String,
        /// Every finding.
        details: Vec<Detail>,
    },
    /// The body is larger than the route accepts.
    #[error("the request body is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body has a content type the route does not read.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The store is busy (locked database, exhausted pool): trying again later may work.
    #[error("the database is busy; try again in a moment")]
    Busy(#[source] StoreError),
    /// Anything else: logged, never shown.
    #[error("internal error while {action}")]
    Internal {
        /// What the server was doing.
        action: &'static str,
        /// The cause.
        #[source]
        source: BoxError,
    },
}

impl ApiError {
    /// An internal error while doing `action`.
    pub fn internal(action: &'static str, source: impl Into<BoxError>) -> Self {
        ApiError::Internal {
            action,
            source: source.into(),
        }
    }

    /// A 422 with one message and no details.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::Invalid {
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.is_transient() {
            ApiError::Busy(e)
        } else {
            ApiError::internal("using the store", e)
        }
    }
}

/// The JSON body of an error.
#[derive(Serialize)]
struct Body<'a> {
    message: &'a str,
    #[serde(skip_serializing_if = "<[Detail]>::is_empty")]
    details: &'a [Detail],
}

/// Renders an error body with `status` and `message`.
pub fn error_response(status: StatusCode, message: &str, details: &[Detail]) -> Response {
    (status, axum::Json(Body { message, details })).into_response()
}

/// Every cause of an error, outermost first, joined with `: `.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            ApiError::Internal { .. } => {
                tracing::error!(error = %chain(&self), "API request failed");
                error_response(status, INTERNAL_MESSAGE, &[])
            }
            ApiError::Busy(_) => {
                tracing::warn!(error = %chain(&self), "API request met a busy store");
                let mut response = error_response(status, &self.to_string(), &[]);
                response.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("1"),
                );
                response
            }
            ApiError::Invalid { message, details } => error_response(status, message, details),
            _ => error_response(status, &self.to_string(), &[]),
        }
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;
