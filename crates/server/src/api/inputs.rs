//! Execution inputs from a request body, typed by the flow's declared inputs.
//!
//! Kestra takes inputs as `multipart/form-data` fields, FILE inputs as file parts; we also read an
//! empty body, `application/x-www-form-urlencoded` and a JSON object. File parts are streamed to
//! internal storage under Kestra's address (`kestra:///<namespace>/<flow>/executions/<id>/
//! inputs/<input>/<file name>`), so no upload sits in memory and tasks read them through
//! `inputFiles`. The values are then resolved by the flow crate's rules (dependsOn, defaults,
//! types, limits); every problem is reported at once.

use super::error::{ApiError, ApiResult, Detail};
use super::extract::read_body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};
use sluice_engine::Execution;
use sluice_flow::Flow;
use sluice_flow::model::InputType;
use sluice_flow::template::SecretSource;
use std::collections::BTreeMap;

/// Largest non-multipart body (form or JSON inputs), and largest text field of a multipart body.
pub const FORM_LIMIT: usize = 10 * 1024 * 1024;

/// Largest multipart body, file parts included (they are streamed to internal storage).
pub const UPLOAD_LIMIT: usize = 4 * 1024 * 1024 * 1024;

/// An input value as the request gave it.
#[derive(Debug)]
enum Raw {
    /// Text fields (more than one when the field repeats).
    Text(Vec<String>),
    /// A value of a JSON body.
    Json(Value),
    /// An uploaded file, stored under this `kestra://` address.
    File(String),
}

/// Where an execution's uploads go, and what resolving its inputs may read.
pub struct Upload<'a> {
    /// Internal storage, which holds the uploads.
    pub storage: &'a sluice_store::Storage,
    /// The execution being created (its id names the uploads' folder; its context renders
    /// templated defaults).
    pub execution: &'a Execution,
    /// Secrets that templated defaults may read.
    pub secrets: &'a dyn SecretSource,
}

/// Reads the inputs of a request and resolves them for `flow`. On error, the files uploaded
/// with the request are removed again.
pub async fn read_inputs(request: Request, flow: &Flow, upload: &Upload<'_>) -> ApiResult<Map<String, Value>> {
    let mut unknown = Vec::new();
    let result = match raw_inputs(request, flow, upload, &mut unknown).await {
        Ok(raw) => typed(flow, raw, &unknown, upload),
        Err(e) => Err(e),
    };
    if result.is_err() {
        sluice_store::files::remove_input_files(upload.storage, &flow.namespace, &flow.id, &upload.execution.id).await;
    }
    result
}

/// The raw values by input id; names that are no input of the flow go to `unknown`.
async fn raw_inputs(
    request: Request,
    flow: &Flow,
    upload: &Upload<'_>,
    unknown: &mut Vec<String>,
) -> ApiResult<BTreeMap<String, Raw>> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut raw = BTreeMap::new();
    let mut add_text = |raw: &mut BTreeMap<String, Raw>, name: String, value: String| {
        if !flow.inputs.iter().any(|i| i.id == name) {
            unknown.push(name);
        } else if let Some(Raw::Text(values)) = raw.get_mut(&name) {
            values.push(value);
        } else {
            raw.insert(name, Raw::Text(vec![value]));
        }
    };
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| ApiError::BadRequest(format!("cannot read the multipart body: {}", e.body_text())))?;
        while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
            let name = field.name().unwrap_or_default().to_string();
            let input = flow.inputs.iter().find(|i| i.id == name);
            match input {
                Some(input) if input.input_type == InputType::File || field.file_name().is_some() => {
                    let uri = save_file(field, flow, upload, &name).await?;
                    raw.insert(name, Raw::File(uri));
                }
                _ => {
                    let text = field_text(field, &name).await?;
                    add_text(&mut raw, name, text);
                }
            }
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let bytes = read_body(request, FORM_LIMIT).await?;
        let rebuilt = Request::builder()
            .method("POST")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(bytes))
            .map_err(|e| ApiError::internal("reading a form body", e))?;
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(rebuilt, &())
            .await
            .map_err(|e| ApiError::BadRequest(format!("cannot read the form body: {}", e.body_text())))?;
        for (name, value) in pairs {
            add_text(&mut raw, name, value);
        }
    } else if content_type.starts_with("application/json") {
        let bytes = read_body(request, FORM_LIMIT).await?;
        let object: Map<String, Value> = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("the body must be a JSON object of inputs: {e}")))?;
        for (name, value) in object {
            if flow.inputs.iter().any(|i| i.id == name) {
                raw.insert(name, Raw::Json(value));
            } else {
                unknown.push(name);
            }
        }
    } else {
        let bytes = read_body(request, FORM_LIMIT).await?;
        if !bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::UnsupportedMediaType(format!(
                "cannot read inputs from a body of type `{content_type}`: send them as multipart/form-data fields \
                 (files as file parts), as a JSON object, or send no body"
            )));
        }
    }
    Ok(raw)
}

/// The [`ApiError`] of a broken multipart stream.
fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge { limit: UPLOAD_LIMIT }
    } else {
        ApiError::BadRequest(format!("cannot read the multipart body: {}", e.body_text()))
    }
}

/// A text field, at most [`FORM_LIMIT`] bytes of UTF-8.
async fn field_text(mut field: Field<'_>, name: &str) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > FORM_LIMIT {
            return Err(ApiError::TooLarge { limit: FORM_LIMIT });
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| {
        ApiError::BadRequest(format!(
            "the form field `{name}` is not UTF-8 text; send files as file parts"
        ))
    })
}

/// Streams a file part to internal storage; answers its `kestra://` address. The file keeps
/// the name the client gave (made safe), or the input's id.
async fn save_file(field: Field<'_>, flow: &Flow, upload: &Upload<'_>, id: &str) -> ApiResult<String> {
    let name = field.file_name().map(str::to_string).unwrap_or_else(|| id.to_string());
    let uri = sluice_flow::storage::input_file_uri(&flow.namespace, &flow.id, &upload.execution.id, id, &name);
    match upload.storage.put(&uri, field).await {
        Ok(_) => Ok(uri),
        Err(sluice_store::files::StorageError::Io {
            action: "receive",
            source,
            ..
        }) => Err(ApiError::BadRequest(format!(
            "cannot read the file part `{id}` of the multipart body: {source}"
        ))),
        Err(e) => Err(ApiError::internal("storing an input file", e)),
    }
}

/// Resolves every input of the flow; all problems together in one 422.
fn typed(
    flow: &Flow,
    mut raw: BTreeMap<String, Raw>,
    unknown: &[String],
    upload: &Upload<'_>,
) -> ApiResult<Map<String, Value>> {
    let mut details = Vec::new();
    let mut given = Map::new();
    for name in unknown {
        given.insert(name.clone(), Value::Null);
    }
    for input in &flow.inputs {
        let value = match raw.remove(&input.id) {
            Some(Raw::File(uri)) => Value::String(uri),
            Some(Raw::Json(value)) => value,
            Some(Raw::Text(mut values)) if values.len() == 1 => values.pop().map(Value::String).unwrap_or_default(),
            Some(Raw::Text(values)) if matches!(input.input_type, InputType::Multiselect | InputType::Array) => {
                Value::Array(values.into_iter().map(Value::String).collect())
            }
            Some(Raw::Text(_)) => {
                details.push(Detail::input(
                    &input.id,
                    "repeated-input",
                    format!("input `{}` is given more than once", input.id),
                    Some("send each input once".into()),
                ));
                continue;
            }
            None => continue,
        };
        given.insert(input.id.clone(), value);
    }
    let context = sluice_engine::render_context(flow, upload.execution, None);
    let out = match sluice_flow::inputs::resolve(&flow.inputs, &given, &context, upload.secrets) {
        Ok(out) => out,
        Err(problems) => {
            for p in problems {
                let help = match p.code {
                    "missing-input" => format!("send a form field named `{}`", p.input),
                    _ => p.help,
                };
                details.push(Detail::input(&p.input, p.code, p.message, Some(help)));
            }
            Map::new()
        }
    };
    if details.is_empty() {
        return Ok(out);
    }
    let message = match details.as_slice() {
        [only] => only.message.clone(),
        [first, ..] => format!(
            "{} (and {} more problems with the inputs)",
            first.message,
            details.len() - 1
        ),
        [] => String::new(),
    };
    Err(ApiError::Invalid { message, details })
}
