//! `io.kestra.plugin.core.kv.Set`: writes a KV pair. `value` keeps the type of a lone
//! expression, `kvType` converts text to a type (a text that does not convert fails the task),
//! `ttl` makes it expire, and `overwrite: false` fails rather than replace a live pair.
//!
//! Kestra: <https://kestra.io/plugins/core/kv/io.kestra.plugin.core.kv.set>

use super::{NAMESPACE, invalid, key, namespace};
use crate::catalog::TaskType;
use crate::kv::KvPut;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use jiff::Timestamp;
use sluice_flow::kv::{KV_TYPES, KvType};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The Set task.
pub static SET: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.kv.Set",
        &["core.kv.Set", "kv.Set"],
        &[
            req("key", Kind::String, "The key: letters, digits, `.`, `_` and `-`."),
            req(
                "value",
                Kind::Any,
                "The value; a lone expression keeps its type (a number stays a number).",
            ),
            NAMESPACE,
            opt(
                "overwrite",
                Kind::Bool,
                "Replace a pair that already exists (default true); false fails instead.",
            ),
            opt(
                "ttl",
                Kind::Duration,
                "How long the pair lives (`P30D`); it never expires without one.",
            ),
            opt(
                "kvType",
                Kind::Enum(&["STRING", "NUMBER", "BOOLEAN", "DATETIME", "DATE", "DURATION", "JSON"]),
                "The type text is stored as (default: the value's own type).",
            ),
            opt("description", Kind::String, "What the pair is for, shown in the UI."),
        ],
        "Creates or replaces a key-value pair of a namespace.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let namespace = namespace(task, cx)?;
    let key = key(task, cx)?;
    let raw = task.properties.get("value").cloned().unwrap_or_default();
    let value = cx.renderer.value(&task.id, "value", &raw, cx.variables)?;
    let kv_type = match crate::props::text(task, cx, "kvType")? {
        None => None,
        Some(name) => Some(
            KvType::parse(&name)
                .ok_or_else(|| invalid(task, format!("`kvType` is `{name}`; it is one of {KV_TYPES}")))?,
        ),
    };
    let (value, kv_type) = sluice_flow::kv::typed(value, kv_type).map_err(|m| invalid(task, m))?;
    let ttl = crate::props::duration(task, cx, "ttl")?;
    let overwrite = crate::props::flag(task, "overwrite", true);
    let description = crate::props::text(task, cx, "description")?;
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let at = Timestamp::now();
        let expires = match ttl.map(|d| jiff::SignedDuration::try_from(d).map(|d| at.checked_add(d))) {
            None => None,
            Some(Ok(Ok(t))) => Some(t),
            Some(_) => return Finished::failed("`ttl` is too long: it ends past the year 9999".into()),
        };
        let put = KvPut {
            namespace: &namespace,
            key: &key,
            kv_type,
            value: &value,
            description: description.as_deref(),
            expires,
            overwrite,
            at,
        };
        match call.kv.0.kv_put(&put).await {
            Ok(true) => Finished {
                logs: vec![(
                    "INFO".into(),
                    format!("set `{key}` in namespace `{namespace}` ({})", kv_type.name()),
                )],
                ..Finished::default()
            },
            Ok(false) => Finished::failed(format!(
                "cannot set `{key}` in namespace `{namespace}`: it already exists and `overwrite` is false; delete it first or set `overwrite: true`"
            )),
            Err(e) => Finished::failed(e.to_string()),
        }
    }))))
}
