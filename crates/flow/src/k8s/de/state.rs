//! Where a walk is in the YAML (its path, the named mapping around it) and what it found: the
//! diagnostics, worded with that place.

use super::error::{DeError, Problem};
use crate::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
use crate::yaml::Node;
use std::collections::HashMap;

/// Structs with more fields than this are not listed in a help line; `kubectl explain` is.
const MAX_LISTED_FIELDS: usize = 10;

/// One step of the path from the root mapping to a value.
#[derive(Debug, Clone)]
pub(super) enum Seg {
    /// A mapping's key.
    Field(String),
    /// A list's index.
    Index(usize),
}

/// A mapping with a `name`, like a container: messages say which one.
#[derive(Debug)]
pub(super) struct Owner {
    /// Length of the path where the owner stands.
    pub(super) depth: usize,
    /// Its Kubernetes type, like `Container`.
    pub(super) kind: &'static str,
    /// Its `name`.
    pub(super) name: String,
}

/// What one walk carries along: where it is, and what it found.
#[derive(Debug)]
pub(in crate::k8s) struct State {
    /// The root's name in messages: `spec`, `podSpec` or `metadata`.
    root: &'static str,
    /// What `kubectl explain` calls the root: `pod.spec` or `pod.metadata`.
    explain_root: &'static str,
    /// A partial value (an overlay): fields Kubernetes requires may be left out.
    pub(in crate::k8s) partial: bool,
    /// A value rendered at run time: text that reads as the number or boolean a field wants
    /// is taken as one (and numbers as text), as Kestra's Jackson mapping does.
    pub(in crate::k8s) rendered: bool,
    pub(super) path: Vec<Seg>,
    pub(super) owners: Vec<Owner>,
    /// Kubernetes type of each mapping read as a struct, by position.
    pub(in crate::k8s) structs: HashMap<Pos, &'static str>,
    /// What the walk found.
    pub(in crate::k8s) diags: Vec<Diagnostic>,
}

impl State {
    /// A walk from the root named `root` (`explain_root` for `kubectl explain`).
    pub(in crate::k8s) fn new(root: &'static str, explain_root: &'static str, partial: bool) -> Self {
        State {
            root,
            explain_root,
            partial,
            rendered: false,
            path: Vec::new(),
            owners: Vec::new(),
            structs: HashMap::new(),
            diags: Vec::new(),
        }
    }

    /// `spec.containers[0].resources`.
    pub(in crate::k8s) fn path(&self) -> String {
        let mut out = self.root.to_string();
        for seg in &self.path {
            push_seg(&mut out, seg);
        }
        out
    }

    /// The value's own name: its field and any list indices after it, like `command[1]`.
    pub(super) fn name(&self) -> String {
        let start = self.path.iter().rposition(|s| matches!(s, Seg::Field(_)));
        match start {
            Some(i) => {
                let mut out = String::new();
                for seg in &self.path[i..] {
                    push_seg(&mut out, seg);
                }
                out.trim_start_matches('.').to_string()
            }
            None => self.path(),
        }
    }

    /// `` `spec.containers[0].resources` (in Container `web`) ``, or `(a Toleration)` when no
    /// named mapping encloses the value.
    pub(super) fn place(&self, kind: Option<&str>) -> String {
        let path = self.path();
        match (self.owners.last(), kind) {
            (Some(o), _) if o.depth == self.path.len() => format!("`{path}` ({} `{}`)", o.kind, o.name),
            (Some(o), _) => format!("`{path}` (in {} `{}`)", o.kind, o.name),
            (None, Some(kind)) => format!("`{path}` ({} {kind})", article(kind)),
            (None, None) => format!("`{path}`"),
        }
    }

    /// `pod.spec.containers.resources`, for `kubectl explain`.
    fn explain_path(&self) -> String {
        let mut out = self.explain_root.to_string();
        for seg in &self.path {
            if let Seg::Field(f) = seg {
                out.push('.');
                out.push_str(f);
            }
        }
        out
    }

    /// An error for a value of the wrong shape; `fix` says how to write it.
    pub(super) fn wrong_type(&mut self, node: &Node, expected: &str, fix: &str) {
        let d = Diagnostic::error(
            node.pos,
            "k8s-wrong-type",
            format!("`{}` must be {expected}, found {}", self.name(), node.kind_name()),
        )
        .with_help(format!("{fix}; at {}", self.place(None)));
        self.diags.push(d);
    }

    /// A warning for a key the Kubernetes type does not have.
    pub(super) fn unknown_field(&mut self, key_node: &Node, key: &str, kind: &str, fields: &[&str]) {
        let message = match did_you_mean(key, fields.iter().copied()) {
            Some(s) => format!("unknown field `{key}`; did you mean `{s}`?"),
            None => format!("unknown field `{key}`"),
        };
        let place = self.place(Some(kind));
        let help = if fields.len() <= MAX_LISTED_FIELDS {
            format!("{place} has: {}", fields.join(", "))
        } else {
            format!("{place}: `kubectl explain {}` lists its fields", self.explain_path())
        };
        self.diags.push(
            Diagnostic::warning(key_node.pos, "k8s-unknown-field", message)
                .with_help(format!("{help}; Kubernetes ignores unknown fields")),
        );
    }

    /// Turns a visitor's error into a diagnostic at `node`, unless one already claimed it.
    pub(super) fn claim(&self, node: &Node, mut e: DeError) -> DeError {
        if e.diagnostic.is_some() || e.quiet {
            return e;
        }
        let place = self.place(None);
        e.diagnostic = match &e.problem {
            Problem::Type(expected) => Some(
                Diagnostic::error(
                    node.pos,
                    "k8s-wrong-type",
                    format!(
                        "`{}` must be {}, found {}",
                        self.name(),
                        friendly(expected),
                        node.kind_name()
                    ),
                )
                .with_help(format!("at {place}")),
            ),
            Problem::Missing(_) if self.partial => None,
            Problem::Missing(field) => Some(
                Diagnostic::error(
                    node.pos,
                    "k8s-missing-field",
                    format!("`{}` has no `{field}`", self.path()),
                )
                .with_help(format!("Kubernetes requires `{field}` here; at {place}")),
            ),
            Problem::Other(message) => Some(
                Diagnostic::error(node.pos, "k8s-invalid-value", format!("`{}`: {message}", self.name()))
                    .with_help(format!("at {place}")),
            ),
        };
        e.quiet = e.diagnostic.is_none();
        e
    }
}

fn push_seg(out: &mut String, seg: &Seg) {
    match seg {
        Seg::Field(f) => {
            out.push('.');
            out.push_str(f);
        }
        Seg::Index(i) => out.push_str(&format!("[{i}]")),
    }
}

fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    }
}

/// serde's names of expected types, as the flow's other messages say them.
fn friendly(expected: &str) -> String {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list".into(),
        "a map" => "a mapping".into(),
        other if other.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !other.contains(' ') => {
            format!("{} {other}", article(other))
        }
        other => other.to_string(),
    }
}
