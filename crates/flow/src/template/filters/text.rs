//! Filters on text: case, trimming, slices of strings, replacing, splitting, escaping and
//! indenting, as Pebble's core and Kestra's extension define them.

use serde_json::{Map, Value};

use super::{Args, Entry, want_str};
use crate::template::scope::{Fail, Scope, fail};
use crate::template::value::{java_string, text};

pub(super) const FILTERS: &[Entry] = &[
    ("abbreviate", &["length"], abbreviate),
    ("capitalize", &[], capitalize),
    ("title", &[], title),
    ("lower", &[], |_, v, _| map_str(v, "lower", str::to_lowercase)),
    ("upper", &[], |_, v, _| map_str(v, "upper", str::to_uppercase)),
    ("trim", &[], |_, v, _| map_str(v, "trim", |s| s.trim().to_string())),
    ("nl2br", &[], |_, v, _| {
        map_str(v, "nl2br", |s| s.replace('\n', "<br />"))
    }),
    ("replace", &["replace_pairs", "regexp"], replace),
    ("slugify", &[], |_, v, _| map_str(v, "slugify", slugify)),
    ("split", &["delimiter", "limit"], split),
    ("startsWith", &["value"], |_, v, a| affix(v, a, "startsWith", true)),
    ("endsWith", &["value"], |_, v, a| affix(v, a, "endsWith", false)),
    ("substringBefore", &["separator"], |_, v, a| {
        substring(v, a, "substringBefore")
    }),
    ("substringBeforeLast", &["separator"], |_, v, a| {
        substring(v, a, "substringBeforeLast")
    }),
    ("substringAfter", &["separator"], |_, v, a| {
        substring(v, a, "substringAfter")
    }),
    ("substringAfterLast", &["separator"], |_, v, a| {
        substring(v, a, "substringAfterLast")
    }),
    ("escapeChar", &["type"], escape_char),
    ("indent", &["amount", "prefix"], |_, v, a| indent(v, a, false)),
    ("nindent", &["amount", "prefix"], |_, v, a| indent(v, a, true)),
    ("string", &[], |_, v, _| Ok(Value::String(java_string(v)))),
    ("className", &[], class_name),
];

fn map_str(v: &Value, filter: &str, f: impl Fn(&str) -> String) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::String(f(&want_str(v, filter)?)))
}

fn abbreviate(_: &Scope<'_>, v: &Value, a: &Args) -> Result<Value, Fail> {
    let max = a.int(0, "length")?.unwrap_or(0);
    if max < 0 {
        return fail("`abbreviate` needs a length of 0 or more");
    }
    let max = max as usize;
    map_str(v, "abbreviate", |s| {
        let chars: Vec<char> = s.chars().collect();
        match chars.len() <= max {
            true => s.to_string(),
            false if max <= 3 => chars[..max].iter().collect(),
            false => chars[..max - 3].iter().collect::<String>() + "...",
        }
    })
}

/// Pebble's `capitalize`: the first character after any leading whitespace is upper-cased.
fn capitalize(_: &Scope<'_>, v: &Value, _: &Args) -> Result<Value, Fail> {
    map_str(v, "capitalize", |s| {
        let start = s.len() - s.trim_start().len();
        let (lead, rest) = s.split_at(start);
        let mut chars = rest.chars();
        match chars.next() {
            Some(c) => lead.chars().chain(c.to_uppercase()).chain(chars).collect(),
            None => s.to_string(),
        }
    })
}

fn title(_: &Scope<'_>, v: &Value, _: &Args) -> Result<Value, Fail> {
    map_str(v, "title", |s| {
        let mut out = String::with_capacity(s.len());
        let mut start = true;
        for c in s.chars() {
            // Pebble's `title` upper-cases the first letter of each word, leaving the rest.
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            start = c.is_whitespace();
        }
        out
    })
}

/// Applies `f` to every string in `v`, recursing into lists and maps (Kestra's
/// `replace` and `escapeChar` do this); other scalars are turned into text first.
fn deep(v: &Value, f: &dyn Fn(&str) -> Result<String, Fail>) -> Result<Value, Fail> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Array(items) => Value::Array(items.iter().map(|i| deep(i, f)).collect::<Result<_, _>>()?),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(k.clone(), deep(v, f)?);
            }
            Value::Object(out)
        }
        other => Value::String(f(&text(other))?),
    })
}

fn replace(_: &Scope<'_>, v: &Value, a: &Args) -> Result<Value, Fail> {
    let regexp = matches!(a.get(1, "regexp"), Some(Value::Bool(true)));
    let pairs: Vec<(String, String)> = match (a.get(0, "replace_pairs"), a.pos.get(1)) {
        (Some(Value::Object(m)), _) => m.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
        (Some(from), Some(to)) if !to.is_boolean() => vec![(text(from), text(to))],
        _ => {
            return Err(Fail::Error(
                "`replace` needs a map of replacements".into(),
                Some("write `replace({'old': 'new'})`, with `regexp=true` for patterns".into()),
            ));
        }
    };
    let mut compiled = Vec::new();
    if regexp {
        for (from, to) in &pairs {
            let re = regex::Regex::new(from).map_err(|e| Fail::Error(format!("bad pattern `{from}`: {e}"), None))?;
            compiled.push((re, java_replacement(to)));
        }
    }
    deep(v, &|s| {
        let mut out = s.to_string();
        if regexp {
            for (re, to) in &compiled {
                out = re.replace_all(&out, to.as_str()).into_owned();
            }
        } else {
            for (from, to) in &pairs {
                out = out.replace(from.as_str(), to);
            }
        }
        Ok(out)
    })
}

/// Java's `$1` group references become the regex crate's `${1}`.
fn java_replacement(to: &str) -> String {
    let mut out = String::new();
    let mut chars = to.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(
                chars
                    .next()
                    .map(|n| if n == '$' { "$$".to_string() } else { n.to_string() }),
            ),
            '$' => {
                let digits: String = std::iter::from_fn(|| chars.next_if(char::is_ascii_digit)).collect();
                out.push_str(&format!("${{{digits}}}"));
            }
            c => out.push(c),
        }
    }
    out
}

/// Lower-case ASCII words joined by `-` (Kestra's `slugify`).
pub(crate) fn slugify(value: &str) -> String {
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

fn split(_: &Scope<'_>, v: &Value, a: &Args) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let s = want_str(v, "split")?;
    let delim = text(a.need(0, "delimiter", "split")?);
    let limit = a.int(1, "limit")?.unwrap_or(0);
    // Pebble splits with Java's String.split: the delimiter is a regular expression.
    let re = regex::Regex::new(&delim).map_err(|e| Fail::Error(format!("bad delimiter `{delim}`: {e}"), None))?;
    let mut parts: Vec<&str> = match limit > 0 {
        true => re.splitn(&s, limit as usize).collect(),
        false => re.split(&s).collect(),
    };
    if limit == 0 {
        while parts.last() == Some(&"") {
            parts.pop();
        }
    }
    Ok(Value::Array(
        parts.into_iter().map(|p| Value::String(p.into())).collect(),
    ))
}

fn affix(v: &Value, a: &Args, filter: &str, start: bool) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Bool(false));
    }
    let s = want_str(v, filter)?;
    let x = text(a.need(0, "value", filter)?);
    Ok(Value::Bool(if start { s.starts_with(&x) } else { s.ends_with(&x) }))
}

/// Apache Commons' `StringUtils.substring*`, as Kestra uses them.
fn substring(v: &Value, a: &Args, filter: &str) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let s = want_str(v, filter)?;
    let sep = a.str(0, "separator").unwrap_or_default();
    let found = match filter {
        "substringBefore" | "substringAfter" => s.find(&sep),
        _ => s.rfind(&sep),
    };
    Ok(Value::String(match (filter, found) {
        ("substringBefore" | "substringBeforeLast", Some(i)) => s[..i].to_string(),
        ("substringBefore" | "substringBeforeLast", None) => s.to_string(),
        (_, Some(i)) => s[i + sep.len()..].to_string(),
        (_, None) => String::new(),
    }))
}

fn escape_char(_: &Scope<'_>, v: &Value, a: &Args) -> Result<Value, Fail> {
    let ty = a.str(0, "type").unwrap_or_default();
    let (from, to) = match ty.as_str() {
        "single" => ("'", "\\'"),
        "double" => ("\"", "\\\""),
        "shell" => ("'", "'\\''"),
        _ => {
            return Err(Fail::Error(
                format!("`escapeChar` has no type `{ty}`"),
                Some("write `escapeChar('single')`, `escapeChar('double')` or `escapeChar('shell')`".into()),
            ));
        }
    };
    deep(v, &|s| Ok(s.replace(from, to)))
}

fn indent(v: &Value, a: &Args, new_line: bool) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let s = text(v);
    if s.is_empty() {
        return Ok(Value::String(s));
    }
    let name = if new_line { "nindent" } else { "indent" };
    let amount = match a.int(0, "amount")? {
        Some(n) if n >= 0 => n as usize,
        _ => return fail(format!("`{name}` needs a whole number `amount` of 0 or more")),
    };
    let prefix = a.str(1, "prefix").unwrap_or_else(|| " ".into()).repeat(amount);
    let nl = ["\r\n", "\n\r", "\n", "\r"]
        .into_iter()
        .find(|n| s.contains(n))
        .unwrap_or("\n");
    let s = if new_line { format!("{nl}{s}") } else { s };
    Ok(Value::String(s.replace(nl, &format!("{nl}{prefix}"))))
}

/// The Java class Kestra would have for this value.
fn class_name(_: &Scope<'_>, v: &Value, _: &Args) -> Result<Value, Fail> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Bool(_) => "java.lang.Boolean".into(),
        Value::Number(n) if n.is_f64() => "java.lang.Double".into(),
        Value::Number(_) => "java.lang.Long".into(),
        Value::String(_) => "java.lang.String".into(),
        Value::Array(_) => "java.util.ArrayList".into(),
        Value::Object(_) => "java.util.LinkedHashMap".into(),
    })
}
