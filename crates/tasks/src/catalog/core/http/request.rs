//! `io.kestra.plugin.core.http.Request`: calls a URL and keeps the answer in the task's outputs
//! (`uri`, `code`, `headers`, `body`). A status of 400 or more fails the task unless
//! `options.allowFailed` (or `allowedResponseCodes`) accepts it.
//!
//! Kestra: <https://kestra.io/plugins/core/http/io.kestra.plugin.core.http.request>
//!
//! Sluice's choice: a JSON answer (by its Content-Type) is kept as JSON, so
//! `outputs.req.body.id` reads a field, as Kestra 1.x flows do; `fromJson(outputs.req.body)`
//! still works on it. Any other answer is kept as text.

use super::COMMON;
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError, http};
use serde_json::{Value, json};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, deprecated, no_effect};

/// The Request task.
pub static REQUEST: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.http.Request",
        &[
            "io.kestra.plugin.fs.http.Request",
            "io.kestra.core.tasks.http.Request",
            "core.http.Request",
            "http.Request",
        ],
        &[
            COMMON[0],
            COMMON[1],
            COMMON[2],
            COMMON[3],
            COMMON[4],
            COMMON[5],
            COMMON[6],
            COMMON[7],
            deprecated(
                "allowFailed",
                Kind::Bool,
                "Succeed on any status code.",
                "`options.allowFailed`",
            ),
            no_effect(
                "encryptBody",
                Kind::Bool,
                "Encrypt the body in the outputs.",
                "the body is stored as is, with secrets masked",
            ),
        ],
        "Calls a URL and keeps the response's code, headers and body.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let (req, opts) = super::outgoing(task, cx)?;
    super::refuse_stored_file_parts(task, &req)?;
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |_| async move {
        let uri = req.uri.clone();
        let answer = async {
            let response = http::send(&opts, req).await?;
            let code = response.status().as_u16();
            let headers = http::headers(&response);
            let is_json = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.contains("json"));
            let length = response.content_length();
            let text = http::text(response, opts.max_content_length).await?;
            let body = match is_json {
                true => serde_json::from_str(&text).unwrap_or(Value::String(text)),
                false => Value::String(text),
            };
            Ok::<_, String>((code, headers, body, length))
        };
        match answer.await {
            Ok((code, headers, body, length)) => {
                let mut done = Finished::default();
                done.outputs.insert("uri".into(), json!(uri));
                done.outputs.insert("code".into(), json!(code));
                done.outputs.insert("headers".into(), Value::Object(headers));
                done.outputs.insert("body".into(), body);
                if let Some(n) = length {
                    done.outputs.insert("length".into(), json!(n));
                }
                done.logs.push(("DEBUG".into(), format!("{uri} answered {code}")));
                done
            }
            Err(failure) => Finished::failed(failure),
        }
    }))))
}
