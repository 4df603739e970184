//! `GET /api/openapi.json`: an OpenAPI 3.0 description of every route of the API, written by hand
//! with `serde_json` so it says exactly what the handlers do (and tools like schemathesis can
//! fuzz the API against it).

use super::openapi_parts::{json_response, op, paging, path, query, responses, schema};
use axum::Json;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

/// `GET /api/openapi.json`.
pub async fn document() -> Json<Value> {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    Json(DOCUMENT.get_or_init(build).clone())
}

/// A response whose body's `id` is an execution id the other execution operations take.
fn execution_links(mut response: Value) -> Value {
    let operations = [
        "getExecution",
        "killExecution",
        "resumeExecution",
        "restartExecution",
        "replayExecution",
        "downloadExecutionFile",
        "metrics",
        "listLogs",
        "downloadLogs",
    ];
    let links: Map<String, Value> = operations
        .iter()
        .map(|op| {
            let link = json!({ "operationId": op, "parameters": { "executionId": "$response.body#/id" } });
            (op.to_string(), link)
        })
        .collect();
    response["links"] = Value::Object(links);
    response
}

/// A revision parameter.
fn revision() -> Value {
    json!({ "type": "integer", "minimum": 1, "maximum": u32::MAX })
}

/// A YAML request body; `required` is false where an empty body is answered too.
fn yaml_body(required: bool) -> Value {
    json!({
        "required": required,
        "description": "The flow's YAML source (at most 10 MiB)",
        "content": { "application/x-yaml": { "schema": { "type": "string" } } },
    })
}

/// Success plus the error statuses a flow write adds.
fn flow_written(description: &str) -> Map<String, Value> {
    responses([
        ("200", json_response(description, schema("Flow"))),
        ("409", json_response("The flow exists already", schema("Error"))),
        ("413", json_response("Body too large", schema("Error"))),
        ("422", json_response("Invalid flow: every diagnostic", schema("Error"))),
    ])
}

/// The `paths` object.
fn paths() -> Value {
    let ns = path("namespace", "Namespace of the flow");
    let flow_id = path("id", "Id of the flow");
    let exec = path("executionId", "Execution id");
    let log_filters = || {
        vec![
            exec.clone(),
            query("minLevel", "only lines at least this severe", schema("Level")),
            query("taskId", "only lines of this task", json!({ "type": "string" })),
            query("taskRunId", "only lines of this task run", json!({ "type": "string" })),
            query(
                "attempt",
                "only lines of this attempt (1-based)",
                json!({ "type": "integer", "minimum": 0, "maximum": u32::MAX }),
            ),
            query(
                "afterSeq",
                "only lines after this sequence number",
                json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }),
            ),
        ]
    };
    let sse = |description: &str| {
        json!({ "description": description, "content": { "text/event-stream": { "schema": {
            "type": "object",
            "description": "one Server-Sent Event; `data` is the JSON of an Execution or a LogEntry",
            "properties": { "event": { "type": "string" }, "id": { "type": "string" }, "data": { "type": "string" } },
        } } } })
    };
    let mut logs_list = log_filters();
    logs_list.extend(paging(1000, 10_000));
    let mut metrics_params = vec![
        exec.clone(),
        query("taskId", "only metrics of this task", json!({ "type": "string" })),
        query(
            "taskRunId",
            "only metrics of this task run",
            json!({ "type": "string" }),
        ),
    ];
    metrics_params.extend(paging(1000, 10_000));
    let metrics = |id: &str| {
        json!({ "get": op(id, "Metrics of an execution", metrics_params.clone(), Value::Null,
            responses([("200", json_response("A page of metrics", schema("PagedMetrics")))])) })
    };
    let mut flow_search = vec![
        query("q", "text in the id or namespace", json!({ "type": "string" })),
        query(
            "namespace",
            "this namespace and its children",
            json!({ "type": "string" }),
        ),
    ];
    flow_search.extend(paging(10, 1000));
    let mut exec_search = vec![
        query("namespace", "only this namespace", json!({ "type": "string" })),
        query("flowId", "only this flow", json!({ "type": "string" })),
        json!({ "name": "state", "in": "query", "required": false, "style": "form", "explode": true,
                "description": "only these states (repeat the parameter)",
                "schema": { "type": "array", "items": schema("State") } }),
        query(
            "startDate",
            "started at or after",
            json!({ "type": "string", "format": "date-time" }),
        ),
        query(
            "endDate",
            "started before",
            json!({ "type": "string", "format": "date-time" }),
        ),
    ];
    exec_search.extend(paging(10, 1000));
    let execution_ok = |d: &str| json_response(d, schema("Execution"));
    let conflict = json_response("Not possible in the execution's state", schema("Error"));
    json!({
        "/api/v1/flows": { "post": op("createFlow", "Create a flow from its YAML source", vec![], yaml_body(true),
            flow_written("The stored flow with its source")) },
        "/api/v1/flows/search": { "get": op("searchFlows", "Search flows", flow_search, Value::Null,
            responses([("200", json_response("A page of flows", schema("PagedFlows")))])) },
        "/api/v1/flows/validate": { "post": op("validateFlows", "Validate flows without storing them (documents separated by `---`)",
            vec![], yaml_body(false), responses([
                ("200", json_response("One result per document", json!({ "type": "array", "items": schema("ValidateResult") }))),
                ("413", json_response("Body too large", schema("Error"))),
            ])) },
        "/api/v1/flows/{namespace}/{id}": {
            "get": op("getFlow", "A flow (newest revision unless `revision`)", vec![ns.clone(), flow_id.clone(),
                    query("revision", "this revision", revision()),
                    query("source", "include the YAML source", json!({ "type": "boolean", "default": false }))],
                Value::Null, responses([("200", json_response("The flow", schema("Flow")))])),
            "put": op("updateFlow", "Store a new revision of a flow", vec![ns.clone(), flow_id.clone()], yaml_body(true),
                flow_written("The stored flow with its source")),
            "delete": op("deleteFlow", "Delete a flow (its revisions stay readable)", vec![ns.clone(), flow_id.clone()],
                Value::Null, responses([("204", json!({ "description": "Deleted" }))])),
        },
        "/api/v1/flows/{namespace}/{id}/revisions": { "get": op("flowRevisions", "Every revision of a flow, oldest first",
            vec![ns.clone(), flow_id.clone()], Value::Null,
            responses([("200", json_response("The revisions", json!({ "type": "array", "items": schema("Flow") })))])) },
        "/api/v1/executions/{namespace}/{id}": { "post": op("createExecution", "Start an execution of a flow",
            vec![ns.clone(), flow_id.clone(),
                query("revision", "run this revision of the flow", revision()),
                json!({ "name": "labels", "in": "query", "required": false, "style": "form", "explode": true,
                        "description": "labels as `key:value`",
                        "schema": { "type": "array", "items": { "type": "string", "pattern": "^[^:]+:" } } })],
            json!({ "required": false, "description": "Inputs: form fields (FILE inputs as file parts) or a JSON object; may be empty",
                    "content": {
                        "multipart/form-data": { "schema": { "type": "object", "additionalProperties": { "type": "string" } } },
                        "application/json": { "schema": { "type": "object" } },
                    } }),
            responses([
                ("200", execution_links(execution_ok("The created execution"))),
                ("409", json_response("The flow is disabled", schema("Error"))),
                ("413", json_response("Body too large", schema("Error"))),
                ("415", json_response("Unreadable body type", schema("Error"))),
                ("422", json_response("Invalid inputs: every problem, by input", schema("Error"))),
            ])) },
        "/api/v1/executions/search": { "get": op("searchExecutions", "Search executions, newest first", exec_search,
            Value::Null, responses([("200", json_response("A page of execution summaries", schema("PagedExecutions")))])) },
        "/api/v1/triggers/search": { "get": op("searchTriggers", "Every trigger of every flow, with its stored state",
            vec![query("namespace", "namespace prefix", json!({ "type": "string" })), query("flowId", "flow id", json!({ "type": "string" })),
                 query("page", "1-based page", json!({ "type": "integer", "minimum": 1, "default": 1 })),
                 query("size", "triggers per page", json!({ "type": "integer", "minimum": 1, "maximum": 1000, "default": 10 }))],
            Value::Null, responses([("200", json_response("A page of triggers: `abstractTrigger` as written, `triggerContext` as stored", json!({ "type": "object" })))])) },
        "/api/v1/executions/{executionId}": { "get": op("getExecution", "An execution", vec![exec.clone()], Value::Null,
            responses([("200", execution_ok("The execution"))])) },
        "/api/v1/executions/{executionId}/kill": {
            "post": op("killExecution", "Kill an execution", vec![exec.clone()], Value::Null,
                responses([("202", execution_ok("Kill posted; the execution as it was")), ("409", conflict.clone())])),
            "delete": op("killExecutionKestra", "Kill an execution (Kestra's method)", vec![exec.clone()], Value::Null,
                responses([("202", execution_ok("Kill posted; the execution as it was")), ("409", conflict.clone())])),
        },
        "/api/v1/executions/{executionId}/resume": { "post": op("resumeExecution", "Resume a PAUSED execution; a JSON object body gives the Pause tasks' onResume values",
            vec![exec.clone()], Value::Null, responses([("200", execution_ok("Resume posted; the execution as it was")), ("422", json_response("The body is not a JSON object", schema("Error"))), ("409", conflict.clone())])) },
        "/api/v1/executions/{executionId}/restart": { "post": op("restartExecution", "Restart a FAILED or KILLED execution in place",
            vec![exec.clone()], Value::Null, responses([("200", execution_ok("Restart posted; the execution as it was")), ("409", conflict.clone())])) },
        "/api/v1/executions/{executionId}/state": { "post": op("changeTaskRunState",
            "Set a task run of an ended execution to SUCCESS, WARNING or FAILED (JSON body `taskRunId`, `state`); the execution goes on from there",
            vec![exec.clone()], Value::Null, responses([("200", execution_ok("Change posted; the execution as it was")), ("422", json_response("Not possible", schema("Error"))), ("409", conflict.clone())])) },
        "/api/v1/executions/{executionId}/replay": { "post": op("replayExecution", "A new execution with the same flow revision and inputs; with `taskRunId`, from that task run on",
            vec![exec.clone(), query("revision", "use this flow revision instead", revision()), query("taskRunId", "keep what ran before this task run and run it and what follows again", json!({"type": "string"}))],
            Value::Null, responses([("200", execution_ok("The new execution")), ("409", conflict.clone()),
                ("422", json_response("Not possible", schema("Error")))])) },
        "/api/v1/executions/{executionId}/follow": { "get": op("followExecution",
            "Server-Sent Events: an `execution` event with the execution's JSON on every change, until it ends",
            vec![exec.clone()], Value::Null, responses([("200", sse("Event stream"))])) },
        "/api/v1/executions/{executionId}/file": { "get": op("downloadExecutionFile", "A file kept for the execution",
            vec![exec.clone(), json!({ "name": "path", "in": "query", "required": true, "schema": { "type": "string", "minLength": 1 },
                "description": "relative to the execution's folder, or an absolute path or file:// URI inside it" })],
            Value::Null, responses([("200", json!({ "description": "The file",
                "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } }))])) },
        "/api/v1/executions/{executionId}/metrics": metrics("executionMetrics"),
        "/api/v1/metrics/{executionId}": metrics("metrics"),
        "/api/v1/logs/{executionId}": { "get": op("listLogs", "A page of log lines", logs_list, Value::Null,
            responses([("200", json_response("Log lines in order", json!({ "type": "array", "items": schema("LogEntry") })))])) },
        "/api/v1/logs/{executionId}/download": { "get": op("downloadLogs", "The whole log as text", log_filters(), Value::Null,
            responses([("200", json!({ "description": "`timestamp LEVEL [task] message` lines",
                "content": { "text/plain": { "schema": { "type": "string" } } } }))])) },
        "/api/v1/logs/{executionId}/follow": { "get": op("followLogs",
            "Server-Sent Events: each line as a `log` event whose id is its seq; resumes after `Last-Event-ID`",
            log_filters(), Value::Null, responses([("200", sse("Event stream"))])) },
        "/api/openapi.json": { "get": { "operationId": "openapi", "summary": "This document",
            "responses": { "200": { "description": "OpenAPI 3.0", "content": { "application/json": { "schema": { "type": "object" } } } } } } },
    })
}

/// The webhook paths (Kestra's and Kestra 1.x's), open to callers without credentials: the key
/// in the path is theirs.
fn with_webhooks(mut paths: Value) -> Value {
    let params = || {
        vec![
            path("namespace", "the flow's namespace"),
            path("flowId", "the flow's id"),
            path("key", "the Webhook trigger's `key`"),
        ]
    };
    let body = json!({ "required": false, "description": "Any body: JSON becomes `trigger.body` as JSON, anything else as text",
        "content": { "*/*": { "schema": {} } } });
    let answer = |id: &str, body: Value| {
        let mut o = op(
            id,
            "Start an execution through the flow's Webhook trigger",
            params(),
            body,
            responses([
                (
                    "200",
                    json_response(
                        "The created execution; with `wait`, the ended one, or its outputs with `returnOutputs`",
                        schema("Execution"),
                    ),
                ),
                (
                    "204",
                    json!({ "description": "The trigger's conditions do not hold; nothing started" }),
                ),
                ("413", json_response("Body larger than 10 MiB", schema("Error"))),
                (
                    "422",
                    json_response("The trigger's inputs do not fit the flow", schema("Error")),
                ),
            ]),
        );
        o["security"] = json!([{}]);
        o
    };
    for (prefix, suffix) in [
        ("/api/v1/executions/webhook", ""),
        ("/api/v1/main/executions/webhook", "Main"),
    ] {
        paths[format!("{prefix}/{{namespace}}/{{flowId}}/{{key}}")] = json!({
            "get": answer(&format!("webhookGet{suffix}"), Value::Null),
            "post": answer(&format!("webhookPost{suffix}"), body.clone()),
            "put": answer(&format!("webhookPut{suffix}"), body.clone()),
        });
    }
    paths
}

/// The whole document.
fn build() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Sluice API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Kestra-compatible paths and shapes for flows, executions, logs and metrics.",
        },
        "paths": super::openapi_namespaces::with_namespaces(with_webhooks(paths())),
        // Credentials are needed only when the server is configured with them.
        "security": [{}, { "basicAuth": [] }, { "bearerAuth": [] }],
        "components": {
            "schemas": super::openapi_schemas::schemas(),
            "securitySchemes": {
                "basicAuth": { "type": "http", "scheme": "basic" },
                "bearerAuth": { "type": "http", "scheme": "bearer" },
            },
        },
    })
}
