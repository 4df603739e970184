//! Optional access control: HTTP basic authentication and bearer tokens from the configuration.
//! When either is set, every request needs one of them; without both, the server is open (it binds
//! to 127.0.0.1 by default).

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Who may call the server.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Auth {
    /// A user name and password for HTTP basic authentication (the browser asks for them).
    pub basic: Option<BasicAuth>,
    /// Tokens accepted as `Authorization: Bearer <token>`, for API clients.
    pub tokens: Vec<String>,
}

/// Basic-authentication credentials.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Equal without revealing through timing where two secrets differ, or how long the
/// configured one is: both are hashed to 32 bytes first, then every byte is compared.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    let (x, y) = (Sha256::digest(a), Sha256::digest(b));
    x.iter().zip(y.iter()).fold(0u8, |acc, (p, q)| acc | (p ^ q)) == 0
}

impl Auth {
    /// Whether any credential is configured.
    pub fn enabled(&self) -> bool {
        self.basic.is_some() || !self.tokens.is_empty()
    }

    /// Whether an `Authorization` header carries valid credentials.
    pub fn allows(&self, header: Option<&HeaderValue>) -> bool {
        let Some(value) = header.and_then(|h| h.to_str().ok()) else {
            return false;
        };
        if let Some(token) = value.strip_prefix("Bearer ") {
            return self.tokens.iter().any(|t| same(t.as_bytes(), token.trim().as_bytes()));
        }
        let (Some(encoded), Some(basic)) = (value.strip_prefix("Basic "), &self.basic) else {
            return false;
        };
        let Ok(decoded) = sluice_flow::template::decode_base64(encoded.trim()) else {
            return false;
        };
        let Some((user, password)) = decoded.split_once(':') else {
            return false;
        };
        same(user.as_bytes(), basic.username.as_bytes()) & same(password.as_bytes(), basic.password.as_bytes())
    }
}

/// The middleware: lets a request through, or answers 401 saying what is needed.
pub async fn require(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.auth.enabled() || state.auth.allows(request.headers().get(header::AUTHORIZATION)) {
        return next.run(request).await;
    }
    let body = serde_json::json!({
        "message": "authentication required: send `Authorization: Bearer <token>` or basic credentials configured under `auth` in the server configuration"
    });
    let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    if state.auth.basic.is_some() {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"sluice\""),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn the_compare_is_exact_whatever_the_lengths() {
        assert!(same(b"s3cret", b"s3cret"));
        assert!(!same(b"s3cret", b"s3cre"));
        assert!(!same(b"s3cret", b"s3cret!"));
        assert!(!same(b"", b"x"));
        assert!(same(b"", b""));
    }
}
