//! `io.kestra.plugin.jdbc.postgresql.CopyOut`: a table (or the rows of `sql`) written to a
//! stored file with PostgreSQL's `COPY … TO STDOUT`, in its `format`; outputs `uri` and
//! `rowCount`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-jdbc-postgres/io.kestra.plugin.jdbc.postgresql.CopyOut>

use super::super::{Connection, PASSWORD, URL, USERNAME};
use super::copy_in::{
    COLUMNS, DELIMITER, ENCODING, ESCAPE, FORMAT, HEADER, NULL_STRING, OIDS, QUOTE, TABLE, target, with_options,
};
use crate::catalog::TaskType;
use crate::catalog::core::storage::scratch;
use crate::props::StoredIds;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use futures_util::TryStreamExt;
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt};
use tokio::io::AsyncWriteExt;

/// The CopyOut task.
pub static COPY_OUT: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.jdbc.postgresql.CopyOut",
        &["jdbc.postgresql.CopyOut"],
        &[
            URL,
            USERNAME,
            PASSWORD,
            TABLE,
            COLUMNS,
            opt(
                "sql",
                Kind::String,
                "A query whose rows are written (instead of `table`).",
            ),
            opt("forceQuote", Kind::StringList, "CSV: columns always quoted."),
            FORMAT,
            HEADER,
            DELIMITER,
            NULL_STRING,
            QUOTE,
            ESCAPE,
            ENCODING,
            OIDS,
        ],
        "Writes a PostgreSQL table or query to a file with COPY.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let connection = Connection::of(task, cx, "postgresql")?;
    let source = match (
        crate::props::text(task, cx, "sql")?.filter(|s| !s.trim().is_empty()),
        target(task, cx)?,
    ) {
        (Some(sql), _) => format!("({})", sql.trim().trim_end_matches(';')),
        (None, Some(table)) => table,
        (None, None) => {
            return Err(TaskError::Invalid {
                task: task.id.clone(),
                message: "give `table` or `sql`: what to copy out".into(),
            });
        }
    };
    let statement = format!(
        "COPY {source} TO STDOUT WITH ({})",
        with_options(task, cx, &[("forceQuote", "FORCE_QUOTE")])?
    );
    let extension = match task.properties.get("format").and_then(Value::as_str) {
        Some("CSV") => ".csv",
        Some("BINARY") => ".bin",
        _ => ".tsv",
    };
    let name = format!("{}{extension}", task.id);
    let uri = StoredIds::of(cx).uri(&name);
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let written = async {
            let path = scratch(&call, &name).await?;
            let file = tokio::fs::File::create(&path)
                .await
                .map_err(|e| format!("cannot write the file: {e}"))?;
            let mut out = tokio::io::BufWriter::new(file);
            let mut conn = super::connect(&connection).await?;
            let mut stream = conn
                .copy_out_raw(&statement)
                .await
                .map_err(|e| format!("`{statement}` failed: {e}"))?;
            let mut lines = 0u64;
            while let Some(chunk) = stream
                .try_next()
                .await
                .map_err(|e| format!("copying out failed: {e}"))?
            {
                lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
                out.write_all(&chunk)
                    .await
                    .map_err(|e| format!("cannot write the file: {e}"))?;
            }
            out.flush().await.map_err(|e| format!("cannot write the file: {e}"))?;
            Ok::<_, String>((path, lines))
        };
        match written.await {
            Ok((path, lines)) => {
                let mut done = Finished::default();
                done.outputs.insert("uri".into(), Value::String(uri.clone()));
                done.outputs.insert("rowCount".into(), Value::from(lines));
                done.stored.push((uri, path));
                done
            }
            Err(reason) => Finished::failed(reason),
        }
    }))))
}
