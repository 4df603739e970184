//! What an execution leaves besides its logs: files kept under `data_dir/files/<execution>/`
//! (output files, uploaded inputs) and task metrics.
//!
//! A file path comes from the user, so it is resolved with every symbolic link followed and must
//! still lie inside the execution's folder; anything else is refused before a byte is read.

use super::error::{ApiError, ApiResult};
use super::executions::{files_dir, find_execution};
use super::extract::{ApiPath, Params};
use crate::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::path::{Component, Path, PathBuf};
use tokio::io::AsyncReadExt;

/// Bytes read from a file at once while streaming it.
const CHUNK: usize = 64 * 1024;

/// Most metrics one page holds.
pub const MAX_PAGE_SIZE: u32 = 10_000;

/// Resolves `requested` (relative to `root`, or an absolute path or `file://` URI inside it) to an
/// existing file inside `root`. Hostile paths are a 400, missing files a 404.
pub async fn resolve(root: &Path, requested: &str) -> ApiResult<PathBuf> {
    let hostile = |why: &str| ApiError::BadRequest(format!("file path `{requested}` is refused: {why}"));
    let text = requested.strip_prefix("file://").unwrap_or(requested);
    if text.is_empty() || text.contains('\0') {
        return Err(hostile("it is empty or holds a NUL character"));
    }
    let path = Path::new(text);
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(hostile("`..` is not allowed"));
    }
    let root = match tokio::fs::canonicalize(root).await {
        Ok(root) => root,
        Err(_) => return Err(ApiError::NotFound(format!("file `{requested}` not found"))),
    };
    let candidate = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    let real = match tokio::fs::canonicalize(&candidate).await {
        Ok(real) => real,
        Err(_) if path.is_absolute() && !candidate.starts_with(&root) => {
            return Err(hostile("it is outside the execution's files"));
        }
        Err(_) => return Err(ApiError::NotFound(format!("file `{requested}` not found"))),
    };
    if !real.starts_with(&root) {
        return Err(hostile("it is outside the execution's files"));
    }
    if !real.is_file() {
        return Err(hostile("it is not a file"));
    }
    Ok(real)
}

/// Checks that a file of internal storage (`kestra:///…`) belongs to execution `id`.
fn own_stored_file(id: &str, requested: &str) -> ApiResult<()> {
    let relative = sluice_flow::storage::relative_path(requested)
        .map_err(|e| ApiError::BadRequest(format!("file path refused: {e}")))?;
    let segments: Vec<_> = relative.iter().map(|s| s.to_string_lossy()).collect();
    if !segments.windows(2).any(|w| w[0] == "executions" && w[1] == id) {
        return Err(ApiError::BadRequest(format!(
            "file path `{requested}` is refused: it belongs to another execution than `{id}`"
        )));
    }
    Ok(())
}

/// A name safe in a Content-Disposition header.
fn attachment_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A streamed download.
fn attachment<S>(name: &str, length: u64, stream: S) -> Response
where
    S: futures_util::Stream<Item = Result<Bytes, Box<dyn std::error::Error + Send + Sync>>> + Send + 'static,
{
    (
        [
            (CONTENT_TYPE, "application/octet-stream".to_string()),
            (CONTENT_LENGTH, length.to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", attachment_name(name)),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// `GET /api/v1/executions/{executionId}/file?path=…`: a kept file, or a `kestra://` address of
/// internal storage, streamed.
pub async fn download(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    params: Params,
) -> ApiResult<Response> {
    use futures_util::StreamExt;
    let requested = params
        .get("path")
        .ok_or_else(|| ApiError::BadRequest("query parameter `path` is required".into()))?
        .to_string();
    find_execution(&state, &id).await?;
    if requested.starts_with(sluice_flow::storage::SCHEME) {
        own_stored_file(&id, &requested)?;
        let (length, stream) = match state.storage.get(&requested).await {
            Ok(got) => got,
            Err(sluice_store::StorageError::Missing(_)) => {
                return Err(ApiError::NotFound(format!("file `{requested}` not found")));
            }
            Err(e) => return Err(ApiError::internal("reading a stored file", e)),
        };
        let name = requested.rsplit('/').next().unwrap_or_default().to_string();
        let stream = stream.map(|c| c.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>));
        return Ok(attachment(&name, length, stream));
    }
    let path = resolve(&files_dir(&state, &id)?, &requested).await?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| ApiError::internal("opening an execution file", e))?;
    let length = file
        .metadata()
        .await
        .map_err(|e| ApiError::internal("reading an execution file", e))?
        .len();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stream = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buffer = vec![0u8; CHUNK];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((
                    Ok::<_, Box<dyn std::error::Error + Send + Sync>>(Bytes::from(buffer)),
                    Some(file),
                ))
            }
            Err(e) => Some((Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>), None)),
        }
    });
    Ok(attachment(&name, length, stream))
}

/// `GET /api/v1/metrics/{executionId}` (also `/api/v1/executions/{executionId}/metrics`): the
/// execution's metrics as Kestra's PagedResults of MetricEntry; `taskId`, `taskRunId`, `page`,
/// `size`.
pub async fn metrics(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let execution = find_execution(&state, &id).await?;
    let page = params.number("page", 1, 1, u32::MAX)?;
    let size = params.number("size", 1000, 1, MAX_PAGE_SIZE)?;
    let task_id = params.get("taskId");
    let task_run_id = params.get("taskRunId");
    let entries: Vec<Value> = state
        .store
        .metrics(&id)
        .await?
        .into_iter()
        .map(|m| {
            let task = execution.task_run(&m.task_run_id).map(|t| t.task_id.clone());
            (m, task)
        })
        .filter(|(m, task)| {
            task_run_id.is_none_or(|r| r == m.task_run_id) && task_id.is_none_or(|t| task.as_deref() == Some(t))
        })
        .map(|(m, task)| {
            json!({
                "namespace": execution.namespace,
                "flowId": execution.flow_id,
                "executionId": m.execution_id,
                "taskId": task,
                "taskRunId": m.task_run_id,
                "type": m.metric.kind,
                "name": m.metric.name,
                "value": m.metric.value,
                "tags": m.metric.tags,
            })
        })
        .collect();
    let total = entries.len();
    let skip = usize::try_from(u64::from(page - 1) * u64::from(size)).unwrap_or(usize::MAX);
    let results: Vec<Value> = entries.into_iter().skip(skip).take(size as usize).collect();
    Ok(Json(json!({ "results": results, "total": total })))
}
