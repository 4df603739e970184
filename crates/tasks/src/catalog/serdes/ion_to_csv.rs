//! `io.kestra.plugin.serdes.csv.IonToCsv`: the records of an Ion file written as CSV, the
//! header (with `header`) from the first record's names; a field holding the separator, the
//! text delimiter or a line break is quoted, or every text with `alwaysDelimitText`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-serdes/csv/io.kestra.plugin.serdes.csv.IonToCsv>

use super::{CHARSET, FROM, cell, conversion, one_byte};
use crate::catalog::TaskType;
use crate::catalog::core::storage::items::Records;
use crate::{Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt};
use tokio::io::AsyncWriteExt;

/// The IonToCsv task.
pub static ION_TO_CSV: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.serdes.csv.IonToCsv",
        &["io.kestra.plugin.serdes.csv.CsvWriter", "serdes.csv.IonToCsv"],
        &[
            FROM,
            CHARSET,
            opt("fieldSeparator", Kind::String, "What separates fields (default `,`)."),
            opt("textDelimiter", Kind::String, "What quotes a field (default `\"`)."),
            opt("header", Kind::Bool, "Write the names as the first row (default true)."),
            opt("lineDelimiter", Kind::String, "What ends a row (default a newline)."),
            opt(
                "alwaysDelimitText",
                Kind::Bool,
                "Quote every field (default false: only those that need it).",
            ),
            no_effect(
                "dateFormat",
                Kind::String,
                "How dates are written.",
                "dates are written as stored",
            ),
            no_effect(
                "timeFormat",
                Kind::String,
                "How times are written.",
                "times are written as stored",
            ),
            no_effect(
                "dateTimeFormat",
                Kind::String,
                "How date-times are written.",
                "date-times are written as stored",
            ),
            no_effect(
                "timeZoneId",
                Kind::String,
                "The zone of date-times without one.",
                "date-times are written as stored",
            ),
        ],
        "Converts an Ion file to a CSV file.",
    ),
    plan: Some(plan),
};

/// How the CSV is written.
#[derive(Debug, Clone)]
struct Format {
    separator: u8,
    quote: u8,
    header: bool,
    line_end: String,
    always_quote: bool,
}

impl Format {
    /// One field, quoted when it must be (or always).
    fn field(&self, text: &str) -> String {
        let (sep, quote) = (self.separator as char, self.quote as char);
        if self.always_quote || text.contains([sep, quote, '\n', '\r']) {
            let doubled = text.replace(quote, &format!("{quote}{quote}"));
            format!("{quote}{doubled}{quote}")
        } else {
            text.to_string()
        }
    }

    /// One row of fields.
    fn row<'a>(&self, fields: impl Iterator<Item = &'a str>) -> String {
        let mut line: Vec<String> = Vec::new();
        for f in fields {
            line.push(self.field(f));
        }
        let mut out = line.join(&(self.separator as char).to_string());
        out.push_str(&self.line_end);
        out
    }
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let format = Format {
        separator: one_byte(task, cx, "fieldSeparator", b',')?,
        quote: one_byte(task, cx, "textDelimiter", b'"')?,
        header: crate::props::flag(task, "header", true),
        line_end: crate::props::text(task, cx, "lineDelimiter")?
            .map(|l| l.replace("\\n", "\n").replace("\\r", "\r"))
            .unwrap_or_else(|| "\n".into()),
        always_quote: crate::props::flag(task, "alwaysDelimitText", false),
    };
    conversion(
        task,
        cx,
        ".csv",
        Box::new(move |source, target| Box::pin(async move { convert(&source, &target, &format).await })),
    )
}

async fn convert(source: &std::path::Path, target: &std::path::Path, format: &Format) -> Result<u64, String> {
    let mut records = Records::open(source).await?;
    let file = tokio::fs::File::create(target)
        .await
        .map_err(|e| format!("cannot write the result: {e}"))?;
    let mut out = tokio::io::BufWriter::new(file);
    let mut names: Option<Vec<String>> = None;
    let mut count = 0u64;
    while let Some(record) = records.next().await? {
        let line = match &record {
            Value::Object(map) => {
                let names = names.get_or_insert_with(|| map.keys().cloned().collect());
                let mut line = String::new();
                if count == 0 && format.header {
                    line.push_str(&format.row(names.iter().map(String::as_str)));
                }
                let cells: Vec<String> = names.iter().map(|n| cell(map.get(n).unwrap_or(&Value::Null))).collect();
                line.push_str(&format.row(cells.iter().map(String::as_str)));
                line
            }
            Value::Array(items) => {
                let cells: Vec<String> = items.iter().map(cell).collect();
                format.row(cells.iter().map(String::as_str))
            }
            other => format.row(std::iter::once(cell(other).as_str())),
        };
        out.write_all(line.as_bytes())
            .await
            .map_err(|e| format!("cannot write the result: {e}"))?;
        count += 1;
    }
    out.flush().await.map_err(|e| format!("cannot write the result: {e}"))?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let format = Format {
            separator: b',',
            quote: b'"',
            header: true,
            line_end: "\n".into(),
            always_quote: false,
        };
        assert_eq!(
            format.row(["a", "b,c", "say \"hi\""].into_iter()),
            "a,\"b,c\",\"say \"\"hi\"\"\"\n"
        );
    }
}
