//! Pebble-compatible templating for Kestra flows, rendered with minijinja.
//!
//! Kestra writes `{{ inputs.x }}` expressions in Pebble syntax; most of it is also valid
//! Jinja. This module configures minijinja to behave like Kestra (strict undefined, no
//! autoescape, Pebble filters such as `date`, `slugify` and `toJson`, `secret()`), reports
//! which variables a template reads, and turns engine errors into short diagnostics.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use jiff::civil::Time;
use jiff::fmt::temporal::Pieces;
use jiff::tz::{Offset, TimeZone};
use minijinja::value::{Kwargs, Object, Serde, StringInput, ValueKind, merge_maps};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior, Value};

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

const SECRETS_KEY: &str = "__sluice_secrets";
const ROOTS: [&str; 3] = ["inputs", "outputs", "vars"];

fn terr(kind: TemplateErrorKind, message: String, line: Option<usize>, help: Option<String>) -> TemplateError {
    TemplateError {
        kind,
        message,
        line,
        help,
    }
}

fn op_err(msg: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Per-render secret cache handed to `secret()` through the context (see `render`).
#[derive(Default)]
struct Secrets {
    known: BTreeMap<String, Option<String>>,
    missing: Mutex<BTreeSet<String>>,
    unset: Mutex<Option<String>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<secrets>") // never print values
    }
}

impl Object for Secrets {}

fn secret_fn(state: &State, name: &str) -> Result<Value, Error> {
    let store = state.lookup(SECRETS_KEY);
    let s = store.as_ref().and_then(|v| v.downcast_object_ref::<Secrets>());
    match s.map(|s| (s, s.known.get(name))) {
        None => Err(op_err("secrets are unavailable".into())),
        Some((_, Some(Some(v)))) => Ok(Value::from(v.as_str())),
        Some((s, Some(None))) => {
            *lock(&s.unset) = Some(name.to_string());
            Err(op_err(format!("secret `{name}` is not set")))
        }
        Some((s, None)) => {
            lock(&s.missing).insert(name.to_string()); // looked up before the next render
            Ok(Value::from(""))
        }
    }
}

fn is_empty(v: &Value) -> bool {
    v.is_undefined() || v.is_none() || v.as_str() == Some("") || v.len() == Some(0)
}

fn to_json(state: &State, value: &Value) -> Result<String, Error> {
    if value.is_undefined() {
        StringInput::new(state, value)?; // strict: errors naming the undefined path
    }
    serde_json::to_string(value).map_err(|e| op_err(format!("cannot serialize to JSON: {e}")))
}

fn replace(state: &State, value: String, from: &Value, to: Option<String>) -> Result<String, Error> {
    match to {
        Some(to) => Ok(value.replace(StringInput::new(state, from)?.as_str(), &to)),
        None if from.kind() == ValueKind::Map => from.try_iter()?.try_fold(value, |out, k| {
            Ok(out.replace(&k.to_string(), &from.get_item(&k)?.to_string()))
        }),
        None => Err(op_err("use replace('a', 'b') or replace({'a': 'b'})".into())),
    }
}

fn slugify(value: String) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(out.trim_end_matches('-').len());
    out
}

fn date(value: String, format: Option<String>, kwargs: Kwargs) -> Result<String, Error> {
    let tz: Option<String> = kwargs
        .get("timezone")
        .transpose()
        .or_else(|| kwargs.get("timeZone").transpose())
        .transpose()?;
    kwargs.assert_all_used()?;
    let tz = match tz.as_deref() {
        None => None,
        Some("UTC" | "Z") => Some(TimeZone::UTC),
        Some(name) => Some(TimeZone::get(name).map_err(|e| op_err(e.to_string()))?),
    };
    let bad = |e: jiff::Error| op_err(format!("cannot read `{value}` as an ISO-8601 date: {e}"));
    let p = Pieces::parse(value.trim()).map_err(bad)?;
    let dt = p.date().to_datetime(p.time().unwrap_or(Time::midnight()));
    let off = p.to_numeric_offset();
    let zone = match (p.to_time_zone().map_err(bad)?, off) {
        (Some(zone), _) => zone,
        (None, Some(off)) => TimeZone::fixed(off),
        (None, None) => tz.clone().unwrap_or(TimeZone::UTC),
    };
    let zdt = match off {
        Some(off) => off.to_timestamp(dt).map_err(bad)?.to_zoned_datetime(zone),
        None => dt.to_zoned_datetime(zone).map_err(bad)?,
    };
    let zdt = tz.map_or(zdt.clone(), |tz| zdt.with_time_zone(tz));
    let utc = zdt.offset() == Offset::UTC;
    let pattern = match format.as_deref().unwrap_or("iso") {
        "iso" => format!("%Y-%m-%dT%H:%M:%S%.f{}", if utc { "Z" } else { "%:z" }),
        java => java_to_strftime(java, utc)?,
    };
    jiff::fmt::strtime::format(&pattern, &zdt).map_err(|e| op_err(e.to_string()))
}

/// Java `DateTimeFormatter` letter runs and their jiff strftime equivalents.
const JAVA_PATTERNS: &str = "y:%Y yy:%y yyy:%Y yyyy:%Y u:%Y uu:%y uuuu:%Y M:%-m MM:%m MMM:%b MMMM:%B \
    d:%-d dd:%d D:%j DDD:%j H:%-H HH:%H h:%-I hh:%I m:%-M mm:%M s:%-S ss:%S E:%a EE:%a EEE:%a \
    EEEE:%A a:%p X:%z XX:%z XXX:%:z x:%z xx:%z xxx:%:z Z:%z ZZ:%z ZZZ:%z ZZZZZ:%:z z:%Z zz:%Z \
    zzz:%Z zzzz:%Z VV:%Q";

/// Converts a Java `DateTimeFormatter` pattern (with `'quoted'` literals) to strftime.
fn java_to_strftime(pattern: &str, utc: bool) -> Result<String, Error> {
    let chars: Vec<char> = pattern.chars().collect();
    let (mut out, mut i, mut quoted) = (String::new(), 0, false);
    while let Some(&c) = chars.get(i) {
        let n = chars[i..].iter().take_while(|&&x| x == c).count();
        if c == '\'' {
            out.extend(std::iter::repeat_n('\'', n / 2));
            quoted ^= n % 2 == 1;
        } else if quoted || !c.is_ascii_alphabetic() {
            let lit = if c == '%' { "%%".to_string() } else { c.to_string() };
            out.push_str(&lit.repeat(if quoted { 1 } else { n }));
            i += if quoted { 1 } else { n };
            continue;
        } else {
            let run = c.to_string().repeat(n);
            out.push_str(&match (c, n) {
                ('X', 1..=3) | ('Z', 5) if utc => "Z".to_string(),
                ('S', 1..=9) => format!("%{n}f"),
                _ => JAVA_PATTERNS
                    .split(' ')
                    .find_map(|e| e.strip_prefix(&format!("{run}:")))
                    .map(str::to_string)
                    .ok_or_else(|| op_err(format!("unsupported date pattern `{run}`")))?,
            });
        }
        i += n;
    }
    Ok(out)
}

/// Decodes standard base64 (padding optional, whitespace ignored) into UTF-8 text.
pub fn decode_base64(s: &str) -> Result<String, TemplateError> {
    let fail = |m: &str| terr(TemplateErrorKind::Secret, format!("invalid base64: {m}"), None, None);
    let (mut out, mut acc, mut bits, mut n, mut pad) = (Vec::new(), 0u32, 0u32, 0usize, 0usize);
    for c in s.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            _ => return Err(fail("unexpected character")),
        };
        if pad > 0 {
            return Err(fail("data after padding"));
        }
        (acc, bits, n) = ((acc << 6) | u32::from(v), bits + 6, n + 1);
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if n % 4 == 1 || pad > 2 || (pad > 0 && (n + pad) % 4 != 0) {
        return Err(fail("wrong length"));
    }
    String::from_utf8(out).map_err(|_| fail("decoded bytes are not UTF-8"))
}

/// True when `s` contains template syntax; other strings are used verbatim.
pub fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%") || s.contains("{#")
}

#[derive(Clone, Copy, PartialEq)]
enum Tok<'a> {
    Open,
    Ident(&'a str),
    Str(&'a str),
    Punct(u8),
}

/// A light lexer over the expression parts (`{{ }}`, `{% %}`) of a template.
fn tokens(src: &str) -> Vec<(usize, Tok<'_>)> {
    let b = src.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    let find = |from: usize, pat: &[u8]| {
        let from = from.min(b.len());
        b[from..].windows(pat.len()).position(|w| w == pat).map(|p| from + p)
    };
    while let Some(start) = find(i, b"{") {
        let close: &[u8] = match b.get(start + 1) {
            Some(b'{') => b"}}",
            Some(b'%') => b"%}",
            Some(b'#') => b"#}",
            _ => b"",
        };
        i = start + 1;
        if close != b"}}" && close != b"%}" {
            i = if close.is_empty() {
                i
            } else {
                find(i, close).map_or(b.len(), |p| p + 2)
            };
            continue;
        }
        out.push((start, Tok::Open));
        let first = out.len();
        i += 1;
        while i < b.len() && !b[i..].starts_with(close) {
            let (c, s) = (b[i], i);
            if c == b'\'' || c == b'"' {
                i += 1;
                while i < b.len() && b[i] != c {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.push((s, Tok::Str(src.get(s + 1..i.min(b.len())).unwrap_or(""))));
            } else if c.is_ascii_alphanumeric() || c == b'_' {
                i += b[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                out.push((s, Tok::Ident(src.get(s..i).unwrap_or(""))));
                continue;
            } else if c.is_ascii_punctuation() && c != b'-' && c != b'+' {
                out.push((s, Tok::Punct(c)));
            }
            i += 1;
        }
        i += 2;
        if matches!(out.get(first..), Some([(_, Tok::Ident("raw"))])) {
            i = find(i, b"endraw")
                .and_then(|p| find(p, b"%}"))
                .map_or(b.len(), |p| p + 2);
        }
    }
    out
}

/// What the lexer found: bracket references, secret names, filter/test names, Pebble-isms.
#[derive(Default)]
struct Scan<'a> {
    brackets: Vec<(&'a str, &'a str)>,
    bare: BTreeSet<&'a str>,
    secrets: BTreeSet<&'a str>,
    calls: Vec<(usize, &'a str, bool)>,
    coalesce: bool,
    ternary: bool,
}

fn scan(src: &str) -> Scan<'_> {
    let toks = tokens(src);
    let mut s = Scan::default();
    let at = |k: usize| toks.get(k).map(|t| t.1);
    let (dot, q) = (Some(Tok::Punct(b'.')), Some(Tok::Punct(b'?')));
    for (k, &(pos, tok)) in toks.iter().enumerate() {
        let prev = k.checked_sub(1).and_then(at);
        match (tok, at(k + 1), at(k + 2), at(k + 3)) {
            (Tok::Ident(_), ..) if prev == dot => {}
            (Tok::Ident(r), Some(Tok::Punct(b'[')), Some(Tok::Str(id)), Some(Tok::Punct(b']')))
                if ROOTS.contains(&r) =>
            {
                s.brackets.push((r, id))
            }
            (Tok::Ident("secret"), Some(Tok::Punct(b'(')), Some(Tok::Str(n)), Some(Tok::Punct(b')'))) => {
                _ = s.secrets.insert(n)
            }
            (Tok::Ident(r), next, Some(Tok::Ident(_)), _) if ROOTS.contains(&r) && next == dot => {}
            (Tok::Ident(r), ..) if ROOTS.contains(&r) => _ = s.bare.insert(r),
            (Tok::Ident(name), ..) => {
                let is = |k: Option<usize>| k.and_then(at) == Some(Tok::Ident("is"));
                let test =
                    is(k.checked_sub(1)) && name != "not" || prev == Some(Tok::Ident("not")) && is(k.checked_sub(2));
                if prev == Some(Tok::Punct(b'|')) || test {
                    s.calls.push((pos, name, !test));
                }
            }
            (Tok::Punct(b'?'), next, ..) if next == q => s.coalesce = true,
            (Tok::Punct(b'?'), ..) if prev != q => s.ternary = true,
            _ => {}
        }
    }
    s
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

fn reference(root: &str, key: Option<&str>) -> Reference {
    match (root, key) {
        ("inputs", Some(k)) => Reference::Input(k.into()),
        ("outputs", Some(k)) => Reference::Output(k.into()),
        ("vars", Some(k)) => Reference::Var(k.into()),
        (h, _) => Reference::Other(h.into()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use Reference::*;
    use serde_json::json;

    struct Env;
    impl SecretSource for Env {
        fn secret(&self, name: &str) -> Option<String> {
            name.starts_with("OK").then(|| format!("s3cret-{name}"))
        }
    }

    fn r(src: &str) -> Result<String, TemplateError> {
        let ts = "2026-11-28T05:37:34Z";
        let inputs = json!({"name": "World", "list": ["a", "b"], "n": -3, "opt": null, "ts": ts});
        let ctx = json!({"inputs": inputs, "workingDir": "/tmp/wd", "dyn": "OK_DYN"});
        TemplateEngine::new().render(src, &ctx, &Env)
    }

    /// One case per line, `template => expected`, with `\n` written as an escape.
    const RENDERS: &str = r#"
a: b\n  c {\n => a: b\n  c {\n
cd {{workingDir}}\necho {{ inputs.name }}\n => cd /tmp/wd\necho World\n
{{ inputs.opt }}|{{ inputs.list }}|{{ 'a<b' }}|{% raw %}{{ x }}{% endraw %} => |["a","b"]|a<b|{{ x }}
{{ x | default('y') }}{{ inputs.nme | default('z') }}{{ inputs.opt | default('o') }} => yzo
{% if x is defined %}d{% else %}u{% endif %}{% if inputs.opt is null %}n{% endif %} => un
{{ secret('OK_A') }} {{ secret(dyn) }} {{ secret('OK_' ~ 'B') }} => s3cret-OK_A s3cret-OK_DYN s3cret-OK_B
{{ inputs.name | upper }}{{ 'AB' | lower }}{{ ' t ' | trim }}{{ inputs.list | length }} => WORLDabt2
{{ inputs.list | first }}{{ inputs.list | last }}{{ inputs.list | join('-') }}{{ inputs.n | abs }} => aba-b3
{{ inputs.list | json }} {{ {'k': none} | toJson }} {{ 'a"' | toJson }} => ["a","b"] {"k":null} "a\""
{{ ' Hello,  Wörld! 2 ' | slugify }} => hello-w-rld-2
{{ 'aXbY' | replace('X', '-') }} {{ 'aXbY' | replace({'X': '1', 'Y': '2'}) }} => a-bY a1b2
{% for p in 'a,b,,c' | split(',') %}[{{ p }}]{% endfor %} => [a][b][][c]
{{ inputs.ts | date('yyyy-MM-dd HH:mm:ss.SSS') }} => 2026-11-28 05:37:34.000
{{ inputs.ts | date('EEE EEEE d MMM MMMM yy M H a Z XXX') }} => Sat Saturday 28 Nov November 26 11 5 AM +0000 Z
{{ inputs.ts | date('iso') }} {{ inputs.ts | date }} => 2026-11-28T05:37:34Z 2026-11-28T05:37:34Z
{{ '2026-01-02T03:04:05+02:00' | date('HH:mm XXX') }} => 03:04 +02:00
{{ '2026-01-02' | date('dd/MM/yyyy HH:mm', timeZone='UTC') }} => 02/01/2026 00:00
{{ '2026-01-02' | date("''yy'' '100%'") }} => '26' 100%
{{ inputs.ts | date("yyyy-MM-dd'T'HH:mm:ssXXX", timezone='Europe/Paris') }} => 2026-11-28T06:37:34+01:00
"#;

    /// `template => kind | message | line | help`; `check` runs first, then `render`.
    const ERRORS: &str = r#"
a\n{{ inputs.nme }} => UndefinedVariable | undefined variable `inputs.nme` | 2 | pass it in, or make it optional with `| default(...)` or `is defined`
{{ nope | upper }} => UndefinedVariable | undefined variable `nope` | 1 | pass it in, or make it optional with `| default(...)` or `is defined`
{% for x in nope %}{% endfor %} => UndefinedVariable | undefined variable `nope` | 1 | pass it in, or make it optional with `| default(...)` or `is defined`
x\n{{ secret('NAME') }} => Secret | secret `NAME` is not set | 2 | set the environment variable SECRET_NAME to the base64-encoded value
{{ secret('NA' ~ 'ME') }} => Secret | secret `NAME` is not set | 1 | set the environment variable SECRET_NAME to the base64-encoded value
a\nb\n{{ inputs.x }\nc => Syntax | syntax error: unexpected `}`, expected end of variable block | 3 | close every `{{` with `}}`
{{ inputs.x ?? 'd' }} => Syntax | syntax error: unexpected character | 1 | replace `a ?? b` with `a | default(b)`
{% if x %}\n{% endif => Syntax | syntax error: unexpected end of input, expected end of block | 2 | close every `{%` with `%}`
{% if %}{% endif %} => Syntax | syntax error: unexpected end of block | 1 |
{{ x ? 1 : 2 }} => Syntax | syntax error: unexpected character | 1 | replace `a ? b : c` with `b if a else c`
x\n{{ 'a' | uppper }} => Syntax | unknown filter `uppper` | 2 |
{{ 'a' is not nonsense }} => Syntax | unknown test `nonsense` | 1 |
{{ 1 + x }} => UndefinedVariable | undefined variable `x` | 1 | pass it in, or make it optional with `| default(...)` or `is defined`
{{ 1 + 'a' }} => Render | invalid operation: tried to use + operator on unsupported types number and string | 1 |
{{ 'a' | replace('a') }} => Render | invalid operation: use replace('a', 'b') or replace({'a': 'b'}) | 1 |
{{ inputs.ts | date('yyyy QQ') }} => Render | invalid operation: unsupported date pattern `QQ` | 1 |
"#;

    #[test]
    fn renders() {
        let paris = TimeZone::get("Europe/Paris").is_ok(); // needs the system tz database
        for case in RENDERS.trim().lines().map(|l| l.replace("\\n", "\n")) {
            let (src, want) = case.split_once(" => ").unwrap();
            if paris || !src.contains("Paris") {
                assert_eq!(r(src).unwrap_or_else(|e| panic!("{src}: {e:?}")), want, "{src}");
            }
        }
    }

    #[test]
    fn errors() {
        for case in ERRORS.trim().lines().map(|l| l.replace("\\n", "\n")) {
            let (src, want) = case.split_once(" => ").unwrap();
            let want = format!("{want} "); // an empty help still has its separator
            let want: Vec<&str> = want.splitn(4, " | ").map(str::trim).collect();
            let e = TemplateEngine::new().check(src).and_then(|_| r(src)).unwrap_err();
            let got = [
                format!("{:?}", e.kind),
                e.message,
                format!("{}", e.line.unwrap_or(0)),
                e.help.unwrap_or_default(),
            ];
            assert_eq!(got.map(|g| g.trim().to_string()).to_vec(), want, "{src}");
        }
        assert!(
            r("{{ 'nope' | date('yyyy') }}")
                .unwrap_err()
                .message
                .contains("ISO-8601")
        );
        assert!(r("{{ inputs.ts | date('yyyy', timezone='Nowhere/Nope') }}").is_err());
    }

    #[test]
    fn references() {
        let refs = |src: &str| TemplateEngine::new().check(src).unwrap().references;
        let s = |x: &str| x.to_string();
        assert_eq!(refs("plain {x}"), vec![]);
        let dotted =
            "{{ inputs.x }}{{ outputs.t.vars.k }}{{ vars.v | upper }}{{ flow.id }}{{workingDir}}{{ inputs.x }}";
        let want = vec![
            Input(s("x")),
            Output(s("t")),
            Var(s("v")),
            Other(s("flow")),
            Other(s("workingDir")),
        ];
        assert_eq!(refs(dotted), want);
        let brackets = "{{ outputs['dbt-command'].vars.x }}{{ inputs[\"my-input\"] }}{{ range(2) }}{{ secret('A') }}";
        assert_eq!(refs(brackets), vec![Input(s("my-input")), Output(s("dbt-command"))]);
        assert_eq!(
            refs("{{ inputs }}{{ inputs['a'] }}{# outputs['c'] #}"),
            vec![Input(s("a")), Other(s("inputs"))]
        );
        let local = "{% set a = inputs.y %}{{ a.b }}{% for i in vars.l %}{{ i }}{{ loop.index }}{% endfor %}";
        assert_eq!(refs(local), vec![Input(s("y")), Var(s("l"))]);
    }

    /// The engine is built once and shared between threads.
    fn _shareable(engine: TemplateEngine) -> impl Send + Sync {
        engine
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVs\nbG8=").unwrap(), "hello");
        assert_eq!(decode_base64("aGVsbG8").unwrap(), "hello");
        assert_eq!(decode_base64("").unwrap(), "");
        for bad in ["aGV*bG8=", "aGVsbG8=x", "a", "aGVsbG8==="] {
            assert_eq!(decode_base64(bad).unwrap_err().kind, TemplateErrorKind::Secret, "{bad}");
        }
        assert!(decode_base64("/w==").unwrap_err().message.contains("UTF-8"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "(\\{\\{|\\}\\}|\\{%|%\\}|\\{#|inputs|\\[|'|[ -~]|é|\n){0,40}", t in "\\PC{0,60}") {
            for s in [s, t] {
                let _ = TemplateEngine::new().check(&s);
                let _ = r(&s);
                let _ = decode_base64(&s);
            }
        }
    }
}
