//! Flows as the API shows them: Kestra's flow JSON (the YAML itself as JSON, with `revision`,
//! `deleted` and, when asked, `source`), and validator diagnostics as 422 details that name the
//! place in the document (`tasks[0].type`) as well as its line and column.

use super::error::Detail;
use serde_json::{Map, Value, json};
use sluice_flow::yaml::{self, Node, Value as Yaml};
use sluice_flow::{Diagnostic, Pos};
use sluice_store::FlowRecord;

/// The JSON of a stored flow revision.
pub fn flow_json(record: &FlowRecord, with_source: bool) -> Value {
    let mut object = match yaml::parse(&record.source).map(|root| root.to_json()) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    };
    // Kestra lists labels as `{key, value}` pairs; a flow may write them as a mapping.
    if let Some(Value::Object(labels)) = object.get("labels") {
        let pairs: Vec<Value> = labels
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                json!({ "key": k, "value": value })
            })
            .collect();
        object.insert("labels".into(), Value::Array(pairs));
    }
    object.insert("id".into(), json!(record.id));
    object.insert("namespace".into(), json!(record.namespace));
    object.insert("revision".into(), json!(record.revision));
    object.insert("updated".into(), json!(record.created));
    object.insert("deleted".into(), json!(false));
    object.entry("disabled").or_insert(json!(false));
    if with_source {
        object.insert("source".into(), json!(record.source));
    }
    Value::Object(object)
}

/// Details of every diagnostic of `source`, each with its path when the YAML can be read.
pub fn details(source: &str, diagnostics: &[Diagnostic]) -> Vec<Detail> {
    let root = yaml::parse(source).ok();
    diagnostics
        .iter()
        .map(|d| Detail::from_diagnostic(d, root.as_ref().and_then(|r| path_at(r, d.pos))))
        .collect()
}

/// The path of the node at `pos`: the node starting exactly there, else the last node starting
/// before it (the one the position is inside of). `None` for the document itself.
pub fn path_at(root: &Node, pos: Pos) -> Option<String> {
    let mut best: Option<(Pos, String)> = None;
    visit(root, &mut String::new(), pos, &mut best);
    best.map(|(_, path)| path).filter(|p| !p.is_empty())
}

/// Walks the tree in document order, keeping the last node that starts at or before `target`.
fn visit(node: &Node, path: &mut String, target: Pos, best: &mut Option<(Pos, String)>) {
    if node.pos > target {
        return;
    }
    if best.as_ref().is_none_or(|(p, _)| node.pos >= *p) {
        *best = Some((node.pos, path.clone()));
    }
    let len = path.len();
    match &node.value {
        Yaml::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                visit(item, path, target, best);
                path.truncate(len);
            }
        }
        Yaml::Map(entries) => {
            for (key, value) in entries {
                let name = key.scalar_text().unwrap_or_default();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&name);
                if key.pos <= target && best.as_ref().is_none_or(|(p, _)| key.pos >= *p) {
                    *best = Some((key.pos, path.clone()));
                }
                visit(value, path, target, best);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// The documents of a multi-document YAML text (`---` lines), each with the line it starts on,
/// so each flow of a file can be validated and its positions reported in the whole file.
pub fn documents(source: &str) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    let mut current = String::new();
    let mut start = 1u32;
    let mut seen_content = false;
    for (i, line) in source.split_inclusive('\n').enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare.starts_with("--- ") {
            if seen_content {
                out.push((start, std::mem::take(&mut current)));
            }
            current.clear();
            seen_content = false;
            start = number.saturating_add(1);
            continue;
        }
        if !bare.trim().is_empty() && !bare.trim_start().starts_with('#') {
            seen_content = true;
        }
        current.push_str(line);
    }
    if seen_content || out.is_empty() {
        out.push((start, current));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_keys_and_items() {
        let root = yaml::parse("id: a\ntasks:\n  - id: t\n    type: x\n    bad: 1\n").unwrap();
        assert_eq!(path_at(&root, Pos::new(1, 1)).as_deref(), Some("id"));
        assert_eq!(path_at(&root, Pos::new(3, 5)).as_deref(), Some("tasks[0].id"));
        assert_eq!(path_at(&root, Pos::new(5, 5)).as_deref(), Some("tasks[0].bad"));
        assert_eq!(path_at(&root, Pos::new(4, 11)).as_deref(), Some("tasks[0].type"));
    }

    #[test]
    fn documents_split_on_separator_lines() {
        let docs = documents("id: a\n---\nid: b\n");
        assert_eq!(docs, vec![(1, "id: a\n".to_string()), (3, "id: b\n".to_string())]);
        assert_eq!(documents("---\nid: a\n"), vec![(2, "id: a\n".to_string())]);
    }
}
