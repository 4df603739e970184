//! Encoding filters: base64 (Pebble), URL encoding as Java's `URLEncoder`/`URLDecoder`
//! (form encoding: a space is `+`), and hex digests (`md5`, `sha1`, `sha256`, `sha512`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sha2::Digest;

use super::{Entry, want_str};
use crate::template::scope::{Fail, fail};

pub(super) const FILTERS: &[Entry] = &[
    ("base64encode", &[], |_, v, _| {
        str_to(v, "base64encode", |s| Ok(STANDARD.encode(s)))
    }),
    ("base64decode", &[], |_, v, _| str_to(v, "base64decode", base64_text)),
    ("urlencode", &[], |_, v, _| str_to(v, "urlencode", |s| Ok(urlencode(s)))),
    ("urldecode", &[], |_, v, _| str_to(v, "urldecode", urldecode)),
    ("md5", &[], |_, v, _| {
        str_to(v, "md5", |s| Ok(hex(&md5::Md5::digest(s))))
    }),
    ("sha1", &[], |_, v, _| {
        str_to(v, "sha1", |s| Ok(hex(&sha1::Sha1::digest(s))))
    }),
    ("sha256", &[], |_, v, _| {
        str_to(v, "sha256", |s| Ok(hex(&sha2::Sha256::digest(s))))
    }),
    ("sha512", &[], |_, v, _| {
        str_to(v, "sha512", |s| Ok(hex(&sha2::Sha512::digest(s))))
    }),
];

fn str_to(v: &Value, name: &str, f: impl Fn(&str) -> Result<String, Fail>) -> Result<Value, Fail> {
    match v {
        Value::Null => Ok(Value::Null),
        _ => f(&want_str(v, name)?).map(Value::String),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64_text(s: &str) -> Result<String, Fail> {
    let bytes = STANDARD
        .decode(s.trim())
        .map_err(|e| Fail::Error(format!("`base64decode` was given text that is not base64: {e}"), None))?;
    String::from_utf8(bytes).or_else(|_| fail("`base64decode`: the decoded bytes are not UTF-8 text"))
}

/// Java's `URLEncoder.encode(s, UTF_8)`.
pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Java's `URLDecoder.decode(s, UTF_8)`.
fn urldecode(s: &str) -> Result<String, Fail> {
    let (b, mut out, mut i) = (s.as_bytes(), Vec::with_capacity(s.len()), 0);
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let byte = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
                let Some(byte) = byte else {
                    return fail(format!("`urldecode`: `%` at {i} is not followed by two hex digits"));
                };
                out.push(byte);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).or_else(|_| fail("`urldecode`: the decoded bytes are not UTF-8 text"))
}
