//! `/api/v1/namespaces/{namespace}/secrets…`: stored secrets, encrypted at rest. A value can be
//! set and deleted, never read back: the list gives names and dates only. Setting one needs the
//! server's `SLUICE_SECRET_KEY`.
//!
//! Kestra: <https://kestra.io/docs/concepts/secret> (its namespace secrets API).

use super::error::{ApiError, ApiResult};
use super::extract::ApiPath;
use crate::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use jiff::Timestamp;
use serde_json::{Value, json};
use sluice_store::secrets::{KEY_VARIABLE, check_name};

/// `GET …/secrets`: the names of the namespace's secrets, with when each was set.
pub async fn list(State(state): State<AppState>, ApiPath(namespace): ApiPath<String>) -> ApiResult<Json<Value>> {
    let entries = state.store.list_secrets(&namespace).await?;
    let listed: Vec<Value> = entries
        .iter()
        .map(|e| json!({"key": e.name, "updateDate": e.updated.to_string()}))
        .collect();
    Ok(Json(json!({"results": listed, "total": listed.len()})))
}

/// `PUT …/secrets/{key}`: the body is the value (UTF-8 text), sealed before it is stored.
pub async fn put(
    State(state): State<AppState>,
    ApiPath((namespace, key)): ApiPath<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    check_name(&key).map_err(ApiError::invalid)?;
    let Some(sealer) = &state.secret_box else {
        return Err(ApiError::Conflict(format!(
            "this server has no key for stored secrets: start it with {KEY_VARIABLE} (32 bytes in base64, `openssl rand -base64 32`)"
        )));
    };
    let value = std::str::from_utf8(&body).map_err(|_| ApiError::BadRequest("the secret must be UTF-8 text".into()))?;
    if value.is_empty() {
        return Err(ApiError::BadRequest(
            "the secret is empty: send its value as the body".into(),
        ));
    }
    let sealed = sealer
        .seal(&namespace, &key, value)
        .map_err(|e| ApiError::internal("sealing a secret", std::io::Error::other(e)))?;
    state
        .store
        .put_secret(&namespace, &key, &sealed, Timestamp::now())
        .await?;
    Ok(Json(json!({"key": key, "namespace": namespace})))
}

/// `DELETE …/secrets/{key}`: `true` when there was one.
pub async fn delete(
    State(state): State<AppState>,
    ApiPath((namespace, key)): ApiPath<(String, String)>,
) -> ApiResult<Json<bool>> {
    check_name(&key).map_err(ApiError::invalid)?;
    Ok(Json(state.store.delete_secret(&namespace, &key).await?))
}
