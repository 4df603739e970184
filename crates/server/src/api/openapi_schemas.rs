//! The `components.schemas` of the OpenAPI document: the JSON shapes the API answers with.

use serde_json::{Value, json};
use sluice_engine::State;
use sluice_store::Level;

/// A reference to another schema.
fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A nullable value of a simple type.
fn nullable(ty: &str) -> Value {
    json!({ "type": ty, "nullable": true })
}

/// A nullable date-time.
fn nullable_date() -> Value {
    json!({ "type": "string", "format": "date-time", "nullable": true })
}

/// Kestra's `{results, total}` around items of `item`.
fn paged(item: &str) -> Value {
    json!({
        "type": "object",
        "required": ["results", "total"],
        "properties": {
            "results": { "type": "array", "items": r(item) },
            "total": { "type": "integer", "minimum": 0 },
        },
    })
}

/// A state and how it got there.
fn state_info() -> Value {
    json!({
        "type": "object",
        "required": ["current", "histories"],
        "properties": {
            "current": r("State"),
            "histories": { "type": "array", "items": {
                "type": "object",
                "required": ["state", "date"],
                "properties": { "state": r("State"), "date": { "type": "string", "format": "date-time" } },
            } },
        },
    })
}

/// Every schema by name.
pub fn schemas() -> Value {
    let states: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
    let levels: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
    json!({
        "State": { "type": "string", "enum": states },
        "Level": { "type": "string", "enum": levels },
        "Error": {
            "type": "object",
            "required": ["message"],
            "properties": {
                "message": { "type": "string" },
                "details": { "type": "array", "items": r("Detail") },
            },
        },
        "Detail": {
            "type": "object",
            "required": ["path", "severity", "code", "message"],
            "properties": {
                "path": nullable("string"),
                "line": { "type": "integer", "minimum": 1 },
                "column": { "type": "integer", "minimum": 1 },
                "severity": { "type": "string", "enum": ["error", "warning"] },
                "code": { "type": "string" },
                "message": { "type": "string" },
                "help": { "type": "string" },
            },
        },
        "Flow": {
            "type": "object",
            "description": "The flow's YAML as JSON, with its revision; `source` when asked for",
            "required": ["id", "namespace", "revision", "deleted", "disabled"],
            "additionalProperties": true,
            "properties": {
                "id": { "type": "string" },
                "namespace": { "type": "string" },
                "revision": { "type": "integer", "minimum": 1 },
                "updated": { "type": "string", "format": "date-time" },
                "deleted": { "type": "boolean" },
                "disabled": {},
                "source": { "type": "string" },
            },
        },
        "PagedFlows": paged("Flow"),
        "ValidateResult": {
            "type": "object",
            "required": ["index", "valid", "details"],
            "properties": {
                "index": { "type": "integer", "minimum": 0 },
                "flow": nullable("string"),
                "namespace": nullable("string"),
                "constraints": nullable("string"),
                "outdated": { "type": "boolean" },
                "deprecationPaths": { "type": "array", "items": { "type": "string" } },
                "warnings": { "type": "array", "items": { "type": "string" } },
                "infos": { "type": "array", "items": { "type": "string" } },
                "valid": { "type": "boolean" },
                "details": { "type": "array", "items": r("Detail") },
            },
        },
        "Label": {
            "type": "object",
            "required": ["key", "value"],
            "properties": { "key": { "type": "string" }, "value": { "type": "string" } },
        },
        "StateInfo": state_info(),
        "Attempt": {
            "type": "object",
            "required": ["state"],
            "properties": {
                "state": r("StateInfo"),
                "exitCode": nullable("integer"),
                "reason": nullable("string"),
                "handle": nullable("string"),
            },
        },
        "TaskRun": {
            "type": "object",
            "required": ["id", "executionId", "taskId", "state", "attempts", "outputs"],
            "properties": {
                "id": { "type": "string" },
                "executionId": { "type": "string" },
                "taskId": { "type": "string" },
                "parentTaskRunId": nullable("string"),
                "value": nullable("string"),
                "state": r("StateInfo"),
                "attempts": { "type": "array", "items": r("Attempt") },
                "outputs": { "type": "object" },
            },
        },
        "Execution": {
            "type": "object",
            "required": ["id", "namespace", "flowId", "flowRevision", "state", "inputs", "labels", "taskRunList",
                         "outputs", "attemptNumber"],
            "properties": {
                "id": { "type": "string" },
                "namespace": { "type": "string" },
                "flowId": { "type": "string" },
                "flowRevision": { "type": "integer" },
                "state": r("StateInfo"),
                "inputs": { "type": "object" },
                "labels": { "type": "array", "items": r("Label") },
                "taskRunList": { "type": "array", "items": r("TaskRun") },
                "outputs": { "type": "object" },
                "attemptNumber": { "type": "integer" },
                "originalId": { "type": "string" },
            },
        },
        "ExecutionSummary": {
            "type": "object",
            "required": ["id", "namespace", "flowId", "state"],
            "properties": {
                "id": { "type": "string" },
                "namespace": { "type": "string" },
                "flowId": { "type": "string" },
                "state": {
                    "type": "object",
                    "required": ["current"],
                    "properties": {
                        "current": r("State"),
                        "startDate": nullable_date(),
                        "endDate": nullable_date(),
                        "duration": { "type": "string", "nullable": true, "description": "ISO 8601 duration" },
                    },
                },
            },
        },
        "PagedExecutions": paged("ExecutionSummary"),
        "LogEntry": {
            "type": "object",
            "required": ["namespace", "flowId", "executionId", "timestamp", "level", "message", "seq"],
            "properties": {
                "namespace": { "type": "string" },
                "flowId": { "type": "string" },
                "executionId": { "type": "string" },
                "taskId": nullable("string"),
                "taskRunId": nullable("string"),
                "attemptNumber": { "type": "integer", "nullable": true, "description": "1-based" },
                "timestamp": { "type": "string", "format": "date-time" },
                "level": r("Level"),
                "message": { "type": "string" },
                "seq": { "type": "integer", "minimum": 1 },
            },
        },
        "MetricEntry": {
            "type": "object",
            "required": ["namespace", "flowId", "executionId", "taskRunId", "type", "name", "value", "tags"],
            "properties": {
                "namespace": { "type": "string" },
                "flowId": { "type": "string" },
                "executionId": { "type": "string" },
                "taskId": nullable("string"),
                "taskRunId": { "type": "string" },
                "type": { "type": "string", "enum": ["counter", "timer"] },
                "name": { "type": "string" },
                "value": { "type": "number", "nullable": true },
                "tags": { "type": "object" },
            },
        },
        "PagedMetrics": paged("MetricEntry"),
    })
}
