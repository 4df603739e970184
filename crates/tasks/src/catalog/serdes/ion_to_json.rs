//! `io.kestra.plugin.serdes.json.IonToJson`: Ion records as JSON; with `newLine` (the default)
//! one JSON value per line, else one JSON array of every record.
//!
//! Kestra: <https://kestra.io/plugins/plugin-serdes/json/io.kestra.plugin.serdes.json.IonToJson>

use super::{CHARSET, FROM, conversion};
use crate::catalog::TaskType;
use crate::catalog::core::storage::items::Records;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt};
use tokio::io::AsyncWriteExt;

/// The IonToJson task.
pub static ION_TO_JSON: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.serdes.json.IonToJson",
        &["io.kestra.plugin.serdes.json.JsonWriter", "serdes.json.IonToJson"],
        &[
            FROM,
            CHARSET,
            opt(
                "newLine",
                Kind::Bool,
                "One JSON value per line (default true); false: one JSON array.",
            ),
            no_effect(
                "timeZoneId",
                Kind::String,
                "The zone of date-times without one.",
                "date-times are written as stored",
            ),
        ],
        "Converts an Ion file to a JSON file.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let lines = crate::props::flag(task, "newLine", true);
    conversion(
        task,
        cx,
        ".json",
        Box::new(move |source, target| Box::pin(async move { convert(&source, &target, lines).await })),
    )
}

async fn convert(source: &std::path::Path, target: &std::path::Path, lines: bool) -> Result<u64, String> {
    let mut records = Records::open(source).await?;
    let file = tokio::fs::File::create(target)
        .await
        .map_err(|e| format!("cannot write the result: {e}"))?;
    let mut out = tokio::io::BufWriter::new(file);
    let write_err = |e: std::io::Error| format!("cannot write the result: {e}");
    let mut count = 0u64;
    if !lines {
        out.write_all(b"[").await.map_err(write_err)?;
    }
    while let Some(record) = records.next().await? {
        let text = record.to_string();
        let piece = match (lines, count) {
            (true, _) => format!("{text}\n"),
            (false, 0) => text,
            (false, _) => format!(",{text}"),
        };
        out.write_all(piece.as_bytes()).await.map_err(write_err)?;
        count += 1;
    }
    if !lines {
        out.write_all(b"]").await.map_err(write_err)?;
    }
    out.flush().await.map_err(write_err)?;
    Ok(count)
}
