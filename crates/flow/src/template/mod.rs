//! Kestra's expression language: Pebble templates, parsed and rendered by our own engine
//! with Kestra's settings (strict variables, no autoescape, maps and lists printed as
//! JSON, `??`/`???`, Kestra's filters and functions).
//!
//! The pieces: `lexer` and `parser` build the `ast`; `eval` renders it with `ops`,
//! `value` (Pebble's types and printing), `filters`, `functions`, `methods` and
//! `predicates` (tests); `check` reports what a template reads without rendering it.
//! Pebble's own rules are the spec: <https://pebbletemplates.io/wiki/guide/basic-usage/>
//! and Kestra's <https://kestra.io/docs/expressions>.

mod ast;
mod check;
mod eval;
mod filters;
mod functions;
mod lexer;
mod methods;
mod ops;
mod parser;
mod predicates;
mod scope;
#[cfg(test)]
mod tests;
mod value;

use base64::Engine as _;
use serde_json::Value;

pub use check::Reference;
use scope::{Fail, Scope};

/// Deepest nesting of `render()` and of recursive rendering, as Kestra's limit.
const MAX_DEPTH: usize = 100;

/// Where `{{ secret('NAME') }}` looks values up; the caller (the binary) implements it
/// (Kestra OSS reads env var `SECRET_NAME`, base64-encoded, see [`decode_base64`]).
///
/// It is also where `{{ kv('KEY') }}` reads the KV store and `{{ read('path') }}` the
/// namespace files: a source that can reach the store implements [`SecretSource::kv`] and
/// [`SecretSource::namespace_file`]; the others answer that they are not readable there.
pub trait SecretSource: Send + Sync {
    /// The decoded value of secret `name`, or `None` when it is not set.
    fn secret(&self, name: &str) -> Option<String>;

    /// Secret `name` as a flow of `namespace` reads it: a source with stored secrets looks
    /// there first (the namespace's, then its parents'); by default, [`SecretSource::secret`].
    fn namespaced_secret(&self, namespace: &str, name: &str) -> Result<Option<String>, String> {
        let _ = namespace;
        Ok(self.secret(name))
    }

    /// The live value of KV pair `key` of `namespace`, `None` when there is none (or it
    /// expired); an error says why the store could not be read.
    fn kv(&self, namespace: &str, key: &str) -> Result<Option<Value>, String> {
        let _ = (namespace, key);
        Err("the KV store cannot be read here (in the executor's own conditions and in flow validation); read it in a task's properties, or copy it into an input".into())
    }

    /// The content of namespace file `path` (normalized) of `namespace`, `None` when there is
    /// none; an error says why the files could not be read.
    fn namespace_file(&self, namespace: &str, path: &str) -> Result<Option<Vec<u8>>, String> {
        let _ = (namespace, path);
        Err("namespace files cannot be read here (in the executor's own conditions and in flow validation); read them in a task's properties".into())
    }

    /// The content of the internal-storage file `uri` (`kestra://…`), which a flow of
    /// `namespace` reads (the source refuses other namespaces' files).
    fn stored_file(&self, namespace: &str, uri: &str) -> Result<Vec<u8>, String> {
        let _ = (namespace, uri);
        Err("internal-storage files cannot be read here (in the executor's own conditions and in flow validation); read them in a task's properties".into())
    }
}

/// A [`SecretSource`] with no secrets: for places that render templates where `secret()` must
/// not be readable (the engine's `runIf`, input resolution in a server without secrets).
pub struct NoSecrets;

impl SecretSource for NoSecrets {
    fn secret(&self, _name: &str) -> Option<String> {
        None
    }
}

/// Pebble-compatible template engine, built once and shared (cheap to call).
#[derive(Debug, Default, Clone, Copy)]
pub struct TemplateEngine;

/// What `check` learned about a template: the context variables it reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateInfo {
    /// Variables read by the template, deduplicated and sorted.
    pub references: Vec<Reference>,
    /// Kestra functions the template calls that Sluice cannot run yet, deduplicated.
    pub unavailable: Vec<String>,
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
    /// The template does not parse, or names a filter, test or function that does not exist.
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

/// Kestra's truth of a rendered condition (`TruthUtils`), for If, Fail and Assert: the texts
/// `false`, `0`, `-0` and the empty string are false (after trimming), anything else is true.
pub fn truthy(rendered: &str) -> bool {
    !matches!(rendered.trim(), "false" | "0" | "-0" | "")
}

/// Decodes standard base64 (padding optional, whitespace ignored) into UTF-8 text.
pub fn decode_base64(s: &str) -> Result<String, TemplateError> {
    let fail = |m: String| terr(TemplateErrorKind::Secret, format!("invalid base64: {m}"), None, None);
    let config = base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
    let engine = base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, config);
    let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = engine.decode(clean).map_err(|e| fail(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| fail("decoded bytes are not UTF-8".into()))
}

/// What one rendering sees: the context, the secrets, and how deep `render()` nests.
#[derive(Clone, Copy)]
pub(crate) struct Env<'a> {
    pub(crate) root: &'a Value,
    pub(crate) secrets: &'a dyn SecretSource,
    pub(crate) depth: usize,
}

/// Parses a template into nodes.
fn parse(source: &str) -> Result<Vec<ast::Node>, TemplateError> {
    parser::Parser::new(lexer::lex(source)?).template()
}

/// Turns an evaluation failure into the error callers see.
fn convert(fail: Fail, line: usize) -> TemplateError {
    let line = Some(line);
    match fail {
        Fail::Undefined(path, mut keys) => {
            keys.sort(); // maps keep their order; the help lists keys alphabetically
            let last = path.rsplit('.').next().unwrap_or(&path);
            let close = crate::suggest::did_you_mean(last, keys.iter().map(String::as_str));
            let help = match close {
                Some(k) => format!("did you mean `{k}`?"),
                None if keys.is_empty() => {
                    format!("pass it in, or give a default: `{{{{ {path} ?? 'fallback' }}}}`")
                }
                None => format!("the keys there are: {}", keys.join(", ")),
            };
            terr(
                TemplateErrorKind::UndefinedVariable,
                format!("undefined variable `{path}`"),
                line,
                Some(help),
            )
        }
        Fail::Error(message, help) => terr(TemplateErrorKind::Render, message, line, help),
        Fail::Secret(name) => terr(
            TemplateErrorKind::Secret,
            format!("secret `{name}` is not set"),
            line,
            Some(format!(
                "set the environment variable SECRET_{name} to the base64-encoded value"
            )),
        ),
    }
}

impl TemplateEngine {
    /// The engine; it holds no state, so this is free.
    pub fn new() -> Self {
        Self
    }

    /// Syntax check without rendering, plus the variables the template reads. Unknown
    /// filters, tests, functions and methods, and wrong argument names, are errors here.
    pub fn check(&self, source: &str) -> Result<TemplateInfo, TemplateError> {
        if !is_template(source) {
            return Ok(TemplateInfo::default());
        }
        check::check(&parse(source)?)
    }

    /// Renders with a JSON context (keys: inputs, outputs, vars, flow, execution, taskrun,
    /// workingDir, labels, trigger …). Strings without template syntax come back unchanged.
    pub fn render(&self, source: &str, context: &Value, secrets: &dyn SecretSource) -> Result<String, TemplateError> {
        if !is_template(source) {
            return Ok(source.to_string());
        }
        let nodes = parse(source)?;
        let env = Env {
            root: context,
            secrets,
            depth: 0,
        };
        let mut scope = Scope::new(&env);
        let mut out = String::new();
        match scope.render(&nodes, &mut out) {
            Ok(()) => Ok(out),
            Err(f) => Err(convert(f, scope.line())),
        }
    }

    /// Renders keeping the type: a template that is one `{{ expression }}` gives the
    /// expression's value (a number, a list, a map…), as Kestra's typed properties do;
    /// anything else gives the rendered text.
    pub fn render_value(
        &self,
        source: &str,
        context: &Value,
        secrets: &dyn SecretSource,
    ) -> Result<Value, TemplateError> {
        if !is_template(source) {
            return Ok(Value::String(source.to_string()));
        }
        let nodes = parse(source)?;
        let [ast::Node::Print(expr)] = nodes.as_slice() else {
            return self.render(source, context, secrets).map(Value::String);
        };
        let env = Env {
            root: context,
            secrets,
            depth: 0,
        };
        let scope = Scope::new(&env);
        match scope.eval(expr) {
            Ok(v) => Ok(v.into_owned()),
            Err(f) => Err(convert(f, scope.line())),
        }
    }
}
