//! Validation: one pass over a flow's YAML that returns every error and warning at once and,
//! when there is no error, the typed [`Flow`].

mod dag;
mod defaults;
mod flow;
mod ids;
mod input_limits;
mod inputs;
mod props;
mod refs;
mod retry;
mod task;
mod trigger;

use crate::diagnostic::{Diagnostic, Pos, has_errors};
use crate::model::Flow;
use crate::schema::Catalog;
use crate::template::TemplateEngine;
use crate::yaml::{self, Node};
use std::collections::HashMap;

/// The outcome of checking one flow file.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The flow, when it has no error.
    pub flow: Option<Flow>,
    /// Every error and warning, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether the flow may be stored and run.
    pub fn is_valid(&self) -> bool {
        self.flow.is_some()
    }
}

/// Reusable validator: holds the catalog of types and the template engine, so checking many
/// flows costs no set-up each.
pub struct Validator {
    catalog: &'static Catalog,
    templates: TemplateEngine,
}

impl Validator {
    /// A validator of flows made of the types in `catalog` (`sluice_tasks::catalog()` in Sluice).
    pub fn new(catalog: &'static Catalog) -> Self {
        Validator {
            catalog,
            templates: TemplateEngine::new(),
        }
    }

    /// The catalog of types this validator accepts.
    pub fn catalog(&self) -> &'static Catalog {
        self.catalog
    }

    /// Checks a flow's source text. Never panics, whatever the input.
    pub fn check(&self, source: &str) -> Checked {
        let root = match yaml::parse(source) {
            Ok(root) => root,
            Err(d) => {
                return Checked {
                    flow: None,
                    diagnostics: vec![d],
                };
            }
        };
        let mut cx = Cx {
            catalog: self.catalog,
            templates: &self.templates,
            diags: Vec::new(),
            ids: HashMap::new(),
            refs: Vec::new(),
            set_vars: Default::default(),
        };
        let flow = flow::check_flow(&mut cx, &root);
        refs::check_references(&mut cx, &root);
        let mut diagnostics = cx.diags;
        diagnostics.sort_by(|a, b| (a.pos, a.severity, &a.message).cmp(&(b.pos, b.severity, &b.message)));
        diagnostics.dedup();
        let flow = if has_errors(&diagnostics) { None } else { flow };
        Checked { flow, diagnostics }
    }
}

/// What the pass carries along: diagnostics, ids seen, template references to resolve at the end.
pub(crate) struct Cx<'a> {
    catalog: &'static Catalog,
    templates: &'a TemplateEngine,
    diags: Vec<Diagnostic>,
    /// Task and trigger ids seen, with where each was first defined.
    ids: HashMap<String, Pos>,
    /// Template references, resolved once every id is known.
    refs: Vec<refs::SeenRef>,
    /// Names a SetVariables task sets, so `vars.<name>` reads them.
    set_vars: std::collections::HashSet<String>,
}

impl Cx<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}

/// Reports a node that is not a mapping, without looking at its keys (for nodes whose keys
/// `check_props` reads later, so duplicates are reported once).
pub(crate) fn expect_map_shape(cx: &mut Cx<'_>, node: &Node, what: &str) -> Option<()> {
    match node.as_map() {
        Some(_) => Some(()),
        None => expect_map(cx, node, what).map(|_| ()),
    }
}

/// Keys of a mapping node with positions; non-mapping nodes give an error and `None`.
pub(crate) fn expect_map<'n>(cx: &mut Cx<'_>, node: &'n Node, what: &str) -> Option<&'n [(Node, Node)]> {
    match node.as_map() {
        Some(entries) => {
            let mut seen: HashMap<String, Pos> = HashMap::new();
            for (k, _) in entries {
                let key = k.scalar_text().unwrap_or_default();
                if let Some(first) = seen.get(&key) {
                    cx.push(
                        Diagnostic::error(k.pos, "duplicate-key", format!("`{key}` is set twice in {what}"))
                            .with_help(format!("remove one of them; the other is at line {}", first.line)),
                    );
                } else {
                    seen.insert(key, k.pos);
                }
            }
            Some(entries)
        }
        None => {
            cx.push(
                Diagnostic::error(
                    node.pos,
                    "wrong-type",
                    format!("{what} must be a mapping, found {}", node.kind_name()),
                )
                .with_help("write it as `key: value` lines, indented under its name"),
            );
            None
        }
    }
}
