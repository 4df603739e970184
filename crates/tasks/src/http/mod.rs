//! The HTTP client every task that calls a server shares (Request, Download, Slack and the other
//! notifications): one connection pool per set of client options, Kestra's options and status
//! rules, and failures said so a user can fix the flow.

pub(crate) mod options;

use options::{Auth, ClientKey, Options};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// The User-Agent Sluice sends unless a task sets its own.
const USER_AGENT: &str = concat!("Sluice/", env!("CARGO_PKG_VERSION"));

static CLIENTS: LazyLock<Mutex<HashMap<ClientKey, reqwest::Client>>> = LazyLock::new(Default::default);

/// A request's body.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// No body.
    None,
    /// Text sent as is, with the request's content type.
    Text(String),
    /// Fields sent as `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
    /// Parts sent as `multipart/form-data`: (field, file name if a file, content).
    Multipart(Vec<(String, Option<String>, String)>),
}

/// One request to send.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub method: String,
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub body: Body,
}

impl Outgoing {
    /// A POST of a JSON document (what every notification sends).
    pub(crate) fn post_json(uri: String, json: String) -> Self {
        Outgoing {
            method: "POST".into(),
            uri,
            headers: Vec::new(),
            content_type: Some("application/json".into()),
            body: Body::Text(json),
        }
    }
}

fn client(key: &ClientKey) -> Result<reqwest::Client, String> {
    let mut clients = CLIENTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = clients.get(key) {
        return Ok(c.clone());
    }
    let mut b = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .read_timeout(key.read_timeout)
        .redirect(if key.follow_redirects {
            reqwest::redirect::Policy::limited(10)
        } else {
            reqwest::redirect::Policy::none()
        })
        .danger_accept_invalid_certs(key.insecure);
    if let Some(t) = key.connect_timeout {
        b = b.connect_timeout(t);
    }
    if let Some(p) = &key.proxy {
        b = b.proxy(reqwest::Proxy::all(p).map_err(|e| format!("the proxy address is not valid: {e}"))?);
    }
    let c = b.build().map_err(|e| format!("the HTTP client could not start: {e}"))?;
    clients.insert(key.clone(), c.clone());
    Ok(c)
}

/// Sends `req`; a status the options do not accept is an error that quotes the start of the
/// response, so the user sees what the server said.
pub(crate) async fn send(opts: &Options, req: Outgoing) -> Result<reqwest::Response, String> {
    let method = reqwest::Method::from_bytes(req.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("`method` {:?} is not an HTTP method", req.method))?;
    let url = reqwest::Url::parse(&req.uri).map_err(|e| format!("`uri` {:?} is not a URL: {e}", req.uri))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`uri` {:?} must start with http:// or https://", req.uri));
    }
    let mut r = client(&opts.client)?.request(method, url);
    match &opts.auth {
        Some(Auth::Basic { user, password }) => r = r.basic_auth(user, Some(password)),
        Some(Auth::Bearer(token)) => r = r.bearer_auth(token),
        None => {}
    }
    let sets_type = req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    for (k, v) in &req.headers {
        r = r.header(k.as_str(), v.as_str());
    }
    r = match req.body {
        Body::None => r,
        Body::Text(text) => {
            if let (Some(t), false) = (&req.content_type, sets_type) {
                r = r.header(reqwest::header::CONTENT_TYPE, t.as_str());
            }
            r.body(text)
        }
        Body::Form(fields) => r.form(&fields),
        Body::Multipart(parts) => {
            let mut form = reqwest::multipart::Form::new();
            for (name, file, content) in parts {
                let mut part = reqwest::multipart::Part::text(content);
                if let Some(f) = file {
                    part = part.file_name(f);
                }
                form = form.part(name, part);
            }
            r.multipart(form)
        }
    };
    let response = r.send().await.map_err(|e| describe(&req.uri, &e))?;
    let code = response.status().as_u16();
    // As Kestra: 400 and above fail unless allowFailed; a list of codes fails any code not in it.
    let accepted =
        (code < 400 || opts.allow_failed) && (opts.allowed_codes.is_empty() || opts.allowed_codes.contains(&code));
    if accepted {
        return Ok(response);
    }
    let status = response.status();
    let said = response.text().await.unwrap_or_default();
    let said: String = said.chars().take(500).collect();
    Err(format!(
        "{} {} answered {status}{}{}",
        req.method.to_ascii_uppercase(),
        req.uri,
        if said.trim().is_empty() { "" } else { ": " },
        said.trim()
    ))
}

/// Reads a response's body as text, refusing more than `max` bytes.
pub(crate) async fn text(mut response: reqwest::Response, max: u64) -> Result<String, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the response failed: {e}"))?
    {
        body.extend_from_slice(&chunk);
        if body.len() as u64 > max {
            return Err(format!(
                "the response is longer than {max} bytes (`options.maxContentLength`); raise it, or use io.kestra.plugin.core.http.Download to store it as a file"
            ));
        }
    }
    String::from_utf8(body).map_err(|_| {
        "the response is not UTF-8 text; use io.kestra.plugin.core.http.Download to store it as a file".to_string()
    })
}

/// A response's headers as Kestra outputs them: name to the list of its values.
pub(crate) fn headers(response: &reqwest::Response) -> Map<String, Value> {
    let mut out: Map<String, Value> = Map::new();
    for (name, value) in response.headers() {
        let value = Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned());
        if let Value::Array(values) = out.entry(name.as_str()).or_insert_with(|| Value::Array(Vec::new())) {
            values.push(value);
        }
    }
    out
}

/// Says what went wrong with a request that got no answer.
fn describe(uri: &str, e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out (raise `options.readTimeout` or `options.connectTimeout`)"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "was redirected too many times"
    } else {
        "failed"
    };
    let mut cause = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = format!("{cause}: {s}");
        source = s.source();
    }
    format!("the request to {uri} {what}: {cause}")
}
