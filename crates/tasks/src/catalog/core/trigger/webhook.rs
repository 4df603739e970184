//! `io.kestra.plugin.core.trigger.Webhook`: an execution for each call of
//! `/api/v1/executions/webhook/{namespace}/{flowId}/{key}`. The server answers the call; this
//! module says what a flow may write and what the execution sees as `trigger`.
//!
//! Kestra: <https://kestra.io/plugins/core/triggers/io.kestra.plugin.core.trigger.webhook>

use serde_json::{Map, Value, json};
use sluice_flow::model::Trigger;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The longest key Kestra accepts.
pub const MAX_KEY: usize = 256;

/// The Webhook trigger.
pub static WEBHOOK: TypeSpec = TypeSpec::new(
    "io.kestra.plugin.core.trigger.Webhook",
    &[
        "io.kestra.core.models.triggers.types.Webhook",
        "core.trigger.Webhook",
        "trigger.Webhook",
    ],
    &[
        req(
            "key",
            Kind::String,
            "The secret part of the URL (at most 256 characters; may be `{{ secret('…') }}`).",
        ),
        opt(
            "inputs",
            Kind::Map,
            "Inputs of the executions it starts; `trigger.body` holds the request body.",
        ),
        opt(
            "wait",
            Kind::Bool,
            "Answer only once the execution has ended, with the execution as it ended; past the server's `webhookWait` (5 minutes unless set), answer 202 with the execution still running.",
        ),
        opt(
            "returnOutputs",
            Kind::Bool,
            "With `wait`, answer with the flow's outputs instead of the execution.",
        ),
        opt(
            "responseContentType",
            Kind::String,
            "Content type of the answer with `returnOutputs` (default `application/json`).",
        ),
    ],
    "Starts an execution for each call of its webhook URL.",
);

/// What a webhook call hands the execution: the request's body, headers and query parameters.
pub struct Call {
    /// The body: JSON when it parses as an object or a list, else the text (base64 when it is
    /// not UTF-8).
    pub body: Value,
    /// Header names (lowercase) to their values.
    pub headers: Map<String, Value>,
    /// Query parameters to their values.
    pub parameters: Map<String, Value>,
}

/// `trigger` in the templates of the execution it starts, and of its conditions.
pub fn variables(trigger: &Trigger, call: &Call) -> Value {
    json!({
        "id": trigger.id,
        "type": trigger.type_name,
        "body": call.body,
        "headers": call.headers,
        "parameters": call.parameters,
    })
}

/// The body as Kestra reads it: a JSON object or array, else the text itself.
pub fn body(bytes: &[u8]) -> Value {
    if let Ok(v @ (Value::Object(_) | Value::Array(_))) = serde_json::from_slice::<Value>(bytes) {
        return v;
    }
    match std::str::from_utf8(bytes) {
        Ok("") => Value::Null,
        Ok(text) => Value::String(text.to_string()),
        Err(_) => {
            use base64::Engine;
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
    }
}

/// A flag property (`wait`, `returnOutputs`), false unless set to true.
pub fn flag(trigger: &Trigger, name: &str) -> bool {
    trigger.properties.get(name) == Some(&Value::Bool(true))
}
