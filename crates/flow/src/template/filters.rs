//! Pebble's filters, tests and functions that minijinja lacks or spells differently.
//!
//! Kestra flows call `date` (Java `DateTimeFormatter` patterns), `slugify`, `replace` with
//! a map, `json`/`toJson`, `default` on empty values and `secret('NAME')`; these are the
//! implementations the engine registers, kept apart from the engine so each can be read
//! against Pebble's behaviour on its own.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use jiff::civil::Time;
use jiff::fmt::temporal::Pieces;
use jiff::tz::{Offset, TimeZone};
use minijinja::value::{Kwargs, Object, StringInput, ValueKind};
use minijinja::{Error, ErrorKind, State, Value};

use super::{TemplateError, TemplateErrorKind, terr};

/// Key under which `render` hands the per-render [`Secrets`] to `secret()`.
pub(super) const SECRETS_KEY: &str = "__sluice_secrets";

fn op_err(msg: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Per-render secret cache handed to `secret()` through the context (see `render`).
#[derive(Default)]
pub(super) struct Secrets {
    pub(super) known: BTreeMap<String, Option<String>>,
    pub(super) missing: Mutex<BTreeSet<String>>,
    pub(super) unset: Mutex<Option<String>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<secrets>") // never print values
    }
}

impl Object for Secrets {}

pub(super) fn secret_fn(state: &State, name: &str) -> Result<Value, Error> {
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

pub(super) fn is_empty(v: &Value) -> bool {
    v.is_undefined() || v.is_none() || v.as_str() == Some("") || v.len() == Some(0)
}

pub(super) fn to_json(state: &State, value: &Value) -> Result<String, Error> {
    if value.is_undefined() {
        StringInput::new(state, value)?; // strict: errors naming the undefined path
    }
    serde_json::to_string(value).map_err(|e| op_err(format!("cannot serialize to JSON: {e}")))
}

pub(super) fn replace(state: &State, value: String, from: &Value, to: Option<String>) -> Result<String, Error> {
    match to {
        Some(to) => Ok(value.replace(StringInput::new(state, from)?.as_str(), &to)),
        None if from.kind() == ValueKind::Map => from.try_iter()?.try_fold(value, |out, k| {
            Ok(out.replace(&k.to_string(), &from.get_item(&k)?.to_string()))
        }),
        None => Err(op_err("use replace('a', 'b') or replace({'a': 'b'})".into())),
    }
}

pub(super) fn slugify(value: String) -> String {
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

pub(super) fn date(value: String, format: Option<String>, kwargs: Kwargs) -> Result<String, Error> {
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
