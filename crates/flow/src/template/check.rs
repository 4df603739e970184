//! What a template reads and calls, found by walking its syntax tree without rendering:
//! context variables (so the validator can check `inputs.x` and `outputs.task` exist),
//! and names of filters, tests, functions and methods (an unknown one is an error).

use std::collections::BTreeSet;

use super::ast::{Call, Expr, Kind, Node};
use super::{TemplateError, TemplateErrorKind, TemplateInfo, filters, functions, methods, predicates, terr};

/// One context variable a template reads, so flows can be validated before running.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reference {
    /// `inputs.<id>` or `inputs['<id>']`.
    Input(String),
    /// `outputs.<task id>…` or `outputs['<task id>']…`.
    Output(String),
    /// `vars.<name>`.
    Var(String),
    /// Any other top-level name, e.g. `flow`, `execution`, `workingDir`, or a bare `inputs`.
    Other(String),
}

struct Walk {
    locals: BTreeSet<String>,
    refs: BTreeSet<Reference>,
    unavailable: BTreeSet<String>,
}

/// Checks parsed `nodes`; see [`super::TemplateEngine::check`].
pub(super) fn check(nodes: &[Node]) -> Result<TemplateInfo, TemplateError> {
    let mut w = Walk {
        locals: BTreeSet::from(["loop".to_string()]),
        refs: BTreeSet::new(),
        unavailable: BTreeSet::new(),
    };
    declare(&mut w.locals, nodes);
    w.nodes(nodes)?;
    Ok(TemplateInfo {
        references: w.refs.into_iter().collect(),
        unavailable: w.unavailable.into_iter().collect(),
    })
}

/// Names bound by `set` and `for` anywhere in the template (Pebble scopes are loose).
fn declare(locals: &mut BTreeSet<String>, nodes: &[Node]) {
    for node in nodes {
        match node {
            Node::Set { name, .. } => _ = locals.insert(name.clone()),
            Node::For {
                var, body, otherwise, ..
            } => {
                locals.insert(var.clone());
                declare(locals, body);
                declare(locals, otherwise);
            }
            Node::If { branches, otherwise } => {
                branches.iter().for_each(|b| declare(locals, &b.1));
                declare(locals, otherwise);
            }
            Node::Filter { body, .. } => declare(locals, body),
            Node::Text(_) | Node::Print(_) => {}
        }
    }
}

fn unknown(what: &str, name: &str, line: usize, names: impl IntoIterator<Item = &'static str>) -> TemplateError {
    let help = crate::suggest::did_you_mean(name, names).map(|s| format!("did you mean `{s}`?"));
    let help = help.or_else(|| {
        Some(format!(
            "see the {what}s Kestra has: https://kestra.io/docs/expressions"
        ))
    });
    terr(
        TemplateErrorKind::Syntax,
        format!("unknown {what} `{name}`"),
        Some(line),
        help,
    )
}

fn named(call: &Call) -> Vec<&str> {
    call.args.iter().filter_map(|a| a.name.as_deref()).collect()
}

impl Walk {
    fn nodes(&mut self, nodes: &[Node]) -> Result<(), TemplateError> {
        for node in nodes {
            match node {
                Node::Text(_) => {}
                Node::Print(e) | Node::Set { value: e, .. } => self.expr(e)?,
                Node::If { branches, otherwise } => {
                    for (cond, body) in branches {
                        self.expr(cond)?;
                        self.nodes(body)?;
                    }
                    self.nodes(otherwise)?;
                }
                Node::For {
                    iter, body, otherwise, ..
                } => {
                    self.expr(iter)?;
                    self.nodes(body)?;
                    self.nodes(otherwise)?;
                }
                Node::Filter { filters: chain, body } => {
                    for call in chain {
                        self.filter(call)?;
                    }
                    self.nodes(body)?;
                }
            }
        }
        Ok(())
    }

    fn record(&mut self, path: &[String]) {
        let Some(head) = path.first().filter(|h| !self.locals.contains(*h)) else {
            return;
        };
        let key = path.get(1).cloned();
        self.refs.insert(match (head.as_str(), key) {
            ("inputs", Some(k)) => Reference::Input(k),
            ("outputs", Some(k)) => Reference::Output(k),
            ("vars", Some(k)) => Reference::Var(k),
            (h, _) => Reference::Other(h.to_string()),
        });
    }

    fn args(&mut self, call: &Call) -> Result<(), TemplateError> {
        call.args.iter().try_for_each(|a| self.expr(&a.value))
    }

    fn filter(&mut self, call: &Call) -> Result<(), TemplateError> {
        if !filters::known(&call.name) {
            return Err(unknown("filter", &call.name, call.line, filters::names()));
        }
        filters::check_args(&call.name, &named(call))
            .map_err(|m| terr(TemplateErrorKind::Syntax, m, Some(call.line), None))?;
        self.args(call)
    }

    fn expr(&mut self, e: &Expr) -> Result<(), TemplateError> {
        match &e.kind {
            Kind::Lit(_) => {}
            Kind::Var(_) | Kind::Attr(..) if e.path().is_some() => self.record(&e.path().unwrap_or_default()),
            Kind::Var(_) => {}
            Kind::Attr(base, key) => {
                self.expr(base)?;
                self.expr(key)?;
            }
            Kind::Method(recv, name, args) => {
                if !methods::NAMES.contains(&name.as_str()) {
                    return Err(unknown("method", name, e.line, methods::NAMES));
                }
                self.expr(recv)?;
                args.iter().try_for_each(|a| self.expr(a))?;
            }
            Kind::Func(call) => {
                if functions::unavailable(&call.name) {
                    self.unavailable.insert(call.name.clone());
                } else if !functions::known(&call.name) {
                    return Err(unknown("function", &call.name, call.line, functions::names()));
                }
                functions::check_args(&call.name, &named(call))
                    .map_err(|m| terr(TemplateErrorKind::Syntax, m, Some(call.line), None))?;
                self.args(call)?;
            }
            Kind::Filter(input, call) => {
                self.filter(call)?;
                self.expr(input)?;
            }
            Kind::Test(input, call, _) => {
                if !predicates::known(&call.name) {
                    return Err(unknown("test", &call.name, call.line, predicates::NAMES));
                }
                self.expr(input)?;
                self.args(call)?;
            }
            Kind::Not(inner) | Kind::Neg(inner) | Kind::Plus(inner) => self.expr(inner)?,
            Kind::Bin(_, l, r) => {
                self.expr(l)?;
                self.expr(r)?;
            }
            Kind::Ternary(c, a, b) => {
                self.expr(c)?;
                self.expr(a)?;
                self.expr(b)?;
            }
            Kind::List(items) | Kind::Concat(items) => items.iter().try_for_each(|i| self.expr(i))?,
            Kind::Map(entries) => {
                for (k, v) in entries {
                    if !matches!(k.kind, Kind::Var(_)) {
                        self.expr(k)?;
                    }
                    self.expr(v)?;
                }
            }
        }
        Ok(())
    }
}
