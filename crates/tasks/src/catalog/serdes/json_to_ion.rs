//! `io.kestra.plugin.serdes.json.JsonToIon`: JSON as Ion records; with `newLine` (the
//! default) each line is one JSON value (JSON lines), else the file is one JSON document whose
//! array items (or the one object) are the records.
//!
//! Kestra: <https://kestra.io/plugins/plugin-serdes/json/io.kestra.plugin.serdes.json.JsonToIon>

use super::{CHARSET, FROM, conversion, create};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};
use std::io::{BufRead, Write};

/// The JsonToIon task.
pub static JSON_TO_ION: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.serdes.json.JsonToIon",
        &["io.kestra.plugin.serdes.json.JsonReader", "serdes.json.JsonToIon"],
        &[
            FROM,
            CHARSET,
            opt(
                "newLine",
                Kind::Bool,
                "One JSON value per line (default true); false: one JSON document.",
            ),
        ],
        "Converts a JSON file to an Ion file.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let lines = crate::props::flag(task, "newLine", true);
    conversion(
        task,
        cx,
        ".ion",
        Box::new(move |source, target| {
            Box::pin(async move {
                tokio::task::spawn_blocking(move || convert(&source, &target, lines))
                    .await
                    .map_err(|e| format!("the conversion stopped: {e}"))?
            })
        }),
    )
}

fn convert(source: &std::path::Path, target: &std::path::Path, lines: bool) -> Result<u64, String> {
    let file = std::fs::File::open(source).map_err(|e| format!("cannot read the file: {e}"))?;
    let mut out = create(target)?;
    let mut count = 0u64;
    let mut put = |value: &Value| {
        count += 1;
        writeln!(out, "{}", sluice_flow::ion::write(value)).map_err(|e| format!("cannot write the result: {e}"))
    };
    if lines {
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("cannot read the file: {e}"))?;
            if line.trim().is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(&line).map_err(|e| {
                format!(
                    "line {} is not JSON: {e}; set `newLine: false` for a file that is one JSON document",
                    n + 1
                )
            })?;
            put(&value)?;
        }
    } else {
        let value: Value = serde_json::from_reader(std::io::BufReader::new(file))
            .map_err(|e| format!("the file is not one JSON document: {e}; set `newLine: true` for JSON lines"))?;
        match value {
            Value::Array(items) => items.iter().try_for_each(&mut put)?,
            other => put(&other)?,
        }
    }
    out.flush().map_err(|e| format!("cannot write the result: {e}"))?;
    Ok(count)
}
