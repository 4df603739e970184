//! `io.kestra.plugin.core.log.Fetch`: the stored log lines of an execution (this one unless
//! `executionId` says another), at `level` or more severe and of `tasksId` when given, written
//! to an Ion file in internal storage; outputs `uri` and `size` (the number of lines).
//!
//! Kestra: <https://kestra.io/plugins/core/log/io.kestra.plugin.core.log.fetch>

use crate::catalog::TaskType;
use crate::catalog::core::storage::{scratch, stored_one};
use crate::props::StoredIds;
use crate::{Call, Plan, PlanContext, TaskError};
use serde_json::{Value, json};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, LOG_LEVELS, TypeSpec, opt};

/// The Fetch task.
pub static FETCH: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.log.Fetch",
        &["io.kestra.core.tasks.log.Fetch", "core.log.Fetch", "log.Fetch"],
        &[
            opt(
                "executionId",
                Kind::String,
                "The execution whose logs to fetch (default: this one).",
            ),
            opt(
                "namespace",
                Kind::String,
                "The namespace that execution must belong to.",
            ),
            opt("flowId", Kind::String, "The flow that execution must belong to."),
            opt(
                "level",
                Kind::Enum(LOG_LEVELS),
                "The least severe level fetched (default INFO).",
            ),
            opt("tasksId", Kind::StringList, "Only the lines of these tasks."),
        ],
        "Writes an execution's logs to a file in internal storage.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let target = super::super::execution::resume::Target::of(task, cx)?;
    let level = crate::props::text(task, cx, "level")?.unwrap_or_else(|| "INFO".into());
    let tasks: Vec<String> = match task.properties.get("tasksId") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let name = format!("{}.ion", task.id);
    let uri = StoredIds::of(cx).uri(&name);
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let fetched = async {
            target.check(&call).await?;
            let lines = call
                .executions
                .0
                .logs(&target.id, &level, &tasks)
                .await
                .map_err(|e| e.to_string())?;
            let mut text = String::new();
            for line in &lines {
                text.push_str(&sluice_flow::ion::write(&Value::Object(line.clone())));
                text.push('\n');
            }
            let path = scratch(&call, &name).await?;
            tokio::fs::write(&path, text)
                .await
                .map_err(|e| format!("cannot write the file: {e}"))?;
            Ok::<_, String>((path, lines.len()))
        };
        match fetched.await {
            Ok((path, size)) => {
                let mut done = stored_one(Ok(path), uri);
                done.outputs.insert("size".into(), json!(size));
                done
            }
            Err(reason) => stored_one(Err(reason), uri),
        }
    }))))
}
