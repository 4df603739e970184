//! Secret masking, in one place: every secret an attempt reads (through `secret()` while its
//! task is rendered) and every SECRET input of its execution is replaced by `******` in what the
//! attempt stores — its log lines (also those the task prints itself), its output variables,
//! its outputs and its error messages — before anything is stored.

use serde_json::Value;
use sluice_flow::template::SecretSource;
use std::sync::{Arc, Mutex};

/// What a masked secret shows instead.
pub const MASK: &str = "******";

/// Shorter values are not masked: masking `a` or `1` would make every log line unreadable
/// while hiding nothing.
const MIN_LEN: usize = 3;

/// The secrets of one attempt, recorded as they are read, and the masking of its outputs.
pub struct Masker {
    source: Arc<dyn SecretSource>,
    seen: Mutex<Vec<String>>,
}

impl Masker {
    /// A masker reading secrets from `source`.
    pub fn new(source: Arc<dyn SecretSource>) -> Self {
        Masker {
            source,
            seen: Mutex::new(Vec::new()),
        }
    }

    /// Adds a value to mask (a SECRET input, say); each of its lines too when it has several.
    pub fn add(&self, value: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let lines = value.lines().map(str::trim).filter(|l| l.len() >= MIN_LEN);
        for v in std::iter::once(value).chain(lines) {
            if v.len() >= MIN_LEN && !seen.iter().any(|s| s == v) {
                seen.push(v.to_string());
            }
        }
        // The longest first, so a secret that contains another is masked whole.
        seen.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// `text` with every secret replaced by [`MASK`].
    pub fn text(&self, text: &str) -> String {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for secret in seen.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }

    /// Masks every string inside a JSON value, map keys included.
    pub fn value(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                let masked = self.text(s);
                if masked != *s {
                    *s = masked;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (k, mut v) in entries {
                    self.value(&mut v);
                    map.insert(self.text(&k), v);
                }
            }
            _ => {}
        }
    }
}

impl SecretSource for Masker {
    fn secret(&self, name: &str) -> Option<String> {
        let value = self.source.secret(name)?;
        self.add(&value);
        Some(value)
    }

    fn namespaced_secret(&self, namespace: &str, name: &str) -> Result<Option<String>, String> {
        let value = self.source.namespaced_secret(namespace, name)?;
        if let Some(v) = &value {
            self.add(v);
        }
        Ok(value)
    }

    /// KV pairs are not secrets: read through, not masked.
    fn kv(&self, namespace: &str, key: &str) -> Result<Option<serde_json::Value>, String> {
        self.source.kv(namespace, key)
    }

    /// Namespace files are not secrets either.
    fn namespace_file(&self, namespace: &str, path: &str) -> Result<Option<Vec<u8>>, String> {
        self.source.namespace_file(namespace, path)
    }

    fn stored_file(&self, namespace: &str, uri: &str) -> Result<Vec<u8>, String> {
        self.source.stored_file(namespace, uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct One;
    impl SecretSource for One {
        fn secret(&self, name: &str) -> Option<String> {
            (name == "TOKEN").then(|| "s3cr3t-value\nsecond-line".to_string())
        }
    }

    #[test]
    fn secrets_read_are_masked_in_text_and_values() {
        let m = Masker::new(Arc::new(One));
        assert_eq!(m.text("token s3cr3t-value"), "token s3cr3t-value", "nothing read yet");
        assert!(m.secret("TOKEN").is_some());
        assert_eq!(m.text("token s3cr3t-value!"), "token ******!");
        assert_eq!(
            m.text("just second-line here"),
            "just ****** here",
            "each line of a secret"
        );
        let mut v = json!({"out": ["a s3cr3t-value"], "s3cr3t-value": 1, "n": 2});
        m.value(&mut v);
        assert_eq!(v, json!({"out": ["a ******"], "******": 1, "n": 2}));
        m.add("ab");
        assert_eq!(m.text("ab"), "ab", "too short to mask");
    }
}
