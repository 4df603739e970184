//! Kestra's `serdes` plugin: conversions between CSV, JSON and Ion, the record files Kestra's
//! tasks pass each other. Each reads the stored file `from` through a local copy the worker
//! makes and stores the converted file, whose address is the output `uri`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-serdes>

pub mod csv_to_ion;
pub mod ion_to_csv;
pub mod ion_to_json;
pub mod json_to_ion;

use crate::catalog::core::storage::{scratch, stored_one};
use crate::props::StoredIds;
use crate::{Call, CallContext, Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, opt, req};
use std::path::{Path, PathBuf};

/// `from`: the file converted.
const FROM: Prop = req("from", Kind::String, "The kestra:// address of the file to convert.");

/// `charset`: only UTF-8 is read as text.
const CHARSET: Prop = opt(
    "charset",
    Kind::String,
    "The file's character set (default UTF-8, the only one read).",
);

/// A one-character property (`fieldSeparator`, `textDelimiter`) as a byte, or `default`.
fn one_byte(task: &Task, cx: &PlanContext<'_>, key: &str, default: u8) -> Result<u8, TaskError> {
    match crate::props::text(task, cx, key)? {
        None => Ok(default),
        Some(text) => match text.replace("\\t", "\t").as_bytes() {
            [b] => Ok(*b),
            _ => Err(TaskError::Invalid {
                task: task.id.clone(),
                message: format!("`{key}` must be one character, such as `,` or `;`, not `{text}`"),
            }),
        },
    }
}

/// The `charset` given must be UTF-8 (Kestra's default): other encodings are refused rather
/// than read wrong.
fn check_charset(task: &Task, cx: &PlanContext<'_>) -> Result<(), TaskError> {
    match crate::props::text(task, cx, "charset")? {
        Some(c) if !c.eq_ignore_ascii_case("UTF-8") && !c.eq_ignore_ascii_case("UTF8") => Err(TaskError::Invalid {
            task: task.id.clone(),
            message: format!("`charset` {c} is not supported yet; convert the file to UTF-8 first"),
        }),
        _ => Ok(()),
    }
}

/// How a conversion turns the local copy of `from` into the file at the second path; it
/// answers how many records it wrote.
type Convert =
    Box<dyn FnOnce(PathBuf, PathBuf) -> futures_util::future::BoxFuture<'static, Result<u64, String>> + Send>;

/// The call of a conversion of `from` into a new stored file ending in `extension`.
fn conversion(task: &Task, cx: &PlanContext<'_>, extension: &str, convert: Convert) -> Result<Plan, TaskError> {
    check_charset(task, cx)?;
    let from = crate::props::text(task, cx, "from")?
        .map(|u| u.trim().to_string())
        .filter(|u| sluice_flow::storage::is_storage_uri(u))
        .ok_or_else(|| TaskError::Invalid {
            task: task.id.clone(),
            message: "`from` must be a file's kestra:// address, such as `{{ outputs.download.uri }}`".into(),
        })?;
    let name = format!("{}{extension}", task.id);
    let uri = StoredIds::of(cx).uri(&name);
    let timeout = crate::props::timeout(task, cx)?;
    let reads = vec![from.clone()];
    let mut call = Call::new(timeout, move |call: CallContext| async move {
        let made = async {
            let source = call
                .files
                .get(&from)
                .cloned()
                .ok_or_else(|| format!("{from} was not handed to the task"))?;
            let target = scratch(&call, &name).await?;
            let count = convert(source, target.clone()).await?;
            Ok::<_, String>((target, count))
        };
        match made.await {
            Ok((path, count)) => {
                let mut done = stored_one(Ok(path), uri);
                done.logs.push(("INFO".into(), format!("converted {count} records")));
                done
            }
            Err(reason) => stored_one(Err(format!("{reason} (in {from})")), uri),
        }
    });
    call.reads = reads;
    Ok(Plan::Call(Box::new(call)))
}

/// Opens `path` for writing, in a buffer.
fn create(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, String> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|e| format!("cannot write the result: {e}"))
}

/// A record as text in a CSV cell or a JSON line: strings as they are, other values as JSON.
fn cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
