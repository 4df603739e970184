//! Amazon Ion text, as Kestra's tasks write their record files (`.ion`): one value per record,
//! usually a struct per line, `{id:1,name:"Ada",at:2024-01-31T10:00:00Z}`. This reads the part
//! of Ion those files use into JSON values — structs, lists and s-expressions, strings, symbols
//! (as strings), integers, decimals and floats, booleans, typed nulls, timestamps (as strings),
//! blobs and clobs (as their text) — skipping annotations and comments, and writes JSON values
//! back as Ion text.
//!
//! Ion: <https://amazon-ion.github.io/ion-docs/docs/spec.html>; Kestra's use:
//! <https://kestra.io/docs/developer-guide/data-formats> (internal storage files are Ion).

use serde_json::{Map, Number, Value};

/// Every top-level value of an Ion text, in order.
pub fn parse(text: &str) -> Result<Vec<Value>, String> {
    let mut reader = Reader { text, pos: 0 };
    let mut out = Vec::new();
    loop {
        reader.skip_space()?;
        if reader.pos >= text.len() {
            return Ok(out);
        }
        out.push(reader.value()?);
    }
}

/// One value as Ion text (on one line).
pub fn write(value: &Value) -> String {
    let mut out = String::new();
    write_into(value, &mut out);
    out
}

fn write_into(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let text = n.to_string();
            // A JSON float such as `1.5e3` is an Ion float; `1.5` an Ion decimal: both read back.
            out.push_str(&text);
        }
        Value::String(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_into(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if is_identifier(key) {
                    out.push_str(key);
                } else {
                    out.push_str(&serde_json::to_string(key).unwrap_or_default());
                }
                out.push(':');
                write_into(item, out);
            }
            out.push('}');
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !matches!(s, "null" | "true" | "false" | "nan")
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn fail<T>(&self, what: &str) -> Result<T, String> {
        let line = self.text[..self.pos].matches('\n').count() + 1;
        Err(format!("Ion text, line {line}: {what}"))
    }

    fn skip_space(&mut self) -> Result<(), String> {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else if trimmed.starts_with("/*") {
                match trimmed.find("*/") {
                    Some(end) => self.pos += end + 2,
                    None => return self.fail("a comment is not closed"),
                }
            } else {
                return Ok(());
            }
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        self.skip_space()?;
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            self.fail(&format!("expected `{c}`"))
        }
    }

    /// A value, after its annotations (`a::b::value`).
    fn value(&mut self) -> Result<Value, String> {
        self.skip_space()?;
        let value = match self.peek() {
            None => return self.fail("a value is missing"),
            Some('{') if self.rest().starts_with("{{") => self.lob()?,
            Some('{') => self.structure()?,
            Some('[') => Value::Array(self.sequence('[', ']')?),
            Some('(') => Value::Array(self.sequence('(', ')')?),
            Some('"') => Value::String(self.string('"')?),
            Some('\'') if self.rest().starts_with("'''") => Value::String(self.long_strings()?),
            Some('\'') => Value::String(self.string('\'')?),
            Some(_) => self.atom()?,
        };
        self.skip_space()?;
        if self.rest().starts_with("::") {
            // What came was an annotation: the value follows.
            self.pos += 2;
            return self.value();
        }
        Ok(value)
    }

    fn structure(&mut self) -> Result<Value, String> {
        self.expect('{')?;
        let mut map = Map::new();
        loop {
            self.skip_space()?;
            if self.peek() == Some('}') {
                self.pos += 1;
                return Ok(Value::Object(map));
            }
            let key = match self.peek() {
                Some('"') => self.string('"')?,
                Some('\'') if self.rest().starts_with("'''") => self.long_strings()?,
                Some('\'') => self.string('\'')?,
                _ => self.word(),
            };
            if key.is_empty() {
                return self.fail("a struct field has no name");
            }
            self.expect(':')?;
            let item = self.value()?;
            map.insert(key, item);
            self.skip_space()?;
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {}
                _ => return self.fail("expected `,` or `}` in a struct"),
            }
        }
    }

    fn sequence(&mut self, open: char, close: char) -> Result<Vec<Value>, String> {
        self.expect(open)?;
        let mut items = Vec::new();
        loop {
            self.skip_space()?;
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(items);
            }
            items.push(self.value()?);
            self.skip_space()?;
            if self.peek() == Some(',') {
                self.pos += 1;
            } else if open == '[' && self.peek() != Some(close) {
                return self.fail("expected `,` or `]` in a list");
            }
        }
    }

    /// A quoted string or symbol, with JSON's escapes and Ion's `\xHH`.
    fn string(&mut self, quote: char) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => {
                    let Some((_, e)) = chars.next() else { break };
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        '0' => out.push('\0'),
                        'x' | 'u' | 'U' => {
                            let len = match e {
                                'x' => 2,
                                'u' => 4,
                                _ => 8,
                            };
                            let hex: String = chars.by_ref().take(len).map(|(_, h)| h).collect();
                            let code = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                            match code {
                                Some(c) => out.push(c),
                                None => return self.fail("a bad escape in a string"),
                            }
                        }
                        '\n' => {}
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
        self.fail("a string is not closed")
    }

    /// `'''a''' '''b'''`: one string made of the parts.
    fn long_strings(&mut self) -> Result<String, String> {
        let mut out = String::new();
        while self.rest().starts_with("'''") {
            self.pos += 3;
            let Some(end) = self.rest().find("'''") else {
                return self.fail("a long string is not closed");
            };
            out.push_str(&self.rest()[..end]);
            self.pos += end + 3;
            self.skip_space()?;
        }
        Ok(out)
    }

    /// `{{ base64 }}` or `{{ "clob" }}`: the text inside.
    fn lob(&mut self) -> Result<Value, String> {
        self.pos += 2;
        let Some(end) = self.rest().find("}}") else {
            return self.fail("a blob is not closed");
        };
        let inner = self.rest()[..end].trim().trim_matches('"').to_string();
        self.pos += end + 2;
        Ok(Value::String(inner))
    }

    /// The characters of a bare word: a symbol, a number, a timestamp, a keyword.
    fn word(&mut self) -> String {
        let rest = self.rest();
        let end = rest
            .find(|c: char| c.is_whitespace() || ",:{}[]()\"'".contains(c))
            .unwrap_or(rest.len());
        self.pos += end;
        rest[..end].to_string()
    }

    fn atom(&mut self) -> Result<Value, String> {
        let start = self.pos;
        let rest = self.rest();
        // A timestamp holds `:` (10:00:00), so it is read to the next separator but `:`.
        let looks_like_time =
            rest.len() > 10 && rest.as_bytes()[4] == b'-' && rest[..4].bytes().all(|b| b.is_ascii_digit());
        let word = if looks_like_time {
            let end = rest
                .find(|c: char| c.is_whitespace() || ",{}[]()\"'".contains(c))
                .unwrap_or(rest.len());
            self.pos += end;
            rest[..end].to_string()
        } else {
            self.word()
        };
        if word.is_empty() {
            self.pos = start;
            return self.fail(&format!("unexpected `{}`", self.peek().unwrap_or(' ')));
        }
        Ok(match word.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            w if w == "null" || w.starts_with("null.") => Value::Null,
            w if looks_like_time => Value::String(w.to_string()),
            w => number(w).unwrap_or_else(|| Value::String(w.to_string())),
        })
    }
}

/// An Ion number as JSON: `42`, `-1_000`, `1.5`, `1.5d2`, `2e3`, `0x1F`; `None` if not one.
fn number(word: &str) -> Option<Value> {
    let clean = word.replace('_', "");
    if let Some(hex) = clean.strip_prefix("0x").or_else(|| clean.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok().map(Value::from);
    }
    if let Ok(i) = clean.parse::<i64>() {
        return Some(Value::from(i));
    }
    let as_float = clean.replace(['d', 'D'], "e");
    let f: f64 = as_float.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::{parse, write};
    use serde_json::json;

    #[test]
    fn kestras_record_files_read_and_write_back() {
        let text = "{id:1,name:\"Ada\",'full name':\"Ada L.\",at:2024-01-31T10:00:00Z,score:1.5d1,tags:[a,\"b\"],ok:true,none:null.int}\n\
                    // a comment\n{id:2,name:\"Bob\\n\",nested:{x:0x10},sexp:(1 2)}\n";
        let values = parse(text).unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(values[0]["id"], json!(1));
        assert_eq!(values[0]["full name"], json!("Ada L."));
        assert_eq!(values[0]["at"], json!("2024-01-31T10:00:00Z"));
        assert_eq!(values[0]["score"], json!(15.0));
        assert_eq!(values[0]["tags"], json!(["a", "b"]));
        assert_eq!(values[0]["none"], json!(null));
        assert_eq!(values[1]["name"], json!("Bob\n"));
        assert_eq!(values[1]["nested"]["x"], json!(16));
        assert_eq!(values[1]["sexp"], json!([1, 2]));
        let written = write(&values[0]);
        assert_eq!(parse(&written).unwrap()[0], values[0], "{written}");
        assert_eq!(write(&json!({"full name": "x", "id": 1})), r#"{"full name":"x",id:1}"#);
        assert!(parse("{id:1").is_err());
        assert!(parse("annot::{a:1}").unwrap()[0]["a"] == json!(1));
    }
}
