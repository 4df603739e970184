//! Filters on lists, maps and numbers: `first`, `join`, `sort`, `slice`, `chunk`, `merge`,
//! `default`, `number`, `numberformat` and friends.

use std::cmp::Ordering;

use serde_json::Value;

use super::{Args, Entry};
use crate::template::scope::{Fail, Scope, fail};
use crate::template::value::defaulted;
use crate::template::value::{Num, equals, java_string, num_of, text, to_num, type_name};

pub(super) const FILTERS: &[Entry] = &[
    ("first", &[], |_, v, _| Ok(end(v, true))),
    ("last", &[], |_, v, _| Ok(end(v, false))),
    ("length", &[], length),
    ("join", &["separator"], join),
    ("keys", &[], |_, v, _| keys_or_values(v, true)),
    ("values", &[], |_, v, _| keys_or_values(v, false)),
    ("sort", &[], |_, v, _| sorted(v, false)),
    ("rsort", &[], |_, v, _| sorted(v, true)),
    ("reverse", &[], reverse),
    ("slice", &["fromIndex", "toIndex"], slice),
    ("chunk", &["size"], chunk),
    ("distinct", &[], distinct),
    ("flatten", &[], flatten),
    ("merge", &["items"], merge),
    ("default", &["default"], |_, v, a| Ok(defaulted(v, a.get(0, "default")))),
    ("abs", &[], abs),
    ("number", &["type"], number),
    ("numberformat", &["format"], numberformat),
];

fn end(v: &Value, first: bool) -> Value {
    match v {
        Value::Array(a) => (if first { a.first() } else { a.last() })
            .cloned()
            .unwrap_or(Value::Null),
        Value::String(s) => {
            let c = if first { s.chars().next() } else { s.chars().next_back() };
            c.map_or(Value::Null, |c| Value::String(c.to_string()))
        }
        Value::Object(m) => (if first {
            m.values().next()
        } else {
            m.values().next_back()
        })
        .cloned()
        .unwrap_or(Value::Null),
        other => other.clone(),
    }
}

fn length(_: &Scope<'_>, v: &Value, _: &Args) -> Result<Value, Fail> {
    Ok(Value::from(match v {
        Value::Null => 0,
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(m) => m.len(),
        other => text(other).chars().count(),
    }))
}

fn want_list<'v>(v: &'v Value, filter: &str) -> Result<&'v Vec<Value>, Fail> {
    v.as_array().ok_or_else(|| {
        Fail::Error(
            format!("`{filter}` works on lists, not {}", type_name(v)),
            Some("`fromJson(text)` turns a JSON string into a list".into()),
        )
    })
}

fn join(_: &Scope<'_>, v: &Value, a: &Args) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let sep = a.str(0, "separator").unwrap_or_default();
    let items = want_list(v, "join")?;
    Ok(Value::String(
        items.iter().map(java_string).collect::<Vec<_>>().join(&sep),
    ))
}

fn keys_or_values(v: &Value, keys: bool) -> Result<Value, Fail> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Object(m) if keys => Ok(Value::Array(m.keys().map(|k| Value::String(k.clone())).collect())),
        Value::Object(m) => Ok(Value::Array(m.values().cloned().collect())),
        Value::Array(a) if keys => Ok(Value::Array((0..a.len()).map(Value::from).collect())),
        Value::Array(a) => Ok(Value::Array(a.clone())),
        other => fail(format!(
            "`{}` works on maps, not {}",
            if keys { "keys" } else { "values" },
            type_name(other)
        )),
    }
}

/// Natural order: numbers by value, strings by text, others after them by their JSON.
fn natural(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            num_of(x).f64().partial_cmp(&num_of(y).f64()).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => java_string(a).cmp(&java_string(b)),
    }
}

fn sorted(v: &Value, reverse: bool) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let mut items = want_list(v, if reverse { "rsort" } else { "sort" })?.clone();
    items.sort_by(natural);
    if reverse {
        items.reverse();
    }
    Ok(Value::Array(items))
}

fn reverse(_: &Scope<'_>, v: &Value, _: &Args) -> Result<Value, Fail> {
    Ok(match v {
        Value::Array(a) => Value::Array(a.iter().rev().cloned().collect()),
        Value::String(s) => Value::String(s.chars().rev().collect()),
        Value::Null => Value::Null,
        other => {
            return fail(format!(
                "`reverse` works on lists and strings, not {}",
                type_name(other)
            ));
        }
    })
}

fn slice(_: &Scope<'_>, v: &Value, a: &Args) -> Result<Value, Fail> {
    let chars: Vec<char>;
    let len = match v {
        Value::Null => return Ok(Value::Null),
        Value::Array(items) => items.len(),
        Value::String(s) => {
            chars = s.chars().collect();
            chars.len()
        }
        other => return fail(format!("`slice` works on lists and strings, not {}", type_name(other))),
    };
    let from = a.int(0, "fromIndex")?.unwrap_or(0);
    let to = a.int(1, "toIndex")?.unwrap_or(len as i64);
    if from < 0 || to < from || to as usize > len {
        return fail(format!(
            "slice({from}, {to}) is out of bounds: there are {len} items (fromIndex ≥ 0, fromIndex ≤ toIndex ≤ {len})"
        ));
    }
    let (from, to) = (from as usize, to as usize);
    Ok(match v {
        Value::Array(items) => Value::Array(items[from..to].to_vec()),
        _ => Value::String(
            v.as_str()
                .unwrap_or_default()
                .chars()
                .skip(from)
                .take(to - from)
                .collect(),
        ),
    })
}

fn chunk(_: &Scope<'_>, v: &Value, a: &Args) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let size = match a.int(0, "size")? {
        Some(n) if n > 0 => n as usize,
        _ => return fail("`chunk` needs a `size` of 1 or more"),
    };
    let items = want_list(v, "chunk")?;
    Ok(Value::Array(
        items.chunks(size).map(|c| Value::Array(c.to_vec())).collect(),
    ))
}

fn distinct(_: &Scope<'_>, v: &Value, _: &Args) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let mut out: Vec<Value> = Vec::new();
    for item in want_list(v, "distinct")? {
        if !out.iter().any(|o| equals(o, item)) {
            out.push(item.clone());
        }
    }
    Ok(Value::Array(out))
}

fn flatten(_: &Scope<'_>, v: &Value, _: &Args) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let mut out = Vec::new();
    for item in want_list(v, "flatten")? {
        match item {
            Value::Array(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Ok(Value::Array(out))
}

fn merge(_: &Scope<'_>, v: &Value, a: &Args) -> Result<Value, Fail> {
    let other = a.need(0, "items", "merge")?;
    Ok(match (v, other) {
        (Value::Array(x), Value::Array(y)) => Value::Array(x.iter().chain(y).cloned().collect()),
        // Pebble adds a map's entries to a list: each is `{key, value}`.
        (Value::Array(x), Value::Object(y)) => {
            let entries = y.iter().map(|(k, v)| serde_json::json!({"key": k, "value": v}));
            Value::Array(x.iter().cloned().chain(entries).collect())
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut m = x.clone();
            m.extend(y.iter().map(|(k, v)| (k.clone(), v.clone())));
            Value::Object(m)
        }
        // Pebble puts each item of a list into a map as a key mapped to itself.
        (Value::Object(x), Value::Array(y)) => {
            let mut m = x.clone();
            m.extend(y.iter().map(|v| (java_string(v), v.clone())));
            Value::Object(m)
        }
        (x, y) => {
            return fail(format!(
                "`merge` joins two lists or two maps, not {} and {}",
                type_name(x),
                type_name(y)
            ));
        }
    })
}

fn abs(_: &Scope<'_>, v: &Value, _: &Args) -> Result<Value, Fail> {
    match to_num(v) {
        Some(Num::Long(n)) => Ok(Value::from(n.saturating_abs())),
        Some(Num::Double(d)) => Ok(Num::Double(d.abs()).value()),
        None if v.is_null() => Ok(Value::Null),
        None => fail(format!("`abs` needs a number, not {}", type_name(v))),
    }
}

fn number(_: &Scope<'_>, v: &Value, a: &Args) -> Result<Value, Fail> {
    let s = match v {
        Value::Null => return Ok(Value::Null),
        Value::String(s) => s.trim(),
        other => {
            return fail(format!(
                "`number` can only be applied to strings, not {} `{}`",
                type_name(other),
                java_string(other)
            ));
        }
    };
    let ty = a.str(0, "type").unwrap_or_default();
    let bad = || {
        Fail::Error(
            format!("`{s}` is not a number"),
            Some("write digits such as `42` or `3.14`".into()),
        )
    };
    let float = || s.parse::<f64>().map(|d| Num::Double(d).value()).map_err(|_| bad());
    let whole = || {
        let digits = s.strip_suffix(['L', 'l']).unwrap_or(s);
        match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
            Some(hex) => i64::from_str_radix(hex, 16),
            None => digits.parse::<i64>(),
        }
        .map(Value::from)
        .map_err(|_| bad())
    };
    match ty.as_str() {
        "INT" | "LONG" | "BIGINTEGER" => whole(),
        "FLOAT" | "DOUBLE" | "BIGDECIMAL" => float(),
        "" if s.contains(['.', 'e', 'E']) => float(),
        "" => whole(),
        other => fail(format!(
            "`number` has no type `{other}`: use INT, LONG, FLOAT, DOUBLE, BIGDECIMAL or BIGINTEGER"
        )),
    }
}

/// Java's `DecimalFormat` for the usual patterns (`#.##`, `0.00`, `#,##0.0`), rounding half-even.
fn numberformat(_: &Scope<'_>, v: &Value, a: &Args) -> Result<Value, Fail> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let Some(n) = to_num(v) else {
        return fail(format!("`numberformat` needs a number, not {}", type_name(v)));
    };
    let full = a.str(0, "format").unwrap_or_else(|| "#,##0.###".into());
    // DecimalFormat: literal prefix and suffix around the digits pattern (`$#,##0.00 USD`).
    let is_digit_pat = |c: char| matches!(c, '#' | '0' | ',' | '.');
    let start = full.find(is_digit_pat).unwrap_or(full.len());
    let end = full.rfind(is_digit_pat).map_or(start, |i| i + 1);
    let (prefix, pattern, suffix) = (&full[..start], &full[start..end], &full[end..]);
    let (int_pat, frac_pat) = pattern.split_once('.').unwrap_or((pattern, ""));
    let min_frac = frac_pat.chars().filter(|c| *c == '0').count();
    let max_frac = frac_pat.chars().filter(|c| *c == '0' || *c == '#').count();
    let min_int = int_pat.chars().filter(|c| *c == '0').count();
    let grouping = int_pat
        .rfind(',')
        .map(|i| int_pat[i + 1..].chars().filter(|c| matches!(c, '0' | '#')).count());
    let x = n.f64();
    let scaled = x.abs() * 10f64.powi(max_frac as i32);
    let mut r = scaled.round();
    if (scaled - scaled.trunc() - 0.5).abs() < 1e-9 && r % 2.0 != 0.0 {
        r -= 1.0; // half-even
    }
    let digits = format!("{:.0}", r);
    let digits = format!("{digits:0>width$}", width = max_frac + 1);
    let (int_part, frac_part) = digits.split_at(digits.len() - max_frac);
    let mut frac = frac_part.trim_end_matches('0').to_string();
    while frac.len() < min_frac {
        frac.push('0');
    }
    let mut int = int_part.trim_start_matches('0').to_string();
    while int.len() < min_int {
        int.insert(0, '0');
    }
    if let Some(g) = grouping.filter(|g| *g > 0) {
        let chars: Vec<char> = int.chars().collect();
        let mut grouped = String::new();
        for (i, c) in chars.iter().enumerate() {
            if i > 0 && (chars.len() - i).is_multiple_of(g) {
                grouped.push(',');
            }
            grouped.push(*c);
        }
        int = grouped;
    }
    let sign = if x < 0.0 && (int.trim_matches(['0', ',']).len() + frac.trim_matches('0').len()) > 0 {
        "-"
    } else {
        ""
    };
    let body = if frac.is_empty() { int } else { format!("{int}.{frac}") };
    let body = if body.is_empty() || body.starts_with('.') {
        format!("0{body}")
    } else {
        body
    };
    let body = if min_int == 0 && body.starts_with("0.") && int_pat.is_empty() {
        body[1..].to_string()
    } else {
        body
    };
    Ok(Value::String(format!("{sign}{prefix}{body}{suffix}")))
}
