//! Kestra's HTTP tasks (`io.kestra.plugin.core.http`, formerly `io.kestra.plugin.fs.http`):
//! the properties they share and the request they describe.
//!
//! Kestra: <https://kestra.io/plugins/core/http>

pub mod download;
pub mod request;

use crate::http::{Body, Outgoing, options};
use crate::{PlanContext, TaskError};
use serde_json::{Map, Value};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, deprecated, no_effect, opt, req};

/// HTTP methods Kestra accepts.
pub(crate) const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT", "CUSTOM",
];

const AUTH: &[Prop] = &[
    opt(
        "type",
        Kind::Enum(&["BASIC", "BEARER"]),
        "BASIC (username, password) or BEARER (token).",
    ),
    opt("username", Kind::String, "User name for BASIC."),
    opt("password", Kind::String, "Password for BASIC."),
    opt("token", Kind::String, "Token for BEARER."),
];
const TIMEOUT: &[Prop] = &[
    opt("connectTimeout", Kind::Duration, "Time to connect before failing."),
    opt(
        "readIdleTimeout",
        Kind::Duration,
        "Time the server may send nothing before failing (default PT5M).",
    ),
];
const SSL: &[Prop] = &[opt(
    "insecureTrustAllCertificates",
    Kind::Bool,
    "Accept any server certificate (self-signed test servers only).",
)];
/// A proxy's settings (1.x `options.proxy`), also the notifications'.
pub(crate) const PROXY: &[Prop] = &[
    opt(
        "type",
        Kind::Enum(&["DIRECT", "HTTP", "SOCKS"]),
        "DIRECT (none) or HTTP.",
    ),
    opt("address", Kind::String, "Proxy host."),
    opt("port", Kind::Int, "Proxy port."),
    opt("username", Kind::String, "Proxy user."),
    opt("password", Kind::String, "Proxy password."),
];
const NOT_LOGGED: &str = "Sluice does not log HTTP traffic; the response is in the task's outputs";

/// `options`: both Kestra 0.x's RequestOptions and 1.x's HttpConfiguration.
pub(crate) const OPTIONS: &[Prop] = &[
    opt("connectTimeout", Kind::Duration, "Time to connect before failing."),
    opt(
        "readTimeout",
        Kind::Duration,
        "Time the server may send nothing before failing (default PT5M).",
    ),
    opt("readIdleTimeout", Kind::Duration, "Same as readTimeout."),
    no_effect(
        "connectionPoolIdleTimeout",
        Kind::Duration,
        "Idle pooled connections' lifetime.",
        "connections are pooled with the client's defaults",
    ),
    opt(
        "maxContentLength",
        Kind::Int,
        "Largest response read into outputs, in bytes (default 10 MiB).",
    ),
    opt("followRedirects", Kind::Bool, "Follow redirects (default true)."),
    opt(
        "allowFailed",
        Kind::Bool,
        "Succeed on any status code, 4xx and 5xx included (default false).",
    ),
    opt(
        "allowedResponseCodes",
        Kind::Any,
        "The only status codes that succeed (400 and above also need allowFailed).",
    ),
    opt(
        "basicAuthUser",
        Kind::String,
        "User for basic authentication (0.x; `auth` in 1.x).",
    ),
    opt(
        "basicAuthPassword",
        Kind::String,
        "Password for basic authentication (0.x).",
    ),
    opt("auth", Kind::Object(AUTH), "Authentication: BASIC or BEARER."),
    opt("timeout", Kind::Object(TIMEOUT), "Timeouts (1.x)."),
    opt("ssl", Kind::Object(SSL), "TLS options (1.x)."),
    opt("proxy", Kind::Object(PROXY), "Proxy (1.x)."),
    opt(
        "proxyType",
        Kind::Enum(&["DIRECT", "HTTP", "SOCKS"]),
        "Proxy type (0.x).",
    ),
    opt("proxyAddress", Kind::String, "Proxy host (0.x)."),
    opt("proxyPort", Kind::Int, "Proxy port (0.x)."),
    opt("proxyUsername", Kind::String, "Proxy user (0.x)."),
    opt("proxyPassword", Kind::String, "Proxy password (0.x)."),
    no_effect(
        "defaultCharset",
        Kind::String,
        "Charset of text.",
        "text is always UTF-8",
    ),
    no_effect("logLevel", Kind::String, "HTTP client log level.", NOT_LOGGED),
    no_effect("logs", Kind::Any, "What of the traffic to log.", NOT_LOGGED),
];

/// The properties every HTTP task has.
pub(crate) const COMMON: [Prop; 8] = [
    req("uri", Kind::String, "The URL to call, http:// or https://."),
    opt("method", Kind::Enum(METHODS), "The HTTP method (default GET)."),
    opt(
        "body",
        Kind::String,
        "The request body, as text (JSON for the default content type).",
    ),
    opt(
        "formData",
        Kind::Map,
        "Form fields, sent url-encoded, or as multipart with contentType multipart/form-data.",
    ),
    opt(
        "contentType",
        Kind::String,
        "The body's content type (default application/json).",
    ),
    opt("headers", Kind::Map, "Request headers."),
    opt(
        "options",
        Kind::Object(OPTIONS),
        "Timeouts, redirects, authentication, TLS, proxy, accepted codes.",
    ),
    deprecated("sslOptions", Kind::Object(SSL), "TLS options (0.x).", "`options.ssl`"),
];

/// The task's request and options, rendered.
pub(crate) fn outgoing(task: &Task, cx: &PlanContext<'_>) -> Result<(Outgoing, options::Options), TaskError> {
    let invalid = |message: String| TaskError::Invalid {
        task: task.id.clone(),
        message,
    };
    let mut rendered = Map::new();
    for key in ["options", "sslOptions", "headers", "formData", "allowFailed"] {
        if let Some(v) = task.properties.get(key) {
            rendered.insert(key.into(), cx.renderer.value(&task.id, key, v, cx.variables)?);
        }
    }
    let opts = options::parse(&rendered).map_err(invalid)?;
    let uri = crate::props::text(task, cx, "uri")?
        .unwrap_or_default()
        .trim()
        .to_string();
    let method = crate::props::text(task, cx, "method")?.unwrap_or_else(|| "GET".into());
    let content_type = crate::props::text(task, cx, "contentType")?;
    let headers = match rendered.get("headers") {
        Some(Value::Object(h)) => h.iter().map(|(k, v)| (k.clone(), scalar(v))).collect(),
        None | Some(Value::Null) => Vec::new(),
        Some(other) => return Err(invalid(format!("`headers` must be a mapping, found {other}"))),
    };
    let body = match (rendered.get("formData"), crate::props::text(task, cx, "body")?) {
        (Some(Value::Object(fields)), _) => form(fields, content_type.as_deref()),
        (Some(Value::Null) | None, Some(text)) => Body::Text(text),
        (Some(Value::Null) | None, None) => Body::None,
        (Some(other), _) => return Err(invalid(format!("`formData` must be a mapping, found {other}"))),
    };
    let req = Outgoing {
        method,
        uri,
        headers,
        content_type: Some(content_type.unwrap_or_else(|| "application/json".into())),
        body,
    };
    Ok((req, opts))
}

/// Form fields: url-encoded unless the content type asks for multipart. A field that is a
/// `{name, content}` mapping is a file part, as in Kestra.
fn form(fields: &Map<String, Value>, content_type: Option<&str>) -> Body {
    let multipart = content_type.is_some_and(|t| t.trim().starts_with("multipart/form-data"));
    if !multipart {
        return Body::Form(fields.iter().map(|(k, v)| (k.clone(), scalar(v))).collect());
    }
    Body::Multipart(
        fields
            .iter()
            .map(|(k, v)| match v {
                Value::Object(file) => (
                    k.clone(),
                    Some(file.get("name").map(scalar).unwrap_or_else(|| k.clone())),
                    file.get("content").map(scalar).unwrap_or_default(),
                ),
                other => (k.clone(), None, scalar(other)),
            })
            .collect(),
    )
}

/// A rendered value as header or field text.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A multipart file part whose content is a stored file's address would upload the address
/// itself: refused until stored files can be streamed into a request.
pub(crate) fn refuse_stored_file_parts(task: &Task, req: &Outgoing) -> Result<(), TaskError> {
    let Body::Multipart(parts) = &req.body else {
        return Ok(());
    };
    for (field, file, content) in parts {
        let c = content.trim();
        if file.is_some() && (sluice_flow::storage::is_storage_uri(c) || c.starts_with("file://")) {
            return Err(TaskError::Invalid {
                task: task.id.clone(),
                message: format!(
                    "`formData.{field}` names the stored file {c}; sending stored files in a multipart form is not supported yet; put the file's text in `content` instead"
                ),
            });
        }
    }
    Ok(())
}
