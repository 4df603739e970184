//! `io.kestra.plugin.core.flow.ForEachItem`: the lines of a stored file (`items`) cut into
//! batches (`batch.rows`, default 1; or `batch.bytes`; or `batch.partitions`), each batch
//! stored as a file and handed to one execution of the subflow, whose `inputs` read it as
//! `{{ taskrun.items }}` and its number as `{{ taskrun.iteration }}` (from 1). With `wait` (the
//! default) the task ends once every child ended, and fails when one failed unless
//! `transmitFailed` is false. Outputs: `numberOfBatches`, `iterations` (children per state) and
//! `uri` (also `subflowOutputs`): an Ion file with each child's flow outputs, one per line.
//!
//! The worker does the work, as for Subflow: child ids derive from the task run, attempt and
//! batch, so a worker that takes over finds the children already started.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.ForEachItem>

use super::subflow::{self, Batch, Items};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use serde_json::{Map, Value};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, TypeSpec, opt, req};

/// What `batch` holds.
const BATCH: &[Prop] = &[
    opt("rows", Kind::Int, "Lines per batch (default 1)."),
    opt(
        "bytes",
        Kind::String,
        "Most bytes per batch, such as `10MB` (whole lines; instead of `rows`).",
    ),
    opt(
        "partitions",
        Kind::Int,
        "This many batches of about equal lines (instead of `rows`).",
    ),
    opt("separator", Kind::String, "What ends a line (default a newline)."),
];

/// The ForEachItem task.
pub static FOR_EACH_ITEM: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.ForEachItem",
        &[
            "io.kestra.core.tasks.flows.ForEachItem",
            "core.flow.ForEachItem",
            "flow.ForEachItem",
            "ForEachItem",
        ],
        &[
            req(
                "items",
                Kind::String,
                "The kestra:// address of the file whose lines are the items.",
            ),
            opt("batch", Kind::Object(BATCH), "How the lines are cut into batches."),
            req("namespace", Kind::String, "Namespace of the flow to run per batch."),
            req("flowId", Kind::String, "Id of the flow to run per batch."),
            opt(
                "inputs",
                Kind::Map,
                "Inputs of each child; `{{ taskrun.items }}` is its batch file, `{{ taskrun.iteration }}` its number.",
            ),
            subflow::LABELS,
            opt("wait", Kind::Bool, "Wait for every child to end (default true)."),
            subflow::TRANSMIT_FAILED,
            subflow::INHERIT_LABELS,
            subflow::REVISION,
            subflow::RESTART_BEHAVIOR,
            subflow::SCHEDULE_DATE,
        ],
        "Runs a subflow once for each batch of lines of a stored file.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let invalid = |message: String| TaskError::Invalid {
        task: task.id.clone(),
        message,
    };
    let uri = crate::props::text(task, cx, "items")?
        .map(|u| u.trim().to_string())
        .unwrap_or_default();
    if !sluice_flow::storage::is_storage_uri(&uri) {
        return Err(invalid(format!(
            "`items` is `{uri}`, which is no kestra:// address; give a stored file, such as `{{{{ outputs.extract.uri }}}}` or a FILE input"
        )));
    }
    let batch = task.properties.get("batch").cloned().unwrap_or(Value::Null);
    let number = |key: &str| -> Result<Option<u64>, TaskError> {
        match batch.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|n| *n >= 1)
                .map(Some)
                .ok_or_else(|| invalid(format!("`batch.{key}` must be a whole number of 1 or more, not {v}"))),
        }
    };
    let split = match (number("partitions")?, batch.get("bytes")) {
        (Some(n), _) => Batch::Partitions(n),
        (None, Some(bytes)) => Batch::Bytes(parse_size(bytes).map_err(invalid)?),
        (None, None) => Batch::Rows(number("rows")?.unwrap_or(1)),
    };
    let separator = batch
        .get("separator")
        .and_then(Value::as_str)
        .map(|s| s.replace("\\n", "\n"))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "\n".into());
    let raw_inputs = match task.properties.get("inputs") {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    };
    let mut call = subflow::call(task, cx, false)?;
    call.items = Some(Items {
        uri,
        batch: split,
        separator,
        raw_inputs,
    });
    Ok(Plan::Subflow(Box::new(call)))
}

/// A size such as `10MB`, `200KB` or `4096` (bytes), as Kestra's `batch.bytes` reads it.
fn parse_size(value: &Value) -> Result<u64, String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_ascii_uppercase(),
        other => return Err(format!("`batch.bytes` must be a size such as `10MB`, not {other}")),
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "KB" => 1024,
        "MB" => 1024 * 1024,
        "GB" => 1024 * 1024 * 1024,
        other => return Err(format!("`batch.bytes`: unknown unit `{other}`; write B, KB, MB or GB")),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("`batch.bytes` must be a size of 1 byte or more, such as `10MB`, not `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;
    use serde_json::json;

    #[test]
    fn sizes_read_as_kestra_writes_them() {
        assert_eq!(parse_size(&json!("10MB")), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size(&json!("200kb")), Ok(200 * 1024));
        assert_eq!(parse_size(&json!(4096)), Ok(4096));
        assert!(parse_size(&json!("10 parsecs")).unwrap_err().contains("unknown unit"));
        assert!(parse_size(&json!("0")).is_err());
    }
}
