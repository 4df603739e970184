//! `/api/v1/namespaces/{namespace}/files…`: namespace files as Kestra's API shapes them — a
//! file's content, its stats, a folder's children, search, upload (multipart `fileContent`),
//! move (`from`, `to`) and delete of a file or a folder. Paths are query parameters (`path=/a/b.sql`)
//! and pass [`sluice_flow::namespace_files::normalize`], so none leaves its namespace.
//!
//! Folders are not stored: a folder is every file under `folder/`, so an empty folder does not
//! exist (Kestra's `POST …/files/directory` has no counterpart).
//!
//! Kestra: <https://kestra.io/docs/concepts/namespace-files> and its `NamespaceFileController`.

use super::error::{ApiError, ApiResult};
use super::extract::{ApiPath, Params};
use crate::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::Response;
use jiff::Timestamp;
use serde_json::{Value, json};
use sluice_flow::namespace_files::normalize;
use sluice_tasks::namespace_files::NamespaceFile;
use std::collections::BTreeMap;

/// Largest namespace file accepted by an upload: files are stored in the database and brought
/// whole into working directories.
pub const FILE_LIMIT: usize = 64 * 1024 * 1024;

/// Kestra keeps flows of a namespace under this folder; its files are not namespace files.
const FLOWS_FOLDER: &str = "_flows";

/// The stored form of a path parameter, refused when it is missing, leaves the namespace or
/// names Kestra's flows folder.
fn path_param(params: &Params, name: &str) -> ApiResult<String> {
    let raw = params.get(name).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "query parameter `{name}` is required: the file's path, such as `/scripts/etl.py`"
        ))
    })?;
    let path = normalize(raw).map_err(|m| ApiError::BadRequest(format!("query parameter `{name}`: {m}")))?;
    if path == FLOWS_FOLDER || path.starts_with(&format!("{FLOWS_FOLDER}/")) {
        return Err(ApiError::BadRequest(format!(
            "`{raw}` is under `/{FLOWS_FOLDER}`, which holds flows, not files: use the flows API (`POST /api/v1/flows`)"
        )));
    }
    Ok(path)
}

/// A folder parameter: the root when absent or `/`.
fn folder_param(params: &Params) -> ApiResult<Option<String>> {
    match params.get("path") {
        None => Ok(None),
        Some(p) if p.trim_matches('/').is_empty() => Ok(None),
        Some(_) => path_param(params, "path").map(Some),
    }
}

fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// Kestra's `FileAttributes` of a file.
fn file_attributes(file: &NamespaceFile) -> Value {
    let name = file.path.rsplit('/').next().unwrap_or(&file.path);
    json!({
        "fileName": name,
        "type": "File",
        "size": file.size,
        "creationTime": millis(file.created),
        "lastModifiedTime": millis(file.updated),
        "revision": file.revision,
    })
}

/// Kestra's `FileAttributes` of a folder, dated by the files under it.
fn folder_attributes(name: &str, under: &[&NamespaceFile]) -> Value {
    let created = under.iter().map(|f| f.created).min();
    let updated = under.iter().map(|f| f.updated).max();
    json!({
        "fileName": name,
        "type": "Directory",
        "size": 0,
        "creationTime": created.map(millis),
        "lastModifiedTime": updated.map(millis),
    })
}

/// The files under `folder` (every file for the root).
fn under<'a>(files: &'a [NamespaceFile], folder: Option<&str>) -> Vec<&'a NamespaceFile> {
    match folder {
        None => files.iter().collect(),
        Some(folder) => {
            let prefix = format!("{folder}/");
            files.iter().filter(|f| f.path.starts_with(&prefix)).collect()
        }
    }
}

/// `GET …/files?path=`: the file's content.
pub async fn content(
    State(state): State<AppState>,
    ApiPath(namespace): ApiPath<String>,
    params: Params,
) -> ApiResult<Response> {
    let path = path_param(&params, "path")?;
    let Some(bytes) = state.store.read_namespace_file(&namespace, &path).await? else {
        return Err(ApiError::NotFound(format!(
            "namespace `{namespace}` has no file `/{path}`; list its files with GET /api/v1/namespaces/{namespace}/files/directory"
        )));
    };
    Response::builder()
        .header(CONTENT_TYPE, "application/octet-stream")
        .header(CACHE_CONTROL, "no-cache")
        .body(Body::from(bytes))
        .map_err(|e| ApiError::internal("answering with a namespace file", e))
}

/// `GET …/files/stats?path=`: the attributes of a file or a folder (the root when no path).
pub async fn stats(
    State(state): State<AppState>,
    ApiPath(namespace): ApiPath<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let folder = folder_param(&params)?;
    let files = state.store.namespace_files(&namespace).await?;
    let Some(path) = folder else {
        return Ok(Json(folder_attributes("", &under(&files, None))));
    };
    if let Some(file) = files.iter().find(|f| f.path == path) {
        return Ok(Json(file_attributes(file)));
    }
    let inside = under(&files, Some(&path));
    if inside.is_empty() {
        return Err(ApiError::NotFound(format!(
            "namespace `{namespace}` has no file or folder `/{path}`"
        )));
    }
    let name = path.rsplit('/').next().unwrap_or(&path);
    Ok(Json(folder_attributes(name, &inside)))
}

/// `GET …/files/directory?path=`: the files and folders directly inside a folder, sorted by name.
pub async fn directory(
    State(state): State<AppState>,
    ApiPath(namespace): ApiPath<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let folder = folder_param(&params)?;
    let files = state.store.namespace_files(&namespace).await?;
    let inside = under(&files, folder.as_deref());
    if let Some(folder) = &folder
        && inside.is_empty()
    {
        return Err(ApiError::NotFound(format!(
            "namespace `{namespace}` has no folder `/{folder}`"
        )));
    }
    let skip = folder.as_ref().map_or(0, |f| f.len() + 1);
    let mut files_here = Vec::new();
    let mut folders: BTreeMap<&str, Vec<&NamespaceFile>> = BTreeMap::new();
    for file in inside {
        match file.path[skip..].split_once('/') {
            None => files_here.push(file),
            Some((child, _)) => folders.entry(child).or_default().push(file),
        }
    }
    let mut children: Vec<Value> = folders.iter().map(|(name, fs)| folder_attributes(name, fs)).collect();
    children.extend(files_here.into_iter().map(file_attributes));
    children.sort_by(|a, b| a["fileName"].as_str().cmp(&b["fileName"].as_str()));
    Ok(Json(Value::Array(children)))
}

/// `GET …/files/search?q=`: the paths (with a leading `/`) that contain `q`.
pub async fn search(
    State(state): State<AppState>,
    ApiPath(namespace): ApiPath<String>,
    params: Params,
) -> ApiResult<Json<Vec<String>>> {
    let q = params.raw("q").unwrap_or_default();
    let files = state.store.namespace_files(&namespace).await?;
    Ok(Json(
        files
            .iter()
            .filter(|f| f.path.contains(q))
            .map(|f| format!("/{}", f.path))
            .collect(),
    ))
}

/// `POST …/files?path=` with a multipart part `fileContent`: creates or replaces the file.
pub async fn upload(
    State(state): State<AppState>,
    ApiPath(namespace): ApiPath<String>,
    params: Params,
    request: Request,
) -> ApiResult<Json<Value>> {
    let path = path_param(&params, "path")?;
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
        ApiError::BadRequest(format!(
            "send the file as multipart/form-data with a part named `fileContent`: {}",
            e.body_text()
        ))
    })?;
    let mut content = None;
    while let Some(field) = multipart.next_field().await.map_err(too_large_or_bad)? {
        if field.name() == Some("fileContent") {
            content = Some(field.bytes().await.map_err(too_large_or_bad)?);
        }
    }
    let content = content.ok_or_else(|| {
        ApiError::BadRequest("the multipart body has no part named `fileContent`: send the file in it".into())
    })?;
    let revision = state
        .store
        .write_namespace_file(&namespace, &path, &content, Timestamp::now())
        .await?;
    Ok(Json(
        json!({"path": format!("/{path}"), "size": content.len(), "revision": revision}),
    ))
}

fn too_large_or_bad(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge { limit: FILE_LIMIT }
    } else {
        ApiError::BadRequest(format!("cannot read the multipart body: {}", e.body_text()))
    }
}

/// `PUT …/files?from=&to=`: moves a file or a folder, replacing what is at `to`.
pub async fn relocate(
    State(state): State<AppState>,
    ApiPath(namespace): ApiPath<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let from = path_param(&params, "from")?;
    let to = path_param(&params, "to")?;
    if to == from || to.starts_with(&format!("{from}/")) {
        return Err(ApiError::BadRequest(format!(
            "cannot move `/{from}` into itself (`/{to}`)"
        )));
    }
    let moved = state
        .store
        .move_namespace_files(&namespace, &from, &to, Timestamp::now())
        .await?;
    if moved == 0 {
        return Err(ApiError::NotFound(format!(
            "namespace `{namespace}` has no file or folder `/{from}`"
        )));
    }
    Ok(Json(json!({"moved": moved})))
}

/// `DELETE …/files?path=`: deletes a file or a folder with everything under it.
pub async fn delete(
    State(state): State<AppState>,
    ApiPath(namespace): ApiPath<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let path = path_param(&params, "path")?;
    let deleted = state.store.delete_namespace_files(&namespace, &path).await?;
    if deleted == 0 {
        return Err(ApiError::NotFound(format!(
            "namespace `{namespace}` has no file or folder `/{path}`"
        )));
    }
    Ok(Json(json!({"deleted": deleted})))
}
