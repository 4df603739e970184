//! Kestra's HTTP `options`, both shapes: 0.x `RequestOptions` (`connectTimeout`, `readTimeout`,
//! `basicAuthUser`, `proxyAddress`…, with `sslOptions` beside it) and 1.x `HttpConfiguration`
//! (`timeout`, `auth`, `ssl`, `proxy`, `allowFailed`, `allowedResponseCodes`).
//!
//! Kestra: <https://kestra.io/plugins/core/http/io.kestra.plugin.core.http.request>

use serde_json::{Map, Value};
use std::time::Duration;

/// Kestra's default read-idle timeout (0.21 and later): a server that sends nothing for this
/// long fails the task.
pub(crate) const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(300);
/// Kestra's default `maxContentLength` of a response read into outputs: 10 MiB.
pub(crate) const DEFAULT_MAX_CONTENT_LENGTH: u64 = 10 * 1024 * 1024;

/// How to authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Auth {
    /// `Authorization: Basic …`.
    Basic { user: String, password: String },
    /// `Authorization: Bearer …`.
    Bearer(String),
}

/// What a client needs that cannot change per request; clients are shared per value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ClientKey {
    pub connect_timeout: Option<Duration>,
    pub read_timeout: Duration,
    pub follow_redirects: bool,
    pub insecure: bool,
    pub proxy: Option<String>,
}

/// The options of one request, after rendering.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub client: ClientKey,
    pub allow_failed: bool,
    pub allowed_codes: Vec<u16>,
    pub auth: Option<Auth>,
    pub max_content_length: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            client: ClientKey {
                connect_timeout: None,
                read_timeout: DEFAULT_READ_TIMEOUT,
                follow_redirects: true,
                insecure: false,
                proxy: None,
            },
            allow_failed: false,
            allowed_codes: Vec::new(),
            auth: None,
            max_content_length: DEFAULT_MAX_CONTENT_LENGTH,
        }
    }
}

/// Reads `options` (and the older `sslOptions` and top-level `allowFailed`) of a rendered task.
pub(crate) fn parse(properties: &Map<String, Value>) -> Result<Options, String> {
    let mut o = Options::default();
    let empty = Map::new();
    let opts = match properties.get("options") {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => &empty,
        Some(other) => return Err(format!("`options` must be a mapping, found {other}")),
    };
    let timeout = opts.get("timeout").and_then(Value::as_object).unwrap_or(&empty);
    o.client.connect_timeout = duration(opts, "connectTimeout")?.or(duration(timeout, "connectTimeout")?);
    if let Some(read) = duration(opts, "readTimeout")?.or(duration(timeout, "readIdleTimeout")?) {
        o.client.read_timeout = read;
    }
    o.client.follow_redirects = flag(opts, "followRedirects")?.unwrap_or(true);
    let ssl = opts
        .get("ssl")
        .or(properties.get("sslOptions"))
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    o.client.insecure = flag(ssl, "insecureTrustAllCertificates")?.unwrap_or(false);
    o.client.proxy = proxy(opts)?;
    o.allow_failed = flag(opts, "allowFailed")?
        .or(flag(properties, "allowFailed")?)
        .unwrap_or(false);
    if let Some(codes) = opts.get("allowedResponseCodes") {
        let items = codes
            .as_array()
            .ok_or("`options.allowedResponseCodes` must be a list of status codes")?;
        for code in items {
            let n = number(code).filter(|n| (100..=599).contains(n)).ok_or_else(|| {
                format!("`options.allowedResponseCodes` holds {code}, which is not an HTTP status code (100 to 599)")
            })?;
            o.allowed_codes.push(n as u16);
        }
    }
    if let Some(max) = opts.get("maxContentLength") {
        o.max_content_length = number(max).ok_or("`options.maxContentLength` must be a number of bytes")?;
    }
    o.auth = auth(opts)?;
    Ok(o)
}

fn auth(opts: &Map<String, Value>) -> Result<Option<Auth>, String> {
    if let Some(user) = text(opts, "basicAuthUser") {
        let password = text(opts, "basicAuthPassword").unwrap_or_default();
        return Ok(Some(Auth::Basic { user, password }));
    }
    let Some(auth) = opts.get("auth").and_then(Value::as_object) else {
        return Ok(None);
    };
    match text(auth, "type").unwrap_or_default().to_ascii_uppercase().as_str() {
        "BASIC" => Ok(Some(Auth::Basic {
            user: text(auth, "username").unwrap_or_default(),
            password: text(auth, "password").unwrap_or_default(),
        })),
        "BEARER" => Ok(Some(Auth::Bearer(
            text(auth, "token").ok_or("`options.auth` of type BEARER needs a `token`")?,
        ))),
        other => Err(format!(
            "`options.auth.type` is {other:?}; Kestra's types are BASIC (username, password) and BEARER (token)"
        )),
    }
}

fn proxy(opts: &Map<String, Value>) -> Result<Option<String>, String> {
    let nested = opts.get("proxy").and_then(Value::as_object);
    let get = |new: &str, old: &str| nested.and_then(|p| text(p, new)).or_else(|| text(opts, old));
    let kind = get("type", "proxyType").unwrap_or_else(|| "DIRECT".into());
    let Some(address) = get("address", "proxyAddress") else {
        return Ok(None);
    };
    match kind.to_ascii_uppercase().as_str() {
        "DIRECT" => Ok(None),
        "HTTP" => {
            let port = get("port", "proxyPort").unwrap_or_else(|| "80".into());
            let credentials = match (get("username", "proxyUsername"), get("password", "proxyPassword")) {
                (Some(u), p) => format!("{u}:{}@", p.unwrap_or_default()),
                (None, _) => String::new(),
            };
            Ok(Some(format!("http://{credentials}{address}:{port}")))
        }
        other => Err(format!(
            "proxy type {other} is not supported; use HTTP (or DIRECT for no proxy)"
        )),
    }
}

fn text(m: &Map<String, Value>, key: &str) -> Option<String> {
    match m.get(key)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn flag(m: &Map<String, Value>, key: &str) -> Result<Option<bool>, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.trim() == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s.trim() == "false" => Ok(Some(false)),
        Some(other) => Err(format!("`{key}` must be true or false, found {other}")),
    }
}

fn duration(m: &Map<String, Value>, key: &str) -> Result<Option<Duration>, String> {
    let Some(t) = text(m, key) else { return Ok(None) };
    sluice_flow::duration::parse_duration(&t)
        .map(Some)
        .map_err(|e| format!("`{key}` is {t:?}, not an ISO-8601 duration such as PT30S: {e}"))
}
