//! YAML read into a tree of nodes that remember where they came from.
//!
//! serde-based YAML readers forget positions; the validator needs a line and column for every
//! value, so we build our own small tree from the parser's marked events.

use crate::diagnostic::{Diagnostic, Pos};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

/// Most nodes an alias may copy in, so `a: &a [*a, *a, ...]` bombs cannot exhaust memory.
const MAX_ALIAS_NODES: usize = 100_000;
/// Deepest nesting accepted; deeper documents are refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// A YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value starts.
    pub pos: Pos,
    /// True for `|` and `>` block scalars, whose text starts on the line after `pos`.
    pub block: bool,
}

/// The YAML data model after the core schema resolved plain scalars.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Any other scalar, quoted or not.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order, keys as written (duplicates kept for the validator to report).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The node as a string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of a mapping node.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key` in a mapping node (the last one, if the key repeats).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.scalar_text().as_deref() == Some(key))
            .map(|(_, v)| v)
    }

    /// A scalar as text, as a user would read it (`5`, `true`, `PT5M`); `None` for collections.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some(String::new()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::String(s) => Some(s.clone()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// What kind of value this is, for messages like "expected a list, found a string".
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The node as JSON, the shape the engine and the API carry values in.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }

    fn count(&self) -> usize {
        match &self.value {
            Value::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            Value::Map(entries) => 1 + entries.iter().map(|(k, v)| k.count() + v.count()).sum::<usize>(),
            _ => 1,
        }
    }
}

/// Parses one YAML document. Several documents, syntax errors and alias bombs are diagnostics.
pub fn parse(source: &str) -> Result<Node, Diagnostic> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(source);
    if let Err(e) = parser.load(&mut builder, true) {
        return Err(scan_error(source, &e));
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    match builder.documents.len() {
        0 => Err(
            Diagnostic::error(Pos::new(1, 1), "empty-file", "the file holds no flow")
                .with_help("a flow needs at least `id`, `namespace` and `tasks`"),
        ),
        1 => Ok(builder.documents.remove(0)),
        n => Err(Diagnostic::error(
            builder.document_starts.get(1).copied().unwrap_or(Pos::new(1, 1)),
            "multiple-documents",
            format!("the file holds {n} YAML documents; a flow file holds exactly one"),
        )
        .with_help("put each flow in its own file, or remove the `---` separator")),
    }
}

fn to_pos(mark: &Marker) -> Pos {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Pos::new(clamp(mark.line().max(1)), clamp(mark.col()).saturating_add(1))
}

fn scan_error(source: &str, e: &ScanError) -> Diagnostic {
    let mut pos = to_pos(e.marker());
    let info = e.info();
    // A tab is often reported at the start of the scalar before it: point at the tab itself.
    let tab = source
        .lines()
        .enumerate()
        .skip((pos.line as usize).saturating_sub(1))
        .take(2)
        .find_map(|(i, l)| l.chars().position(|c| c == '\t').map(|c| (i, c)));
    let help = if let (true, Some((line, col))) = (info.contains("tab"), tab) {
        pos = Pos::new(
            u32::try_from(line + 1).unwrap_or(u32::MAX),
            u32::try_from(col + 1).unwrap_or(u32::MAX),
        );
        "YAML indents with spaces only: replace the tab characters on this line with spaces"
    } else if tab.is_some_and(|(line, _)| line + 1 == pos.line as usize) {
        "YAML indents with spaces only: replace the tab characters on this line with spaces"
    } else if info.contains("anchor") {
        "an alias `*name` must refer to an anchor `&name` defined earlier in the file"
    } else if info.contains("mapping values are not allowed") {
        "a value that contains `: ` must be quoted, e.g. `message: \"time: now\"`; or fix the indentation"
    } else if info.contains("did not find expected key") || info.contains("block") {
        "check the indentation: items of one list or mapping must start in the same column"
    } else {
        "check the quoting and indentation near this position"
    };
    Diagnostic::error(pos, "yaml-syntax", format!("invalid YAML: {info}")).with_help(help)
}

enum Frame {
    Seq(Node),
    Map(Node, Option<Node>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Frame, usize)>,
    anchors: HashMap<usize, Node>,
    documents: Vec<Node>,
    document_starts: Vec<Pos>,
    alias_nodes: usize,
    error: Option<Diagnostic>,
}

impl Builder {
    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some((Frame::Seq(seq), _)) => {
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Some((Frame::Map(map, key), _)) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Value::Map(entries) = &mut map.value {
                        entries.push((k, node));
                    }
                }
            },
        }
    }

    fn fail(&mut self, diagnostic: Diagnostic) {
        if self.error.is_none() {
            self.error = Some(diagnostic);
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = to_pos(&mark);
        match ev {
            Event::DocumentStart => self.document_starts.push(pos),
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == TScalarStyle::Plain && tag.is_none();
                let value = if plain {
                    resolve_plain(text)
                } else {
                    Value::String(text)
                };
                let block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
                // An empty value is marked at the next token; point at its key instead.
                let pos = match (&value, self.stack.last()) {
                    (Value::Null, Some((Frame::Map(_, Some(key)), _))) if plain => key.pos,
                    _ => pos,
                };
                self.push_value(Node { value, pos, block }, anchor);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(
                        Diagnostic::error(
                            pos,
                            "yaml-too-deep",
                            format!("YAML nested deeper than {MAX_DEPTH} levels"),
                        )
                        .with_help("flatten the structure"),
                    );
                }
                let frame = if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq(Node {
                        value: Value::Seq(Vec::new()),
                        pos,
                        block: false,
                    })
                } else {
                    Frame::Map(
                        Node {
                            value: Value::Map(Vec::new()),
                            pos,
                            block: false,
                        },
                        None,
                    )
                };
                self.stack.push((frame, anchor));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((frame, anchor)) = self.stack.pop() {
                    let mut node = match frame {
                        Frame::Seq(n) | Frame::Map(n, _) => n,
                    };
                    // The parser marks a block mapping after its first key; point at that key.
                    if let Value::Map(entries) = &node.value
                        && let Some((first, _)) = entries.first()
                    {
                        node.pos = node.pos.min(first.pos);
                    }
                    self.push_value(node, anchor);
                }
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => {
                    self.alias_nodes = self.alias_nodes.saturating_add(node.count());
                    if self.alias_nodes > MAX_ALIAS_NODES {
                        return self.fail(
                            Diagnostic::error(pos, "yaml-alias-bomb", "YAML aliases expand to too many values")
                                .with_help(format!("aliases may copy in at most {MAX_ALIAS_NODES} values in all")),
                        );
                    }
                    self.push_value(Node { pos, ..node }, 0);
                }
                None => self.fail(Diagnostic::error(pos, "yaml-syntax", "alias to an unknown anchor")),
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// YAML 1.2 core schema resolution of plain scalars (also `True`, `NULL` and friends).
fn resolve_plain(text: String) -> Value {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
        if let Some(hex) = text.strip_prefix("0x").and_then(|h| i64::from_str_radix(h, 16).ok()) {
            return Value::Int(hex);
        }
        if let Some(oct) = text.strip_prefix("0o").and_then(|o| i64::from_str_radix(o, 8).ok()) {
            return Value::Int(oct);
        }
        let looks_numeric = text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
        if looks_numeric
            && text.bytes().any(|b| b.is_ascii_digit())
            && let Ok(f) = text.parse::<f64>()
        {
            return Value::Float(f);
        }
    }
    Value::String(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let node = parse("id: a\ntasks:\n  - id: b\n    type: x\n").unwrap();
        assert_eq!(node.pos, Pos::new(1, 1));
        assert_eq!(node.get("id").unwrap().pos, Pos::new(1, 5));
        let task = &match &node.get("tasks").unwrap().value {
            Value::Seq(items) => items.clone(),
            _ => panic!("not a list"),
        }[0];
        assert_eq!(task.get("type").unwrap().pos, Pos::new(4, 11));
        let key = &task.as_map().unwrap()[1].0;
        assert_eq!(key.pos, Pos::new(4, 5));
    }

    #[test]
    fn resolves_core_schema_scalars() {
        let node = parse("a: 5\nb: '5'\nc: true\nd: ~\ne: 1.5\nf: PT5M\ng: 1e3\n").unwrap();
        assert_eq!(node.get("a").unwrap().value, Value::Int(5));
        assert_eq!(node.get("b").unwrap().value, Value::String("5".into()));
        assert_eq!(node.get("c").unwrap().value, Value::Bool(true));
        assert_eq!(node.get("d").unwrap().value, Value::Null);
        assert_eq!(node.get("e").unwrap().value, Value::Float(1.5));
        assert_eq!(node.get("f").unwrap().value, Value::String("PT5M".into()));
        assert_eq!(node.get("g").unwrap().value, Value::Float(1000.0));
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let err = parse("id: a\ntasks:\n\t- id: b\n").unwrap_err();
        assert_eq!(err.code, "yaml-syntax");
        assert_eq!(err.pos.line, 3);
        assert!(err.help.unwrap().contains("tab"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut src = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 { "a".to_string() } else { format!("a{}", i - 1) };
            src.push_str(&format!("a{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert_eq!(parse(&src).unwrap_err().code, "yaml-alias-bomb");
    }

    #[test]
    fn several_documents_are_refused() {
        assert_eq!(parse("id: a\n---\nid: b\n").unwrap_err().code, "multiple-documents");
    }
}
