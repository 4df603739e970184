//! Pebble's and Kestra's functions (`{{ name(args) }}`): dates, JSON and YAML, secrets,
//! nested rendering, the context, numbers and identifiers.
//!
//! Kestra functions that need services Sluice does not offer to templates yet are known
//! (so flows that call them validate with a warning) and fail clearly when rendered.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use serde_json::Value;

use super::ast::Call;
use super::filters::{self, Args, DATE_ARGS};
use super::ops::range;
use super::scope::{Fail, Scope, fail};
use super::value::{Num, text, to_num, type_name};

/// What a function does with its evaluated arguments.
type FunctionFn = fn(&Scope<'_>, &Args) -> Result<Value, Fail>;

/// Functions: name, argument names, implementation.
const FUNCTIONS: &[(&str, &[&str], FunctionFn)] = &[
    ("now", DATE_ARGS, |_, a| filters::format_now(a)),
    ("fromJson", &["json"], |_, a| {
        filters::from_json(a.get(0, "json").unwrap_or(&Value::Null))
    }),
    ("json", &["json"], |_, a| {
        filters::from_json(a.get(0, "json").unwrap_or(&Value::Null))
    }),
    ("yaml", &["yaml"], |_, a| {
        filters::from_yaml(a.get(0, "yaml").unwrap_or(&Value::Null))
    }),
    ("secret", &["key", "namespace"], secret),
    ("kv", &["key", "namespace", "errorOnMissing"], kv),
    ("read", &["path", "namespace"], read),
    ("render", &["toRender", "recursive"], |s, a| render(s, a, true)),
    ("renderOnce", &["toRender"], |s, a| render(s, a, false)),
    ("printContext", &[], |s, _| {
        Ok(Value::String(super::value::json(&s.context())))
    }),
    ("fetchContext", &[], |s, _| Ok(s.context())),
    ("range", &["start", "end", "increment"], |_, a| {
        let need = |i, n| {
            a.get(i, n)
                .cloned()
                .ok_or_else(|| Fail::Error(format!("`range` needs `{n}`"), None))
        };
        range(
            &need(0, "start")?,
            &need(1, "end")?,
            a.get(2, "increment").unwrap_or(&Value::from(1)),
        )
    }),
    ("max", &[], |_, a| extreme(a, "max", std::cmp::Ordering::Greater)),
    ("min", &[], |_, a| extreme(a, "min", std::cmp::Ordering::Less)),
    ("randomInt", &["lower", "upper"], random_int),
    ("uuid", &[], |_, _| Ok(Value::String(uuid()))),
    ("id", &[], |_, _| Ok(Value::String(short_id()))),
];

/// Kestra functions that need a service Sluice's templates do not reach yet.
const UNAVAILABLE: &[&str] = &[
    "fileURI",
    "fileSize",
    "fileExists",
    "isFileEmpty",
    "errorLogs",
    "encrypt",
    "decrypt",
    "fromIon",
    "currentEachOutput",
    "tasksWithState",
];

/// True when Sluice runs `name`.
pub(super) fn known(name: &str) -> bool {
    FUNCTIONS.iter().any(|f| f.0 == name)
}

/// True for Kestra functions Sluice knows of but cannot run yet.
pub(super) fn unavailable(name: &str) -> bool {
    UNAVAILABLE.contains(&name)
}

/// Every function name, for suggestions.
pub(super) fn names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|f| f.0).chain(UNAVAILABLE.iter().copied())
}

/// Checks the named arguments of a call to `name`.
pub(super) fn check_args(name: &str, named: &[&str]) -> Result<(), String> {
    let Some((_, allowed, _)) = FUNCTIONS.iter().find(|f| f.0 == name) else {
        return Ok(());
    };
    match named.iter().find(|n| !allowed.contains(n)) {
        Some(bad) if allowed.is_empty() => Err(format!("function `{name}` takes no argument `{bad}`")),
        Some(bad) => Err(format!(
            "function `{name}` has no argument `{bad}`; its arguments are {}",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

/// Calls function `call.name`.
pub(super) fn call(scope: &Scope<'_>, call: &Call) -> Result<Value, Fail> {
    let args = scope.args(&call.args)?;
    match FUNCTIONS.iter().find(|f| f.0 == call.name) {
        Some((_, _, f)) => f(scope, &args),
        None if unavailable(&call.name) => Err(Fail::Error(
            format!("Kestra's function `{}()` is not available in Sluice yet", call.name),
            Some("pass the value in through an input or a previous task's output instead".into()),
        )),
        None => {
            let help = crate::suggest::did_you_mean(&call.name, names()).map(|s| format!("did you mean `{s}()`?"));
            Err(Fail::Error(format!("unknown function `{}`", call.name), help))
        }
    }
}

fn secret(scope: &Scope<'_>, args: &Args) -> Result<Value, Fail> {
    let Some(name) = args.str(0, "key") else {
        return fail("`secret` needs the name of the secret, e.g. `secret('API_TOKEN')`");
    };
    let found = match scope.env.root.pointer("/flow/namespace").and_then(Value::as_str) {
        Some(namespace) => scope
            .env
            .secrets
            .namespaced_secret(namespace, &name)
            .map_err(|m| Fail::Error(format!("`secret('{name}')`: {m}"), None))?,
        None => scope.env.secrets.secret(&name),
    };
    match found {
        Some(value) => Ok(Value::String(value)),
        None => Err(Fail::Secret(name)),
    }
}

/// `kv('KEY', namespace=…, errorOnMissing=true)`: a KV pair of the flow's namespace (or of
/// `namespace`); a missing one fails unless `errorOnMissing=false`, which gives null.
/// Kestra: <https://kestra.io/docs/concepts/kv-store> (and its 0.22 migration note on the default).
fn kv(scope: &Scope<'_>, args: &Args) -> Result<Value, Fail> {
    let Some(key) = args.str(0, "key") else {
        return fail("`kv` needs the key, e.g. `kv('MY_KEY')`");
    };
    let namespace = match args.str(1, "namespace") {
        Some(ns) => ns,
        None => match scope.env.root.pointer("/flow/namespace").and_then(Value::as_str) {
            Some(ns) => ns.to_string(),
            None => return fail("`kv` needs `namespace=` here: there is no `flow.namespace` to default to"),
        },
    };
    let error_on_missing = !matches!(args.get(2, "errorOnMissing"), Some(Value::Bool(false)));
    match scope.env.secrets.kv(&namespace, &key) {
        Ok(Some(value)) => Ok(value),
        Ok(None) if !error_on_missing => Ok(Value::Null),
        Ok(None) => Err(Fail::Error(
            format!("the key '{key}' does not exist in the namespace '{namespace}'"),
            Some(format!(
                "set it with a `io.kestra.plugin.core.kv.Set` task or `PUT /api/v1/namespaces/{namespace}/kv/{key}`, or pass `errorOnMissing=false` to get null"
            )),
        )),
        Err(message) => Err(Fail::Error(format!("`kv('{key}')`: {message}"), None)),
    }
}

/// `read('path', namespace=…)`: the text of a namespace file of the flow's namespace (or of
/// `namespace`), or of an internal-storage file (`read(outputs.t.outputFiles['a.csv'])`) of
/// the flow's namespace.
/// Kestra: <https://kestra.io/docs/concepts/namespace-files> (`read()`).
fn read(scope: &Scope<'_>, args: &Args) -> Result<Value, Fail> {
    let Some(path) = args.str(0, "path") else {
        return fail("`read` needs the file's path, e.g. `read('scripts/query.sql')`");
    };
    if path.starts_with("kestra://") {
        let Some(namespace) = scope.env.root.pointer("/flow/namespace").and_then(Value::as_str) else {
            return fail("`read` of a `kestra://` file needs a flow: there is no `flow.namespace` here");
        };
        return match scope.env.secrets.stored_file(namespace, path.trim()) {
            Ok(bytes) => Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
            Err(message) => Err(Fail::Error(format!("`read('{path}')`: {message}"), None)),
        };
    }
    let namespace = match args.str(1, "namespace") {
        Some(ns) => ns,
        None => match scope.env.root.pointer("/flow/namespace").and_then(Value::as_str) {
            Some(ns) => ns.to_string(),
            None => return fail("`read` needs `namespace=` here: there is no `flow.namespace` to default to"),
        },
    };
    let normalized = crate::namespace_files::normalize(&path).map_err(|m| Fail::Error(m, None))?;
    match scope.env.secrets.namespace_file(&namespace, &normalized) {
        Ok(Some(bytes)) => Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        Ok(None) => Err(Fail::Error(
            format!("namespace `{namespace}` has no file `{normalized}`"),
            Some(format!(
                "upload it with `POST /api/v1/namespaces/{namespace}/files?path=/{normalized}` or put it under `_files/{namespace}/` of the flows folder"
            )),
        )),
        Err(message) => Err(Fail::Error(format!("`read('{path}')`: {message}"), None)),
    }
}

/// `render(value)`: renders a string that holds a template, again until it stops changing
/// when `recursive` (Kestra's default), once otherwise; lists and maps have every string
/// inside them rendered (Kestra's `renderObject`), other values come back as they are.
fn render(scope: &Scope<'_>, args: &Args, default_recursive: bool) -> Result<Value, Fail> {
    let recursive = match args.get(1, "recursive") {
        Some(Value::Bool(b)) => *b,
        _ => default_recursive,
    };
    match args.get(0, "toRender") {
        None => Ok(Value::Null),
        Some(v) => render_value(scope, v, recursive),
    }
}

fn render_value(scope: &Scope<'_>, v: &Value, recursive: bool) -> Result<Value, Fail> {
    Ok(match v {
        Value::String(s) => Value::String(render_text(scope, s, recursive)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| render_value(scope, i, recursive))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                out.insert(render_text(scope, k, recursive)?, render_value(scope, v, recursive)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

fn render_text(scope: &Scope<'_>, source: &str, recursive: bool) -> Result<String, Fail> {
    let mut current = source.to_string();
    for _ in 0..if recursive { super::MAX_DEPTH } else { 1 } {
        if !super::is_template(&current) {
            break;
        }
        let next = scope.render_nested(&current)?;
        if next == current {
            break;
        }
        current = next;
    }
    Ok(current)
}

fn extreme(args: &Args, name: &str, want: std::cmp::Ordering) -> Result<Value, Fail> {
    let mut best: Option<&Value> = None;
    for v in &args.pos {
        let Some(n) = to_num(v) else {
            return fail(format!("`{name}` compares numbers, not {} `{}`", type_name(v), text(v)));
        };
        let better = match best.and_then(to_num) {
            None => true,
            Some(b) => n.f64().partial_cmp(&b.f64()) == Some(want),
        };
        if better {
            best = Some(v);
        }
    }
    Ok(best.cloned().unwrap_or(Value::Null))
}

fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// `randomInt(lower, upper)`: a whole number in `[lower, upper)`, `lower` when they are
/// equal; both must be numbers (Kestra refuses the string `"1"`).
fn random_int(_: &Scope<'_>, args: &Args) -> Result<Value, Fail> {
    let bound = |i, n| match args.get(i, n) {
        Some(v @ Value::Number(_)) => match to_num(v) {
            Some(Num::Long(v)) => Ok(v),
            _ => Err(Fail::Error(format!("`randomInt` needs a whole number `{n}`"), None)),
        },
        Some(v) => Err(Fail::Error(
            format!(
                "`randomInt` needs a whole number `{n}`, not {} `{}`",
                type_name(v),
                text(v)
            ),
            None,
        )),
        None => Err(Fail::Error(format!("`randomInt` needs its argument `{n}`"), None)),
    };
    let (lower, upper) = (bound(0, "lower")?, bound(1, "upper")?);
    if upper < lower {
        return fail(format!("`randomInt`: `upper` ({upper}) is less than `lower` ({lower})"));
    }
    if upper == lower {
        return Ok(Value::from(lower));
    }
    let span = upper.abs_diff(lower);
    Ok(Value::from(lower.wrapping_add_unsigned(random_u64() % span)))
}

/// A random (version 4) UUID.
fn uuid() -> String {
    let (a, b) = (random_u64(), random_u64());
    let hi = (a & 0xffff_ffff_ffff_0fff) | 0x4000;
    let lo = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    let h = format!("{hi:016x}{lo:016x}");
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// A short random id as Kestra's `IdUtils.create()`: 22 base-62 characters.
fn short_id() -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut n = (u128::from(random_u64()) << 64) | u128::from(random_u64());
    (0..22)
        .map(|_| {
            let d = DIGITS[usize::try_from(n % 62).unwrap_or(0)];
            n /= 62;
            char::from(d)
        })
        .collect()
}
