//! The stylesheet and the script, embedded in the binary and served with cache headers.
//!
//! Pages link them with a `?v=` fingerprint of their content, so browsers may keep them for a
//! long time and still fetch the new ones after an upgrade.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../assets/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/app.js"),
    },
];

/// Fingerprints of the assets, in the order of [`ASSETS`].
static FINGERPRINTS: LazyLock<Vec<String>> = LazyLock::new(|| ASSETS.iter().map(|a| fingerprint(a.body)).collect());

/// A short hash of the content (FNV-1a), enough to tell versions apart.
fn fingerprint(body: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in body.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The address of an asset, with its fingerprint.
pub(crate) fn url(name: &str) -> String {
    match ASSETS.iter().position(|a| a.name == name) {
        Some(i) => format!("/ui/assets/{name}?v={}", FINGERPRINTS[i]),
        None => format!("/ui/assets/{name}"),
    }
}

/// The answer to `GET /ui/assets/{file}`, or `None` when no asset has that name (the caller
/// answers its not-found page).
pub(crate) fn serve(file: &str, headers: &HeaderMap) -> Option<Response> {
    let i = ASSETS.iter().position(|a| a.name == file)?;
    let asset = &ASSETS[i];
    let etag = format!("\"{}\"", FINGERPRINTS[i]);
    let cache = HeaderValue::from_static("public, max-age=86400");
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let etag = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    if not_modified {
        return Some(
            (
                StatusCode::NOT_MODIFIED,
                [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
            )
                .into_response(),
        );
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (header::CACHE_CONTROL, cache),
            (header::ETAG, etag),
        ],
        asset.body,
    )
        .into_response()
        .into()
}
