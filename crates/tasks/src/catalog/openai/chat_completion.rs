//! `io.kestra.plugin.openai.ChatCompletion`: `messages` (each `role` and `content`) and/or a
//! `prompt` (sent last, as the user) to OpenAI's Chat Completions API; outputs `id`, `object`,
//! `model`, `choices` (read as `choices[0].message.content`) and `usage`, as OpenAI answers
//! them. `jsonResponseSchema` asks for a JSON answer of that schema; `functions` become tools
//! the model may call. `baseUrl` (Sluice's addition, default `https://api.openai.com/v1`) points
//! at another server that speaks the same API.
//!
//! Kestra: <https://kestra.io/plugins/io.kestra.plugin.openai.ChatCompletion>

use crate::catalog::TaskType;
use crate::http::{Outgoing, options::Options};
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::{Map, Value, json};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};
use std::time::Duration;

/// Where OpenAI's API is.
const OPENAI: &str = "https://api.openai.com/v1";

/// The ChatCompletion task.
pub static CHAT_COMPLETION: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.openai.ChatCompletion",
        &["openai.ChatCompletion"],
        &[
            req("apiKey", Kind::String, "The OpenAI API key."),
            req("model", Kind::String, "The model, such as `gpt-4o`."),
            opt(
                "messages",
                Kind::Any,
                "The conversation so far: a list of `role` and `content`.",
            ),
            opt(
                "prompt",
                Kind::String,
                "A message sent last, as the user (with or without `messages`).",
            ),
            opt(
                "functions",
                Kind::Any,
                "Functions the model may call: `name`, `description`, `parameters`.",
            ),
            opt(
                "functionCall",
                Kind::String,
                "The function to call, or `auto` (the default).",
            ),
            opt(
                "jsonResponseSchema",
                Kind::Any,
                "A JSON Schema the answer must follow (as JSON text or YAML).",
            ),
            opt("temperature", Kind::Number, "Sampling temperature, 0 to 2."),
            opt("topP", Kind::Number, "Nucleus sampling mass."),
            opt("n", Kind::Int, "How many choices to generate."),
            opt("stop", Kind::StringList, "Up to 4 sequences that end the answer."),
            opt("maxTokens", Kind::Int, "Most tokens in the answer."),
            opt(
                "presencePenalty",
                Kind::Number,
                "Penalty for tokens already present, -2 to 2.",
            ),
            opt("frequencyPenalty", Kind::Number, "Penalty by token frequency, -2 to 2."),
            opt("logitBias", Kind::Map, "Token ids to bias values."),
            opt(
                "user",
                Kind::String,
                "An id of the end user, for OpenAI's abuse monitoring.",
            ),
            opt(
                "clientTimeout",
                Kind::Int,
                "Seconds to wait for the answer (default 10).",
            ),
            opt(
                "baseUrl",
                Kind::String,
                "The API's address (default https://api.openai.com/v1).",
            ),
        ],
        "Asks an OpenAI model to complete a chat.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let invalid = |message: String| TaskError::Invalid {
        task: task.id.clone(),
        message,
    };
    let text = |key: &str| crate::props::text(task, cx, key);
    let rendered = |key: &str| -> Result<Option<Value>, TaskError> {
        task.properties
            .get(key)
            .map(|v| cx.renderer.value(&task.id, key, v, cx.variables))
            .transpose()
    };
    let api_key = text("apiKey")?.unwrap_or_default();
    let mut messages = match rendered("messages")? {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(Value::String(s)) => serde_json::from_str(&s)
            .map_err(|e| invalid(format!("`messages` must be a list of `role` and `content`: {e}")))?,
        Some(other) => {
            return Err(invalid(format!(
                "`messages` must be a list of `role` and `content`, not {other}"
            )));
        }
    };
    if let Some(prompt) = text("prompt")? {
        messages.push(json!({"role": "user", "content": prompt}));
    }
    if messages.is_empty() {
        return Err(invalid("set `prompt` or `messages`: there is nothing to send".into()));
    }
    let mut body = Map::new();
    body.insert("model".into(), Value::String(text("model")?.unwrap_or_default()));
    body.insert("messages".into(), Value::Array(messages));
    for (key, name) in [
        ("temperature", "temperature"),
        ("topP", "top_p"),
        ("n", "n"),
        ("stop", "stop"),
        ("maxTokens", "max_tokens"),
        ("presencePenalty", "presence_penalty"),
        ("frequencyPenalty", "frequency_penalty"),
        ("logitBias", "logit_bias"),
        ("user", "user"),
    ] {
        if let Some(value) = rendered(key)?.filter(|v| !v.is_null()) {
            body.insert(name.into(), value);
        }
    }
    if let Some(schema) = rendered("jsonResponseSchema")?.filter(|v| !v.is_null()) {
        let schema = match schema {
            Value::String(s) => serde_json::from_str(&s)
                .map_err(|e| invalid(format!("`jsonResponseSchema` is not a JSON Schema: {e}")))?,
            other => other,
        };
        body.insert(
            "response_format".into(),
            json!({"type": "json_schema", "json_schema": {"name": "response", "schema": schema}}),
        );
    }
    if let Some(Value::Array(functions)) = rendered("functions")? {
        body.insert("tools".into(), Value::Array(functions.iter().map(tool).collect()));
        if let Some(call) = text("functionCall")?.filter(|c| c != "auto") {
            body.insert(
                "tool_choice".into(),
                json!({"type": "function", "function": {"name": call}}),
            );
        }
    }
    let base = text("baseUrl")?.unwrap_or_else(|| OPENAI.into());
    let uri = format!("{}/chat/completions", base.trim_end_matches('/'));
    let seconds = task
        .properties
        .get("clientTimeout")
        .and_then(Value::as_u64)
        .unwrap_or(10);
    let mut options = Options::default();
    options.client.read_timeout = Duration::from_secs(seconds.max(1));
    let timeout = crate::props::timeout(task, cx)?;
    let request = Value::Object(body).to_string();
    Ok(Plan::Call(Box::new(Call::new(timeout, move |_| async move {
        let answered = async {
            let mut outgoing = Outgoing::post_json(uri, request);
            outgoing
                .headers
                .push(("Authorization".into(), format!("Bearer {api_key}")));
            let response = crate::http::send(&options, outgoing).await?;
            let text = crate::http::text(response, options.max_content_length).await?;
            let answer: Value = serde_json::from_str(&text).map_err(|e| format!("the answer is not JSON: {e}"))?;
            let mut done = Finished::default();
            for key in ["id", "object", "model", "choices", "usage"] {
                done.outputs
                    .insert(key.into(), answer.get(key).cloned().unwrap_or(Value::Null));
            }
            if let Some(usage) = answer.get("usage") {
                done.logs.push(("INFO".into(), format!("token usage: {usage}")));
            }
            Ok::<_, String>(done)
        };
        answered.await.unwrap_or_else(Finished::failed)
    }))))
}

/// One of Kestra's `functions` as an OpenAI tool: its `parameters` list (each `name`, `type`,
/// `description`, `required`, `enumValues`) made a JSON Schema object.
fn tool(function: &Value) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in function
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            continue;
        };
        let mut schema = json!({"type": p.get("type").cloned().unwrap_or(json!("string"))});
        if let Some(d) = p.get("description") {
            schema["description"] = d.clone();
        }
        if let Some(e) = p.get("enumValues") {
            schema["enum"] = e.clone();
        }
        if p.get("required") == Some(&Value::Bool(true)) {
            required.push(Value::String(name.to_string()));
        }
        properties.insert(name.to_string(), schema);
    }
    json!({"type": "function", "function": {
        "name": function.get("name").cloned().unwrap_or(Value::Null),
        "description": function.get("description").cloned().unwrap_or(Value::Null),
        "parameters": {"type": "object", "properties": properties, "required": required},
    }})
}

#[cfg(test)]
mod tests {
    use super::tool;
    use serde_json::json;

    #[test]
    fn kestra_functions_become_openai_tools() {
        let f = json!({"name": "respond", "description": "d", "parameters": [
            {"name": "urgency", "type": "string", "description": "u", "required": true, "enumValues": ["now", "later"]},
            {"name": "text", "type": "string", "description": "t"}
        ]});
        let t = tool(&f);
        assert_eq!(t["function"]["parameters"]["required"], json!(["urgency"]));
        assert_eq!(
            t["function"]["parameters"]["properties"]["urgency"]["enum"],
            json!(["now", "later"])
        );
    }
}
