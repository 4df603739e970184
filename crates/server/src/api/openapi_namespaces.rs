//! The OpenAPI description of the namespace routes: the KV store and namespace files.

use super::openapi_parts::{json_response, op, path, query, responses};
use serde_json::{Value, json};

fn ns() -> Value {
    path("namespace", "the namespace, such as `company.team`")
}

fn file_path(name: &str, description: &str) -> Value {
    let mut q = query(name, description, json!({ "type": "string" }));
    q["required"] = json!(true);
    q
}

fn ok(description: &str) -> serde_json::Map<String, Value> {
    responses([("200", json_response(description, json!({ "type": "object" })))])
}

/// Adds the namespace paths to `paths`.
pub fn with_namespaces(mut paths: Value) -> Value {
    let key = || path("key", "the key (letters, digits, `-`, `_`, `.`)");
    let any_json = json!({ "required": true, "content": { "application/json": { "schema": {} } } });
    paths["/api/v1/namespaces/{namespace}/kv"] = json!({
        "get": op("listKv", "The live keys of a namespace", vec![ns()], Value::Null,
            responses([("200", json_response("Keys with their dates", json!({ "type": "array", "items": { "type": "object" } })))])),
        "delete": op("deleteKvKeys", "Delete several keys (`{\"keys\": [...]}`)", vec![ns()], any_json.clone(), ok("The keys deleted")),
    });
    paths["/api/v1/namespaces/{namespace}/kv/{key}"] = json!({
        "get": op("getKv", "A value with its type", vec![ns(), key()], Value::Null, ok("`{type, value}`")),
        "put": op("putKv", "Store a value (JSON, else text); a `ttl` header makes it expire", vec![ns(), key()], any_json, ok("`{type, value}`")),
        "delete": op("deleteKv", "Delete a key", vec![ns(), key()], Value::Null,
            responses([("200", json_response("Whether a live value was deleted", json!({ "type": "boolean" })))])),
    });
    let secret = || path("key", "the secret's name (letters, digits, `_`)");
    let text = json!({ "required": true, "content": { "text/plain": { "schema": { "type": "string" } } } });
    paths["/api/v1/namespaces/{namespace}/secrets"] = json!({
        "get": op("listSecrets", "The names of a namespace's stored secrets (never their values)", vec![ns()], Value::Null, ok("Names and dates")),
    });
    paths["/api/v1/namespaces/{namespace}/secrets/{key}"] = json!({
        "put": op("putSecret", "Store a secret, encrypted (needs the server's SLUICE_SECRET_KEY)", vec![ns(), secret()], text, ok("Its name")),
        "delete": op("deleteSecret", "Delete a stored secret", vec![ns(), secret()], Value::Null,
            responses([("200", json_response("Whether there was one", json!({ "type": "boolean" })))])),
    });
    let p = || file_path("path", "the file's path, such as `/scripts/etl.py`");
    let upload = json!({ "required": true, "content": { "multipart/form-data": { "schema": {
        "type": "object", "required": ["fileContent"],
        "properties": { "fileContent": { "type": "string", "format": "binary" } } } } } });
    paths["/api/v1/namespaces/{namespace}/files"] = json!({
        "get": op("getNamespaceFile", "A namespace file's content", vec![ns(), p()], Value::Null,
            responses([("200", json!({ "description": "The content", "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } }))])),
        "post": op("createNamespaceFile", "Create or replace a namespace file (at most 64 MiB)", vec![ns(), p()], upload, ok("Its path, size and revision")),
        "put": op("moveNamespaceFile", "Move a file or a folder, replacing what is at `to`",
            vec![ns(), file_path("from", "what to move"), file_path("to", "where to")], Value::Null, ok("How many files moved")),
        "delete": op("deleteNamespaceFile", "Delete a file or a folder with everything under it", vec![ns(), p()], Value::Null, ok("How many files were deleted")),
    });
    let folder = || {
        query(
            "path",
            "a folder (default: the namespace's root)",
            json!({ "type": "string" }),
        )
    };
    let attributes = json!({ "type": "object", "properties": {
        "fileName": { "type": "string" }, "type": { "enum": ["File", "Directory"] }, "size": { "type": "integer" },
        "creationTime": { "type": "integer" }, "lastModifiedTime": { "type": "integer" } } });
    paths["/api/v1/namespaces/{namespace}/files/stats"] = json!({
        "get": op("namespaceFileStats", "A file's or folder's attributes", vec![ns(), folder()], Value::Null,
            responses([("200", json_response("Its attributes", attributes.clone()))])),
    });
    paths["/api/v1/namespaces/{namespace}/files/directory"] = json!({
        "get": op("listNamespaceDirectory", "The files and folders directly in a folder", vec![ns(), folder()], Value::Null,
            responses([("200", json_response("Their attributes", json!({ "type": "array", "items": attributes })))])),
    });
    paths["/api/v1/namespaces/{namespace}/files/search"] = json!({
        "get": op("searchNamespaceFiles", "The paths that contain `q`",
            vec![ns(), query("q", "text the path contains", json!({ "type": "string" }))], Value::Null,
            responses([("200", json_response("Paths", json!({ "type": "array", "items": { "type": "string" } })))])),
    });
    paths
}
