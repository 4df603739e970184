//! `/ui/executions/{id}/file?path=kestra:///…`: a preview of a stored file of the execution —
//! CSV as a table, JSON pretty-printed, Ion and JSON lines one row per record, images shown,
//! other text as text — from its first bytes only, with a link to download it whole.
//!
//! Kestra: <https://kestra.io/docs/ui/executions> (the outputs tab's file preview).

use super::error::UiError;
use super::format;
use super::render::{self, Nav};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use futures_util::StreamExt;
use serde::Serialize;
use std::collections::HashMap;

/// Bytes of a file a preview reads.
const PREVIEW_BYTES: usize = 512 * 1024;

/// Rows of a table a preview shows.
const PREVIEW_ROWS: usize = 1000;

/// A stored file named in a task run's outputs, with its links.
#[derive(Debug, Serialize)]
pub(crate) struct FileLink {
    name: String,
    preview: String,
    download: String,
}

/// Every `kestra://` address in `value`, with its links.
pub(crate) fn links(execution_id: &str, value: &serde_json::Value, out: &mut Vec<FileLink>) {
    match value {
        serde_json::Value::String(s) if sluice_flow::storage::is_storage_uri(s) => {
            let id = format::encode(execution_id);
            let path = format::encode(s.trim());
            out.push(FileLink {
                name: s.rsplit('/').next().unwrap_or(s).to_string(),
                preview: format!("/ui/executions/{id}/file?path={path}"),
                download: format!("/api/v1/executions/{id}/file?path={path}"),
            });
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| links(execution_id, v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| links(execution_id, v, out)),
        _ => {}
    }
}

/// How a file is shown.
#[derive(Debug, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Preview {
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Lines {
        lines: Vec<String>,
    },
    Text {
        text: String,
    },
    Image,
    Binary,
}

/// Splits a CSV record, with quoted fields (`"a,b"`, `""` for a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// The preview of a file named `name` whose first bytes are `head`.
fn preview(name: &str, head: &[u8], truncated: bool) -> Preview {
    let ext = name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    if matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp") {
        return Preview::Image;
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t.to_string(),
        // A cut in the middle of a character at the end of a truncated read.
        Err(e) if truncated && e.valid_up_to() + 4 >= head.len() => {
            String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned()
        }
        Err(_) => return Preview::Binary,
    };
    let mut lines: Vec<&str> = text.lines().collect();
    if truncated {
        lines.pop();
    }
    match ext.as_str() {
        "csv" if !lines.is_empty() => Preview::Table {
            header: csv_fields(lines[0]),
            rows: lines[1..].iter().take(PREVIEW_ROWS).map(|l| csv_fields(l)).collect(),
        },
        "json" if !truncated => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) => Preview::Text {
                text: serde_json::to_string_pretty(&v).unwrap_or(text),
            },
            Err(_) => Preview::Text { text },
        },
        "ion" | "jsonl" | "ndjson" => Preview::Lines {
            lines: lines.iter().take(PREVIEW_ROWS).map(|l| l.to_string()).collect(),
        },
        _ => Preview::Text { text },
    }
}

/// `GET /ui/executions/{id}/file?path=…`.
pub(crate) async fn show(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Html<String>, UiError> {
    let uri = query.get("path").map(|p| p.trim().to_string()).unwrap_or_default();
    let own = format!("/executions/{id}/");
    if !sluice_flow::storage::is_storage_uri(&uri) || !uri.contains(&own) || uri.contains("/../") {
        return Err(UiError::NotFound(format!("A stored file “{uri}” of execution “{id}”")));
    }
    app.store
        .get_execution(&id)
        .await?
        .ok_or_else(|| UiError::NotFound(format!("Execution “{id}”")))?;
    let (size, mut stream) = app
        .storage
        .get(&uri)
        .await
        .map_err(|_| UiError::NotFound(format!("The stored file “{uri}”")))?;
    let mut head = Vec::new();
    while head.len() < PREVIEW_BYTES {
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(e)) => {
                tracing::warn!("reading {uri} for a preview: {e}");
                break;
            }
            None => break,
        }
    }
    let truncated = (head.len() as u64) < size || head.len() > PREVIEW_BYTES;
    head.truncate(PREVIEW_BYTES);
    let name = uri.rsplit('/').next().unwrap_or_default().to_string();
    let shown = preview(&name, &head, truncated);
    let encoded = format::encode(&uri);
    let ctx = minijinja::context! {
        name => name.clone(),
        uri => uri.clone(),
        size => size,
        truncated => truncated,
        preview => render::ser(&shown),
        execution_href => format::execution_href(&id),
        id => id.clone(),
        download => format!("/api/v1/executions/{}/file?path={encoded}", format::encode(&id)),
    };
    Ok(render::page(&name, Nav::Executions, "file.html", ctx)?)
}

#[cfg(test)]
mod tests {
    use super::{Preview, csv_fields, preview};

    #[test]
    fn files_are_shown_by_their_kind() {
        assert_eq!(csv_fields(r#"a,"b,c","say ""hi""",d"#), ["a", "b,c", "say \"hi\"", "d"]);
        let Preview::Table { header, rows } = preview("x.csv", b"id,name\n1,ada\n2,bob\n", false) else {
            panic!("not a table")
        };
        assert_eq!((header.len(), rows.len()), (2, 2));
        assert_eq!(preview("x.png", b"\x89PNG", false), Preview::Image);
        assert_eq!(preview("x.bin", &[0xff, 0xfe, 0x00, 0x01], false), Preview::Binary);
        assert!(matches!(preview("x.json", b"{\"a\":1}", false), Preview::Text { text } if text.contains("\n")));
        let Preview::Lines { lines } = preview("x.ion", b"{a:1}\n{a:2}\n{a:", true) else {
            panic!("not lines")
        };
        assert_eq!(lines, ["{a:1}", "{a:2}"], "the cut last record is left out");
    }
}
