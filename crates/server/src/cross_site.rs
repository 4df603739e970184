//! Refusal of cross-site requests that change state. Browsers resend basic credentials (and
//! cookies) to a site on their own, so a page elsewhere could post a flow or start an execution
//! with the user's rights; a request that a browser marks as coming from another site
//! (`Sec-Fetch-Site: cross-site` or `same-site`, or an `Origin` whose host is not this server's)
//! is refused for every method but GET, HEAD and OPTIONS. Clients that are not browsers send
//! neither header and are not affected.

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Why a request is cross-site, when it is.
fn cross_site(request: &Request) -> Option<String> {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && matches!(site, "cross-site" | "same-site")
    {
        return Some(format!(
            "the browser says it comes from another site (Sec-Fetch-Site: {site})"
        ));
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())?;
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    (origin == "null" || !origin_host.eq_ignore_ascii_case(host))
        .then(|| format!("its Origin `{origin}` is not this server (`{host}`)"))
}

/// The middleware.
pub async fn refuse(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    match (safe, cross_site(&request)) {
        (false, Some(why)) => {
            let body = serde_json::json!({
                "message": format!(
                    "cross-site request refused: {why}; call the API from Sluice's own UI, or from a client that is not a browser"
                )
            });
            (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
        }
        _ => next.run(request).await,
    }
}
