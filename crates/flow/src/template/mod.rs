//! Pebble-compatible templating for Kestra flows, rendered with minijinja.
//!
//! Kestra writes `{{ inputs.x }}` expressions in Pebble syntax; most of it is also valid
//! Jinja. This module configures minijinja to behave like Kestra (strict undefined, no
//! autoescape, Pebble filters such as `date`, `slugify` and `toJson`, `secret()`), reports
//! which variables a template reads, and turns engine errors into short diagnostics.
//!
//! The engine, `check` and `render`, and error conversion live here; Pebble's filters and
//! functions are in `filters`, and the lexer that finds references without rendering is in
//! `references`.

mod filters;
mod references;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use minijinja::value::{Serde, StringInput, ValueKind, merge_maps};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, Value};

pub use filters::decode_base64;
use filters::{SECRETS_KEY, Secrets, date, is_empty, lock, replace, secret_fn, slugify, to_json};
pub use references::Reference;
use references::{ROOTS, reference, scan};

/// Where `{{ secret('NAME') }}` looks values up; the caller (the binary) implements it
/// (Kestra OSS reads env var `SECRET_NAME`, base64-encoded, see [`decode_base64`]).
pub trait SecretSource: Send + Sync {
    /// The decoded value of secret `name`, or `None` when it is not set.
    fn secret(&self, name: &str) -> Option<String>;
}

/// Pebble-compatible template engine, built once and shared (cheap to call).
pub struct TemplateEngine {
    env: Environment<'static>,
    globals: BTreeSet<String>,
}

/// What `check` learned about a template: the context variables it reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateInfo {
    /// Variables read by the template, deduplicated and sorted.
    pub references: Vec<Reference>,
}

/// Why a template could not be checked or rendered, with a 1-based line when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    /// Broad category, so callers can react (e.g. secrets vs. typos).
    pub kind: TemplateErrorKind,
    /// Human-readable description.
    pub message: String,
    /// 1-based line inside the template source.
    pub line: Option<usize>,
    /// How to fix it, when we can tell.
    pub help: Option<String>,
}

/// Category of a [`TemplateError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateErrorKind {
    /// The template does not parse (or uses an unknown filter/test).
    Syntax,
    /// Rendering read a variable that is not in the context.
    UndefinedVariable,
    /// Any other rendering failure (bad filter argument, type error…).
    Render,
    /// A secret is missing or could not be decoded.
    Secret,
}

fn terr(kind: TemplateErrorKind, message: String, line: Option<usize>, help: Option<String>) -> TemplateError {
    TemplateError {
        kind,
        message,
        line,
        help,
    }
}

/// True when `s` contains template syntax; other strings are used verbatim.
pub fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%") || s.contains("{#")
}

fn convert(e: &Error, source: &str) -> TemplateError {
    use TemplateErrorKind::*;
    let detail = e.detail().unwrap_or_default();
    let end = detail.find("` is undefined");
    let name = end.and_then(|end| detail[..end].rfind('`').map(|start| &detail[start + 1..end]));
    let (kind, message, help) = match (e.kind(), name) {
        (ErrorKind::SyntaxError | ErrorKind::BadEscape, _) => {
            let s = scan(source);
            let help = [
                (s.coalesce, "replace `a ?? b` with `a | default(b)`"),
                (s.ternary, "replace `a ? b : c` with `b if a else c`"),
                (
                    detail.contains(", expected end of variable block"),
                    "close every `{{` with `}}`",
                ),
                (detail.contains(", expected end of block"), "close every `{%` with `%}`"),
            ];
            (
                Syntax,
                format!("syntax error: {detail}"),
                help.iter().find(|h| h.0).map(|h| h.1),
            )
        }
        (ErrorKind::UndefinedError, _) | (_, Some(_)) => {
            let message = name.map_or("undefined variable".into(), |n| format!("undefined variable `{n}`"));
            let help = "pass it in, or make it optional with `| default(...)` or `is defined`";
            (UndefinedVariable, message, Some(help))
        }
        (k, _) if detail.is_empty() => (Render, k.to_string(), None),
        (k, _) => (Render, format!("{k}: {detail}"), None),
    };
    terr(kind, message, e.line(), help.map(str::to_string))
}

impl Default for TemplateEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl TemplateEngine {
    /// Builds the environment (filters, strict undefined, no autoescape); do it once.
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_debug(true); // names the undefined variable in errors
        if let Ok(syntax) = env.syntax().to_builder().keep_trailing_newline(true).build() {
            env.set_syntax(syntax);
        }
        env.set_formatter(|out, state, value| {
            if value.is_undefined() {
                StringInput::new(state, value)?; // strict undefined, as the default formatter
            }
            match value.kind() {
                ValueKind::None => Ok(()),
                // Pebble (Java) prints booleans lowercase; Jinja would print `True`.
                ValueKind::Bool => Ok(out.write_str(if value.is_true() { "true" } else { "false" })?),
                ValueKind::Map | ValueKind::Seq => match serde_json::to_string(value) {
                    Ok(json) => Ok(out.write_str(&json)?),
                    Err(_) => minijinja::escape_formatter(out, state, value),
                },
                _ => minijinja::escape_formatter(out, state, value),
            }
        });
        env.add_function("secret", secret_fn);
        env.add_filter("json", to_json);
        env.add_filter("toJson", to_json);
        env.add_filter("default", |v: &Value, d: Option<Value>| match is_empty(v) {
            true => d.unwrap_or_else(|| Value::from("")),
            false => v.clone(),
        });
        env.add_filter("replace", replace);
        env.add_filter("slugify", slugify);
        env.add_filter("date", date);
        env.add_test("null", |v: &Value| v.is_none() || v.is_undefined());
        env.add_test("empty", is_empty);
        let globals = env.globals().map(|(k, _)| k.to_string()).collect();
        Self { env, globals }
    }

    /// Syntax check without rendering, plus the variables the template reads.
    /// Unknown filters and tests are reported as syntax errors here.
    pub fn check(&self, source: &str) -> Result<TemplateInfo, TemplateError> {
        if !is_template(source) {
            return Ok(TemplateInfo::default());
        }
        let tmpl = self.env.template_from_str(source).map_err(|e| convert(&e, source))?;
        let scan = scan(source);
        let mut state = self.env.empty_state(); // probes whether each filter/test name exists
        for &(pos, name, filter) in &scan.calls {
            let kind = match filter {
                true => state.apply_filter(name, &[]).err().map(|e| e.kind()),
                false => state.perform_test(name, &[]).err().map(|e| e.kind()),
            };
            if matches!(kind, Some(ErrorKind::UnknownFilter | ErrorKind::UnknownTest)) {
                let what = if filter { "filter" } else { "test" };
                let line = source.get(..pos).map(|p| p.matches('\n').count() + 1);
                return Err(terr(
                    TemplateErrorKind::Syntax,
                    format!("unknown {what} `{name}`"),
                    line,
                    None,
                ));
            }
        }
        let mut refs = BTreeSet::new();
        for path in tmpl.undeclared_variables(true) {
            let mut parts = path.split('.');
            let (head, key) = (parts.next().unwrap_or_default(), parts.next());
            if self.globals.contains(head) {
                continue;
            }
            if key.is_none() && ROOTS.contains(&head) {
                let ids: Vec<_> = scan.brackets.iter().filter(|b| b.0 == head).collect();
                refs.extend(ids.iter().map(|b| reference(head, Some(b.1))));
                if !ids.is_empty() && !scan.bare.contains(head) {
                    continue;
                }
            }
            refs.insert(reference(head, key));
        }
        Ok(TemplateInfo {
            references: refs.into_iter().collect(),
        })
    }

    /// Render with a JSON context (keys: inputs, outputs, vars, flow, execution, taskrun,
    /// workingDir, labels, trigger …). Strings without template syntax come back unchanged.
    pub fn render(
        &self,
        source: &str,
        context: &serde_json::Value,
        secrets: &dyn SecretSource,
    ) -> Result<String, TemplateError> {
        if !is_template(source) {
            return Ok(source.to_string());
        }
        let tmpl = self.env.template_from_str(source).map_err(|e| convert(&e, source))?;
        let base = Value::from(Serde(context));
        let lookup = |n: &str| (n.to_string(), secrets.secret(n));
        let mut known: BTreeMap<_, _> = scan(source).secrets.into_iter().map(lookup).collect();
        // `secret()` cannot borrow `secrets`, so names computed at render time are collected,
        // looked up, and the template re-rendered (rendering has no side effects).
        for _ in 0..8 {
            let store = Value::from_object(Secrets {
                known,
                ..Secrets::default()
            });
            let hidden = Value::from(BTreeMap::from([(SECRETS_KEY, store.clone())]));
            let result = tmpl.render(merge_maps([base.clone(), hidden]));
            let Some(s) = store.downcast_object_ref::<Secrets>() else {
                break;
            };
            let missing = std::mem::take(&mut *lock(&s.missing));
            if missing.is_empty() {
                let unset = lock(&s.unset).take();
                return result.map_err(|e| match unset {
                    None => convert(&e, source),
                    Some(name) => terr(
                        TemplateErrorKind::Secret,
                        format!("secret `{name}` is not set"),
                        e.line(),
                        Some(format!(
                            "set the environment variable SECRET_{name} to the base64-encoded value"
                        )),
                    ),
                });
            }
            known = s.known.clone();
            known.extend(missing.iter().map(|n| lookup(n)));
        }
        let help = Some("pass secret names as string literals: `secret('NAME')`".into());
        Err(terr(
            TemplateErrorKind::Secret,
            "too many computed secret names".into(),
            None,
            help,
        ))
    }
}
