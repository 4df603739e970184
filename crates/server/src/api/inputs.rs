//! Execution inputs from a request body, typed by the flow's declared inputs.
//!
//! Kestra takes inputs as `multipart/form-data` fields, FILE inputs as file parts; we also read an
//! empty body, `application/x-www-form-urlencoded` and a JSON object. File parts are streamed to
//! `data_dir/files/<execution>/inputs/<input>` so no upload sits in memory. Every problem (an
//! unknown input, a value of the wrong type, a missing required input) is reported at once.

use super::error::{ApiError, ApiResult, Detail};
use super::extract::read_body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};
use sluice_flow::Flow;
use sluice_flow::model::InputType;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Largest non-multipart body (form or JSON inputs), and largest text field of a multipart body.
pub const FORM_LIMIT: usize = 10 * 1024 * 1024;

/// Largest multipart body, file parts included (they are streamed to disk).
pub const UPLOAD_LIMIT: usize = 1024 * 1024 * 1024;

/// An input value as the request gave it.
#[derive(Debug)]
enum Raw {
    /// Text fields (more than one when the field repeats).
    Text(Vec<String>),
    /// A value of a JSON body.
    Json(Value),
    /// An uploaded file, stored at this path.
    File(PathBuf),
}

/// Reads the inputs of a request, types them for `flow`, and returns them with the defaults of
/// the inputs not given. Uploaded files go under `files_dir/inputs/`; on error, `files_dir` is
/// removed again.
pub async fn read_inputs(request: Request, flow: &Flow, files_dir: &Path) -> ApiResult<Map<String, Value>> {
    let mut unknown = Vec::new();
    let result = match raw_inputs(request, flow, files_dir, &mut unknown).await {
        Ok(raw) => typed(flow, raw, &unknown),
        Err(e) => Err(e),
    };
    if result.is_err() {
        let _ = tokio::fs::remove_dir_all(files_dir).await;
    }
    result
}

/// The raw values by input id; names that are no input of the flow go to `unknown`.
async fn raw_inputs(
    request: Request,
    flow: &Flow,
    files_dir: &Path,
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
                    let path = save_file(field, files_dir, &name).await?;
                    raw.insert(name, Raw::File(path));
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

/// A file name for an input id: only letters, digits, `-`, `_` and `.`, never `.` or `..`.
fn file_name(id: &str) -> String {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        format!("input_{}", name.len())
    } else {
        name
    }
}

/// Streams a file part to `files_dir/inputs/<input>`.
async fn save_file(mut field: Field<'_>, files_dir: &Path, id: &str) -> ApiResult<PathBuf> {
    let dir = files_dir.join("inputs");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| ApiError::internal("creating the folder of input files", e))?;
    let path = dir.join(file_name(id));
    let mut file = tokio::fs::File::create(&path)
        .await
        .map_err(|e| ApiError::internal("storing an input file", e))?;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        file.write_all(&chunk)
            .await
            .map_err(|e| ApiError::internal("storing an input file", e))?;
    }
    file.flush()
        .await
        .map_err(|e| ApiError::internal("storing an input file", e))?;
    Ok(path)
}

/// Types every input of the flow; all problems together in one 422.
fn typed(flow: &Flow, mut raw: BTreeMap<String, Raw>, unknown: &[String]) -> ApiResult<Map<String, Value>> {
    let mut details = Vec::new();
    let declared: Vec<&str> = flow.inputs.iter().map(|i| i.id.as_str()).collect();
    for name in unknown {
        let help = match sluice_flow::suggest::did_you_mean(name, declared.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if declared.is_empty() => "this flow declares no inputs".to_string(),
            None => format!("its inputs are: {}", declared.join(", ")),
        };
        details.push(Detail::input(
            name,
            "unknown-input",
            format!("the flow has no input `{name}`"),
            Some(help),
        ));
    }
    let mut out = Map::new();
    for input in &flow.inputs {
        let value = match raw.remove(&input.id) {
            Some(Raw::File(path)) => Some(Value::String(format!("file://{}", path.display()))),
            Some(Raw::Json(value)) => Some(value),
            Some(Raw::Text(mut values)) if values.len() == 1 => values.pop().map(Value::String),
            Some(Raw::Text(values)) if matches!(input.input_type, InputType::Multiselect | InputType::Array) => {
                Some(Value::Array(values.into_iter().map(Value::String).collect()))
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
            None => input.defaults.clone(),
        };
        match value {
            Some(value) => match sluice_flow::inputs::coerce(input.input_type, &value, &input.values) {
                Ok(typed) => {
                    out.insert(input.id.clone(), typed);
                }
                Err(e) => details.push(Detail::input(
                    &input.id,
                    "invalid-input",
                    format!("input `{}`: {}", input.id, e.message),
                    Some(e.help),
                )),
            },
            None if input.required => details.push(Detail::input(
                &input.id,
                "missing-input",
                format!("input `{}` is required", input.id),
                Some(format!("send a form field named `{}`", input.id)),
            )),
            None => {}
        }
    }
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

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn input_file_names_stay_in_their_folder() {
        assert_eq!(file_name("data"), "data");
        assert_eq!(file_name("../x"), ".._x");
        assert_eq!(file_name(".."), "input_2");
        assert_eq!(file_name("a/b\\c"), "a_b_c");
    }
}
