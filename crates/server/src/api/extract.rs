//! Extractors whose every rejection is an [`ApiError`], so a malformed path, query or body gets a
//! JSON answer saying what was wrong instead of axum's plain-text one.

use super::error::ApiError;
use super::error::chain;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::CONTENT_LENGTH;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// Path parameters, like [`Path`], rejected as a 400.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(e) => Err(ApiError::BadRequest(format!("invalid path: {}", e.body_text()))),
        }
    }
}

/// The query string as name/value pairs in order, so a parameter may repeat (`state=A&state=B`).
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match Query::<Vec<(String, String)>>::try_from_uri(&parts.uri) {
            Ok(Query(pairs)) => Ok(Params(pairs)),
            Err(e) => Err(ApiError::BadRequest(format!("invalid query string: {}", e.body_text()))),
        }
    }
}

impl Params {
    /// Every name and value, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The last value of a parameter; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The last value of a parameter, even an empty one.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of a parameter, in order (empty ones too: a repeated parameter is a list of
    /// values that must each be valid).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A parameter parsed as `T`; `expected` names a good value for the error message. Unlike
    /// [`Params::get`], an empty value is an error: a typed parameter must have a value.
    pub fn parse<T: FromStr>(&self, name: &str, expected: &str) -> Result<Option<T>, ApiError> {
        let Some(value) = self.raw(name) else {
            return Ok(None);
        };
        value
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| ApiError::BadRequest(format!("query parameter `{name}` must be {expected}, got `{value}`")))
    }

    /// A `true`/`false` parameter, `default` when absent.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        Ok(self.parse(name, "`true` or `false`")?.unwrap_or(default))
    }

    /// A whole number in `min..=max`, `default` when absent.
    pub fn number(&self, name: &str, default: u32, min: u32, max: u32) -> Result<u32, ApiError> {
        let expected = format!("a whole number from {min} to {max}");
        match self.parse::<u32>(name, &expected)? {
            None => Ok(default),
            Some(n) if (min..=max).contains(&n) => Ok(n),
            Some(n) => Err(ApiError::BadRequest(format!(
                "query parameter `{name}` must be {expected}, got `{n}`"
            ))),
        }
    }
}

/// Reads a whole body of at most `limit` bytes; more is a 413, a broken stream a 400.
pub async fn read_body(request: Request, limit: usize) -> Result<Bytes, ApiError> {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::TooLarge { limit });
    }
    axum::body::to_bytes(request.into_body(), limit).await.map_err(|e| {
        // The limit error of `to_bytes` is only known by its text.
        if chain(&e).contains("length limit exceeded") {
            ApiError::TooLarge { limit }
        } else {
            ApiError::BadRequest(format!("cannot read the request body: {e}"))
        }
    })
}

/// Largest YAML body accepted (flow sources, validation requests).
pub const YAML_LIMIT: usize = 10 * 1024 * 1024;

/// A flow source sent as the body (`application/x-yaml`; any text type is read the same way).
pub struct YamlBody(pub String);

impl<S: Send + Sync> FromRequest<S> for YamlBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(request, YAML_LIMIT).await?;
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => Ok(YamlBody(text)),
            Err(e) => Err(ApiError::BadRequest(format!(
                "the body is not UTF-8 text (invalid byte at offset {}); send the flow's YAML source",
                e.utf8_error().valid_up_to()
            ))),
        }
    }
}
