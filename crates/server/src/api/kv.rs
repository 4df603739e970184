//! `/api/v1/namespaces/{namespace}/kv…`: the KV store, as Kestra's API shapes it — the list of
//! keys, a value with its type, PUT of a JSON value (with a `ttl` header), DELETE of one or of
//! several keys.
//!
//! Kestra: <https://kestra.io/docs/concepts/kv-store> (the KV API section).

use super::error::{ApiError, ApiResult};
use super::extract::ApiPath;
use crate::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use sluice_flow::kv::{KvType, check_key};
use sluice_store::StoreError;
use sluice_tasks::kv::{KvEntry, KvPut, StateError};

impl From<StateError> for ApiError {
    fn from(e: StateError) -> Self {
        match e.source.downcast::<StoreError>() {
            Ok(store) => ApiError::from(*store),
            Err(other) => ApiError::internal("using the KV store", other),
        }
    }
}

fn checked(key: &str) -> ApiResult<()> {
    check_key(key).map_err(ApiError::invalid)
}

fn listed(e: &KvEntry) -> Value {
    json!({
        "key": e.key,
        "description": e.description,
        "creationDate": e.created.to_string(),
        "updateDate": e.updated.to_string(),
        "expirationDate": e.expires.map(|t| t.to_string()),
    })
}

/// `GET …/kv`: the live keys of the namespace, sorted.
pub async fn list(State(state): State<AppState>, ApiPath(namespace): ApiPath<String>) -> ApiResult<Json<Value>> {
    let entries = state.store.kv_list(Some(&namespace), Some(Timestamp::now())).await?;
    Ok(Json(Value::Array(entries.iter().map(listed).collect())))
}

/// `GET …/kv/{key}`: `{type, value}`.
pub async fn get(
    State(state): State<AppState>,
    ApiPath((namespace, key)): ApiPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    checked(&key)?;
    match state.store.kv_get(&namespace, &key, Timestamp::now()).await? {
        Some(e) => Ok(Json(json!({"type": e.kv_type.name(), "value": e.value}))),
        None => Err(ApiError::NotFound(format!(
            "no value for key `{key}` in namespace `{namespace}` (or it expired)"
        ))),
    }
}

/// `PUT …/kv/{key}`: the body is the value — JSON (`"text"`, `42`, `{"a": 1}`), else the text
/// itself, typed DATETIME or DATE when it is one; the `ttl` header (`PT1H`) makes it expire.
pub async fn put(
    State(state): State<AppState>,
    ApiPath((namespace, key)): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    checked(&key)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the value must be UTF-8 text (JSON or plain)".into()))?;
    let (value, kv_type) = value_of(text);
    let at = Timestamp::now();
    let expires = match headers.get("ttl").map(|v| v.to_str().unwrap_or("")) {
        None => None,
        Some(ttl) => {
            let d = sluice_flow::duration::parse_duration(ttl.trim())
                .map_err(|e| ApiError::BadRequest(format!("the `ttl` header `{ttl}` is not a duration: {e}")))?;
            let d = jiff::SignedDuration::try_from(d).map_err(|_| ApiError::BadRequest("`ttl` is too long".into()))?;
            Some(
                at.checked_add(d)
                    .map_err(|_| ApiError::BadRequest("`ttl` is too long".into()))?,
            )
        }
    };
    let put = KvPut {
        namespace: &namespace,
        key: &key,
        kv_type,
        value: &value,
        description: None,
        expires,
        overwrite: true,
        at,
    };
    state.store.kv_put(&put).await?;
    Ok(Json(json!({"type": kv_type.name(), "value": value})))
}

/// What a PUT body stores.
fn value_of(text: &str) -> (Value, KvType) {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        let kind = KvType::of(&v);
        return (v, kind);
    }
    let trimmed = text.trim();
    if let Ok(t) = trimmed.parse::<Timestamp>() {
        return (Value::String(t.to_string()), KvType::Datetime);
    }
    if trimmed.parse::<jiff::civil::Date>().is_ok() {
        return (Value::String(trimmed.to_string()), KvType::Date);
    }
    (Value::String(text.to_string()), KvType::String)
}

/// `DELETE …/kv/{key}`: `true` when a live pair was deleted.
pub async fn delete(
    State(state): State<AppState>,
    ApiPath((namespace, key)): ApiPath<(String, String)>,
) -> ApiResult<Json<bool>> {
    checked(&key)?;
    Ok(Json(state.store.kv_delete(&namespace, &key, Timestamp::now()).await?))
}

/// The body of a bulk delete.
#[derive(Deserialize)]
pub struct Keys {
    #[serde(default)]
    keys: Vec<String>,
}

/// `DELETE …/kv` with `{"keys": [...]}`: `{"keys": [the ones deleted]}`.
pub async fn delete_keys(
    State(state): State<AppState>,
    ApiPath(namespace): ApiPath<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let Keys { keys } = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("the body must be `{{\"keys\": [\"k1\", …]}}`: {e}")))?;
    let mut deleted = Vec::new();
    for key in keys {
        checked(&key)?;
        if state.store.kv_delete(&namespace, &key, Timestamp::now()).await? {
            deleted.push(key);
        }
    }
    Ok(Json(json!({"keys": deleted})))
}

#[cfg(test)]
mod tests {
    use super::value_of;
    use serde_json::json;
    use sluice_flow::kv::KvType;

    #[test]
    fn a_body_is_json_else_typed_text() {
        assert_eq!(value_of("42"), (json!(42), KvType::Number));
        assert_eq!(value_of("\"hi\""), (json!("hi"), KvType::String));
        assert_eq!(value_of("hi there"), (json!("hi there"), KvType::String));
        assert_eq!(value_of("2024-01-31"), (json!("2024-01-31"), KvType::Date));
        assert_eq!(value_of("2024-01-31T10:00:00Z").1, KvType::Datetime);
        assert_eq!(value_of("{\"a\": [1]}").1, KvType::Json);
    }
}
