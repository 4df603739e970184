//! `io.kestra.plugin.core.storage.Split`: cuts a stored file into parts at record boundaries
//! (`separator`, a line by default) — of `rows` records, of at most `bytes` (`10MB`), or into
//! `partitions` parts of about equal size; the output `uris` lists the parts in order.
//!
//! Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.split>

use super::{address, invalid, local, scratch};
use crate::catalog::TaskType;
use crate::props::StoredIds;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};

/// The Split task.
pub static SPLIT: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.storage.Split",
        &["core.storage.Split", "storage.Split"],
        &[
            req("from", Kind::String, "The file's kestra:// address."),
            opt("rows", Kind::Int, "Records per part."),
            opt(
                "bytes",
                Kind::String,
                "Most bytes per part, such as `10MB` (a record is never cut).",
            ),
            opt("partitions", Kind::Int, "How many parts of about equal size."),
            opt("separator", Kind::String, "What ends a record (default a newline)."),
        ],
        "Splits a file of internal storage into parts.",
    ),
    plan: Some(plan),
};

/// Where a part ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cut {
    /// After this many records.
    Rows(usize),
    /// Before the part would pass this many bytes.
    Bytes(u64),
    /// Into this many parts.
    Partitions(u64),
}

/// The records of `content`, each with its separator (the last may have none).
pub(super) fn records<'a>(content: &'a [u8], separator: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while !separator.is_empty() && i + separator.len() <= content.len() {
        if &content[i..i + separator.len()] == separator {
            out.push(&content[start..i + separator.len()]);
            i += separator.len();
            start = i;
        } else {
            i += 1;
        }
    }
    if start < content.len() {
        out.push(&content[start..]);
    }
    out
}

/// The parts of `content`.
pub(super) fn parts(content: &[u8], separator: &[u8], cut: Cut) -> Vec<Vec<u8>> {
    let total = content.len();
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let (mut count, mut consumed) = (0usize, 0usize);
    for record in records(content, separator) {
        let full = !current.is_empty()
            && match cut {
                Cut::Rows(rows) => count >= rows.max(1),
                Cut::Bytes(limit) => (current.len() + record.len()) as u64 > limit.max(1),
                // Part `k` ends once the first k/n of the bytes are in, so there are n parts.
                Cut::Partitions(n) => {
                    let n = usize::try_from(n.max(1)).unwrap_or(usize::MAX);
                    out.len() + 1 < n && consumed >= (out.len() + 1) * total / n
                }
            };
        if full {
            out.push(std::mem::take(&mut current));
            count = 0;
        }
        current.extend_from_slice(record);
        count += 1;
        consumed += record.len();
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `10MB`, `512KB`, `1GB`, `100` (bytes).
fn byte_size(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_uppercase();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits.parse().ok()?;
    let factor = match unit.trim() {
        "" | "B" => 1,
        "KB" => 1024,
        "MB" => 1024 * 1024,
        "GB" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(factor)
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let from = address(task, cx, "from")?;
    let number = |key: &str| -> Result<Option<u64>, TaskError> {
        match crate::props::text(task, cx, key)? {
            None => Ok(None),
            Some(t) => t
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .map(Some)
                .ok_or_else(|| invalid(task, format!("`{key}` must be a whole number above 0, got `{t}`"))),
        }
    };
    let bytes = match crate::props::text(task, cx, "bytes")? {
        None => None,
        Some(t) => Some(byte_size(&t).filter(|n| *n > 0).ok_or_else(|| {
            invalid(
                task,
                format!("`bytes` is `{t}`; give a size such as `10MB`, `512KB` or `1000`"),
            )
        })?),
    };
    let cuts = [
        number("rows")?.map(|n| Cut::Rows(usize::try_from(n).unwrap_or(usize::MAX))),
        bytes.map(Cut::Bytes),
        number("partitions")?.map(Cut::Partitions),
    ];
    let mut given = cuts.into_iter().flatten();
    let (Some(cut), None) = (given.next(), given.next()) else {
        return Err(invalid(
            task,
            "give exactly one of `rows`, `bytes` or `partitions`".into(),
        ));
    };
    let separator = crate::props::text(task, cx, "separator")?.unwrap_or_else(|| "\n".into());
    let ids = StoredIds::of(cx);
    let task_id = task.id.clone();
    let timeout = crate::props::timeout(task, cx)?;
    let reads = vec![from.clone()];
    let mut call = Call::new(timeout, move |call| async move {
        let made = async {
            let content = tokio::fs::read(local(&call, &from)?)
                .await
                .map_err(|e| format!("cannot read {from}: {e}"))?;
            let mut stored = Vec::new();
            for (i, part) in parts(&content, separator.as_bytes(), cut).into_iter().enumerate() {
                let name = format!("{task_id}-{i}");
                let path = scratch(&call, &name).await?;
                tokio::fs::write(&path, part)
                    .await
                    .map_err(|e| format!("cannot write part {i}: {e}"))?;
                stored.push((ids.uri(&name), path));
            }
            Ok::<_, String>(stored)
        };
        match made.await {
            Ok(stored) => {
                let mut done = Finished::default();
                let uris: Vec<&String> = stored.iter().map(|(u, _)| u).collect();
                done.outputs.insert("uris".into(), json!(uris));
                done.stored = stored;
                done
            }
            Err(reason) => Finished::failed(reason),
        }
    });
    call.reads = reads;
    Ok(Plan::Call(Box::new(call)))
}

#[cfg(test)]
mod tests {
    use super::{Cut, byte_size, parts};

    #[test]
    fn parts_end_at_records() {
        let text = b"a\nbb\nccc\ndddd\n";
        let p = |cut| parts(text, b"\n", cut);
        assert_eq!(p(Cut::Rows(2)), [b"a\nbb\n".to_vec(), b"ccc\ndddd\n".to_vec()]);
        assert_eq!(
            p(Cut::Bytes(6)),
            [b"a\nbb\n".to_vec(), b"ccc\n".to_vec(), b"dddd\n".to_vec()]
        );
        assert_eq!(p(Cut::Partitions(2)), [b"a\nbb\nccc\n".to_vec(), b"dddd\n".to_vec()]);
        assert_eq!(p(Cut::Partitions(3)).len(), 3);
        assert_eq!(p(Cut::Partitions(2)).concat(), text.to_vec());
        assert_eq!(parts(b"x;y", b";", Cut::Rows(1)), [b"x;".to_vec(), b"y".to_vec()]);
        assert_eq!(super::super::reverse::reversed(b"1\n2\n3", b"\n"), b"3\n2\n1\n");
        assert_eq!(byte_size("10MB"), Some(10 * 1024 * 1024));
        assert_eq!(byte_size("12"), Some(12));
        assert_eq!(byte_size("ten"), None);
    }
}
