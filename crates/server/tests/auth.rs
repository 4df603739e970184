//! Access control: with credentials configured, every request needs them.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sluice_server::{AppState, Auth, BasicAuth, app};
use sluice_store::{SqliteStore, Store};
use std::sync::Arc;
use tower::ServiceExt;

async fn state(name: &str) -> AppState {
    let dir = std::env::temp_dir().join(format!("sluice-auth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir).await.unwrap());
    let storage = sluice_store::Storage::local(&dir).unwrap();
    AppState::new(store, Arc::new(tokio::sync::Notify::new()), dir, storage)
}

async fn status(
    state: &AppState,
    method: &str,
    path: &str,
    authorization: Option<&str>,
) -> (StatusCode, Option<String>) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let response = app(state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_string());
    (response.status(), challenge)
}

#[tokio::test]
async fn without_credentials_configured_the_server_is_open() {
    let s = state("open").await;
    assert_eq!(status(&s, "GET", "/api/v1/flows/search", None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn tokens_and_basic_credentials_are_required_everywhere_when_configured() {
    let auth = Auth {
        basic: Some(BasicAuth {
            username: "admin".into(),
            password: "s3cret".into(),
        }),
        tokens: vec!["tok-123".into()],
    };
    let s = state("closed").await.with_auth(auth);
    let (code, challenge) = status(&s, "GET", "/api/v1/flows/search", None).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge.as_deref(),
        Some("Basic realm=\"sluice\""),
        "browsers prompt for the password"
    );
    assert_eq!(
        status(&s, "POST", "/api/v1/executions/dev/x", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status(&s, "GET", "/ui/flows", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        status(&s, "GET", "/api/v1/flows/search", Some("Bearer tok-123"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        status(&s, "GET", "/api/v1/flows/search", Some("Bearer tok-124"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // admin:s3cret and admin:wrong in base64
    assert_eq!(
        status(&s, "GET", "/ui/flows", Some("Basic YWRtaW46czNjcmV0")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        status(&s, "GET", "/ui/flows", Some("Basic YWRtaW46d3Jvbmc=")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(&s, "GET", "/ui/flows", Some("Basic !!!")).await.0,
        StatusCode::UNAUTHORIZED
    );
}

/// Browsers resend basic credentials by themselves, so a page on another site must not be able
/// to change anything: state-changing requests a browser marks as cross-site are refused.
#[tokio::test]
async fn cross_site_requests_that_change_state_are_refused() {
    let s = state("cross-site").await;
    let send = |method: &'static str, headers: &'static [(&'static str, &'static str)]| {
        let s = s.clone();
        async move {
            let mut request = Request::builder()
                .method(method)
                .uri("/api/v1/flows")
                .header(header::HOST, "sluice.local:8080")
                .header(header::CONTENT_TYPE, "application/x-yaml");
            for (k, v) in headers {
                request = request.header(*k, *v);
            }
            let flow = "id: f\nnamespace: dev\ntasks:\n  - {id: t, type: io.kestra.plugin.core.log.Log, message: hi}\n";
            let response = app(s).oneshot(request.body(Body::from(flow)).unwrap()).await.unwrap();
            let status = response.status();
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, body) = send("POST", &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("cross-site request refused"), "{body}");
    let (status, body) = send("POST", &[("origin", "https://evil.example")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("https://evil.example"), "{body}");
    let (status, body) = send(
        "POST",
        &[
            ("origin", "http://sluice.local:8080"),
            ("sec-fetch-site", "same-origin"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the UI's own requests pass: {body}");
    let (status, body) = send("POST", &[]).await;
    // It reaches the handler, which answers that the flow is there already.
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "clients that are not browsers pass: {body}"
    );
    let (status, _) = send("GET", &[("sec-fetch-site", "cross-site")]).await;
    assert_ne!(status, StatusCode::FORBIDDEN, "reading is not refused");
}
