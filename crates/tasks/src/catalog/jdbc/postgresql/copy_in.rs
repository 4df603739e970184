//! `io.kestra.plugin.jdbc.postgresql.CopyIn`: a stored file loaded into `table` with
//! PostgreSQL's `COPY … FROM STDIN`, in its `format` (TEXT, CSV or BINARY) and options; the
//! output `rowCount` is the number of rows loaded.
//!
//! Kestra: <https://kestra.io/plugins/plugin-jdbc-postgres/io.kestra.plugin.jdbc.postgresql.CopyIn>

use super::super::{Connection, PASSWORD, URL, USERNAME};
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, TypeSpec, opt, req};
use tokio::io::AsyncReadExt;

/// The options `COPY` takes, shared with CopyOut.
pub(super) const FORMAT: Prop = opt(
    "format",
    Kind::Enum(&["TEXT", "CSV", "BINARY"]),
    "The data's format (default TEXT).",
);
pub(super) const HEADER: Prop = opt("header", Kind::Bool, "CSV: the first line names the columns.");
pub(super) const DELIMITER: Prop = opt(
    "delimiter",
    Kind::String,
    "What separates columns (TEXT: a tab, CSV: `,`).",
);
pub(super) const NULL_STRING: Prop = opt("nullString", Kind::String, "The text that stands for NULL.");
pub(super) const QUOTE: Prop = opt("quote", Kind::String, "CSV: the quoting character (default `\"`).");
pub(super) const ESCAPE: Prop = opt(
    "escape",
    Kind::String,
    "CSV: the escaping character (default the quote).",
);
pub(super) const ENCODING: Prop = opt(
    "encoding",
    Kind::String,
    "The data's encoding (default the client's, UTF-8).",
);
pub(super) const OIDS: Prop = opt(
    "oids",
    Kind::Bool,
    "Not supported by PostgreSQL 12 or later; refused there.",
);

/// `table` and `columns`.
pub(super) const TABLE: Prop = opt("table", Kind::String, "The table, as SQL names it (`schema.table`).");
pub(super) const COLUMNS: Prop = opt("columns", Kind::StringList, "Only these columns, in this order.");

/// The CopyIn task.
pub static COPY_IN: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.jdbc.postgresql.CopyIn",
        &["jdbc.postgresql.CopyIn"],
        &[
            URL,
            USERNAME,
            PASSWORD,
            req("from", Kind::String, "The kestra:// address of the file to load."),
            TABLE,
            COLUMNS,
            opt("freeze", Kind::Bool, "Load with rows already frozen (FREEZE)."),
            opt(
                "forceNotNull",
                Kind::StringList,
                "CSV: columns whose empty text is not NULL.",
            ),
            opt(
                "forceNull",
                Kind::StringList,
                "CSV: columns whose quoted empty text is NULL.",
            ),
            FORMAT,
            HEADER,
            DELIMITER,
            NULL_STRING,
            QUOTE,
            ESCAPE,
            ENCODING,
            OIDS,
        ],
        "Loads a file into a PostgreSQL table with COPY.",
    ),
    plan: Some(plan),
};

/// `COPY`'s `WITH (…)` options of `task`, rendered; `extra` adds the direction's own.
pub(super) fn with_options(task: &Task, cx: &PlanContext<'_>, extra: &[(&str, &str)]) -> Result<String, TaskError> {
    let mut options = Vec::new();
    let format = task.properties.get("format").and_then(Value::as_str).unwrap_or("TEXT");
    options.push(format!("FORMAT {format}"));
    let literal = |s: &str| format!("'{}'", s.replace('\'', "''"));
    for (key, sql) in [
        ("delimiter", "DELIMITER"),
        ("nullString", "NULL"),
        ("quote", "QUOTE"),
        ("escape", "ESCAPE"),
        ("encoding", "ENCODING"),
    ] {
        if let Some(value) = crate::props::text(task, cx, key)? {
            options.push(format!("{sql} {}", literal(&value)));
        }
    }
    for (key, sql) in [("header", "HEADER"), ("freeze", "FREEZE"), ("oids", "OIDS")] {
        if let Some(Value::Bool(on)) = task.properties.get(key) {
            options.push(format!("{sql} {on}"));
        }
    }
    for (key, sql) in extra {
        if let Some(Value::Array(columns)) = task.properties.get(*key) {
            let names: Vec<&str> = columns.iter().filter_map(Value::as_str).collect();
            if !names.is_empty() {
                options.push(format!("{sql} ({})", names.join(", ")));
            }
        }
    }
    Ok(options.join(", "))
}

/// `table (columns)` of `task`, rendered.
pub(super) fn target(task: &Task, cx: &PlanContext<'_>) -> Result<Option<String>, TaskError> {
    let Some(table) = crate::props::text(task, cx, "table")?.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    let columns: Vec<&str> = match task.properties.get("columns") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    Ok(Some(if columns.is_empty() {
        table
    } else {
        format!("{table} ({})", columns.join(", "))
    }))
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let connection = Connection::of(task, cx, "postgresql")?;
    let invalid = |message: &str| TaskError::Invalid {
        task: task.id.clone(),
        message: message.to_string(),
    };
    let from = crate::props::text(task, cx, "from")?
        .map(|u| u.trim().to_string())
        .filter(|u| sluice_flow::storage::is_storage_uri(u))
        .ok_or_else(|| invalid("`from` must be a file's kestra:// address"))?;
    let table = target(task, cx)?.ok_or_else(|| invalid("`table` is missing: name the table to load"))?;
    let statement = format!(
        "COPY {table} FROM STDIN WITH ({})",
        with_options(
            task,
            cx,
            &[("forceNotNull", "FORCE_NOT_NULL"), ("forceNull", "FORCE_NULL")]
        )?
    );
    let timeout = crate::props::timeout(task, cx)?;
    let reads = vec![from.clone()];
    let mut call = Call::new(timeout, move |call| async move {
        let loaded = async {
            let path = call
                .files
                .get(&from)
                .cloned()
                .ok_or_else(|| format!("{from} was not handed to the task"))?;
            let mut file = tokio::fs::File::open(&path)
                .await
                .map_err(|e| format!("cannot read {from}: {e}"))?;
            let mut conn = super::connect(&connection).await?;
            let mut copy = conn
                .copy_in_raw(&statement)
                .await
                .map_err(|e| format!("`{statement}` failed: {e}"))?;
            let mut buffer = vec![0u8; 1 << 20];
            loop {
                let n = match file.read(&mut buffer).await {
                    Ok(n) => n,
                    Err(e) => {
                        let _ = copy.abort("the file could not be read").await;
                        return Err(format!("cannot read {from}: {e}"));
                    }
                };
                if n == 0 {
                    break;
                }
                copy.send(&buffer[..n])
                    .await
                    .map_err(|e| format!("loading failed: {e}"))?;
            }
            copy.finish().await.map_err(|e| format!("loading failed: {e}"))
        };
        match loaded.await {
            Ok(rows) => {
                let mut done = Finished::default();
                done.outputs.insert("rowCount".into(), Value::from(rows));
                done.logs.push(("INFO".into(), format!("loaded {rows} rows")));
                done
            }
            Err(reason) => Finished::failed(reason),
        }
    });
    call.reads = reads;
    Ok(Plan::Call(Box::new(call)))
}
