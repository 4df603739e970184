//! The building blocks of the OpenAPI document: references, parameters, operations with the
//! error responses every one of them has.

use serde_json::{Map, Value, json};

/// A reference to a schema of `components`.
pub(super) fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A path parameter.
pub(super) fn path(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string" } })
}

/// An optional query parameter of a simple type.
pub(super) fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

/// The `page` and `size` parameters.
pub(super) fn paging(default_size: u32, max_size: u32) -> [Value; 2] {
    [
        query(
            "page",
            "1-based page number",
            json!({ "type": "integer", "minimum": 1, "maximum": u32::MAX, "default": 1 }),
        ),
        query(
            "size",
            "items per page",
            json!({ "type": "integer", "minimum": 1, "maximum": max_size, "default": default_size }),
        ),
    ]
}

/// A JSON response.
pub(super) fn json_response(description: &str, body: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": body } } })
}

/// An operation: summary, parameters, a request body (or null) and its success responses; every
/// operation also answers the documented error statuses with the Error schema.
pub(super) fn op(
    id: &str,
    summary: &str,
    parameters: Vec<Value>,
    body: Value,
    mut responses: Map<String, Value>,
) -> Value {
    let error = |what: &str| json_response(what, schema("Error"));
    responses.insert("400".into(), error("Malformed parameter or body"));
    responses.insert(
        "401".into(),
        error("Credentials required (when the server has `auth` configured)"),
    );
    responses.insert("404".into(), error("Not found"));
    responses.insert("500".into(), error("Internal error (details in the server log)"));
    responses.insert("503".into(), error("The database is busy; try again"));
    let mut operation = json!({
        "operationId": id,
        "summary": summary,
        "parameters": parameters,
        "responses": responses,
    });
    if !body.is_null() {
        operation["requestBody"] = body;
    }
    operation
}

/// Responses from `(status, response)` pairs.
pub(super) fn responses<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
