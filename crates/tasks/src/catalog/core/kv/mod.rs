//! Kestra's `core.kv` tasks: Set, Get, GetKeys, Delete and PurgeKV, over the store's
//! [`crate::kv::KvStore`] that the worker hands each call.
//!
//! Kestra: <https://kestra.io/docs/concepts/kv-store>

pub mod delete;
pub mod get;
pub mod get_keys;
pub mod purge_kv;
pub mod set;

use crate::{PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, opt};

/// `namespace`: every kv task reads or writes one, the flow's by default.
const NAMESPACE: Prop = opt(
    "namespace",
    Kind::String,
    "The namespace of the pair (default: the flow's, `{{ flow.namespace }}`).",
);

/// The namespace the task works on: `namespace` rendered, else the flow's.
fn namespace(task: &Task, cx: &PlanContext<'_>) -> Result<String, TaskError> {
    if let Some(ns) = crate::props::text(task, cx, "namespace")? {
        return Ok(ns);
    }
    cx.variables
        .pointer("/flow/namespace")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            invalid(
                task,
                "there is no flow namespace to default `namespace` to; set it".into(),
            )
        })
}

/// The rendered `key`, checked against Kestra's key pattern.
fn key(task: &Task, cx: &PlanContext<'_>) -> Result<String, TaskError> {
    let key = crate::props::text(task, cx, "key")?.ok_or_else(|| invalid(task, "`key` is missing".into()))?;
    sluice_flow::kv::check_key(&key).map_err(|m| invalid(task, m))?;
    Ok(key)
}

fn invalid(task: &Task, message: String) -> TaskError {
    TaskError::Invalid {
        task: task.id.clone(),
        message,
    }
}
