//! `io.kestra.plugin.serdes.csv.CsvToIon`: a CSV file read as records (with `header`, a
//! mapping of the header's names to the row's texts; without, a list of texts), written as Ion,
//! one record per line. Values stay text, as Kestra reads them.
//!
//! Kestra: <https://kestra.io/plugins/plugin-serdes/csv/io.kestra.plugin.serdes.csv.CsvToIon>

use super::{CHARSET, FROM, conversion, create, one_byte};
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use serde_json::{Map, Value};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt};
use std::io::Write;

/// The CsvToIon task.
pub static CSV_TO_ION: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.serdes.csv.CsvToIon",
        &["io.kestra.plugin.serdes.csv.CsvReader", "serdes.csv.CsvToIon"],
        &[
            FROM,
            CHARSET,
            opt("fieldSeparator", Kind::String, "What separates fields (default `,`)."),
            opt("textDelimiter", Kind::String, "What quotes a field (default `\"`)."),
            opt("header", Kind::Bool, "The first row names the fields (default true)."),
            opt("skipRows", Kind::Int, "Rows skipped at the start (default 0)."),
            opt("skipEmptyRows", Kind::Bool, "Empty rows are skipped (default false)."),
            opt(
                "errorOnDifferentFieldCount",
                Kind::Bool,
                "A row with another number of fields than the header fails the task (default false).",
            ),
            no_effect(
                "allowExtraCharsAfterClosingQuote",
                Kind::Bool,
                "Characters after a closing quote are kept.",
                "they are always kept",
            ),
            no_effect("maxBufferSize", Kind::Int, "Largest buffer.", "no limit"),
            no_effect("maxFieldSize", Kind::Int, "Largest field.", "no limit"),
            opt(
                "onBadLines",
                Kind::Enum(&["ERROR", "WARN", "SKIP"]),
                "What a row that cannot be read does (default ERROR).",
            ),
        ],
        "Converts a CSV file to an Ion file.",
    ),
    plan: Some(plan),
};

/// How the CSV is read.
#[derive(Debug, Clone, Copy)]
struct Options {
    separator: u8,
    quote: u8,
    header: bool,
    skip_rows: u64,
    skip_empty: bool,
    strict_count: bool,
    skip_bad: bool,
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let options = Options {
        separator: one_byte(task, cx, "fieldSeparator", b',')?,
        quote: one_byte(task, cx, "textDelimiter", b'"')?,
        header: crate::props::flag(task, "header", true),
        skip_rows: task.properties.get("skipRows").and_then(Value::as_u64).unwrap_or(0),
        skip_empty: crate::props::flag(task, "skipEmptyRows", false),
        strict_count: crate::props::flag(task, "errorOnDifferentFieldCount", false),
        skip_bad: task
            .properties
            .get("onBadLines")
            .and_then(Value::as_str)
            .is_some_and(|v| v != "ERROR"),
    };
    conversion(
        task,
        cx,
        ".ion",
        Box::new(move |source, target| {
            Box::pin(async move {
                tokio::task::spawn_blocking(move || convert(&source, &target, options))
                    .await
                    .map_err(|e| format!("the conversion stopped: {e}"))?
            })
        }),
    )
}

/// Reads the CSV at `source` and writes its records to `target`; how many.
fn convert(source: &std::path::Path, target: &std::path::Path, o: Options) -> Result<u64, String> {
    let mut out = create(target)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(o.separator)
        .quote(o.quote)
        .has_headers(false)
        .flexible(true)
        .from_path(source)
        .map_err(|e| format!("cannot read the CSV: {e}"))?;
    let mut header: Option<Vec<String>> = None;
    let mut count = 0u64;
    for (n, row) in reader.records().enumerate() {
        let row = match row {
            Ok(row) => row,
            Err(_) if o.skip_bad => continue,
            Err(e) => return Err(format!("row {} is not CSV: {e}", n + 1)),
        };
        if (n as u64) < o.skip_rows || (o.skip_empty && row.iter().all(str::is_empty)) {
            continue;
        }
        let fields: Vec<String> = row.iter().map(str::to_string).collect();
        let record = match &header {
            None if o.header => {
                header = Some(fields);
                continue;
            }
            None => Value::Array(fields.into_iter().map(Value::String).collect()),
            Some(names) => {
                if o.strict_count && names.len() != fields.len() {
                    return Err(format!(
                        "row {} has {} fields and the header {}; set `errorOnDifferentFieldCount: false` to accept it",
                        n + 1,
                        fields.len(),
                        names.len()
                    ));
                }
                let mut map = Map::new();
                for (i, value) in fields.into_iter().enumerate() {
                    let name = names.get(i).cloned().unwrap_or_else(|| format!("column{}", i + 1));
                    map.insert(name, Value::String(value));
                }
                Value::Object(map)
            }
        };
        writeln!(out, "{}", sluice_flow::ion::write(&record)).map_err(|e| format!("cannot write the result: {e}"))?;
        count += 1;
    }
    out.flush().map_err(|e| format!("cannot write the result: {e}"))?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_records_named_by_the_header() {
        let dir = std::env::temp_dir().join(format!("sluice-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (source, target) = (dir.join("in.csv"), dir.join("out.ion"));
        std::fs::write(&source, "id;name\n1;\"Smith; John\"\n\n2;\"say \"\"hi\"\"\"\n").unwrap();
        let options = Options {
            separator: b';',
            quote: b'"',
            header: true,
            skip_rows: 0,
            skip_empty: true,
            strict_count: false,
            skip_bad: false,
        };
        assert_eq!(convert(&source, &target, options).unwrap(), 2);
        let records = sluice_flow::ion::parse(&std::fs::read_to_string(&target).unwrap()).unwrap();
        assert_eq!(records[0]["name"], "Smith; John");
        assert_eq!(records[1]["name"], "say \"hi\"");
        assert_eq!(records[1]["id"], "2");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
