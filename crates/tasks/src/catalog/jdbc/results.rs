//! The rows of a query as Kestra hands them back: a column's text turned into a JSON number,
//! boolean or document by its type, and the rows kept as `fetchType` says.

use super::FetchType;
use serde_json::{Map, Value};
use std::io::Write;
use std::path::PathBuf;

/// A cell's text as JSON, by the database's type name for its column.
pub(crate) fn typed(type_name: &str, text: Option<String>) -> Value {
    let Some(text) = text else { return Value::Null };
    match type_name {
        "INT2" | "INT4" | "INT8" | "OID" => text.parse::<i64>().map(Value::from).unwrap_or(Value::String(text)),
        "FLOAT4" | "FLOAT8" | "NUMERIC" => match text.parse::<f64>() {
            Ok(f) if f.is_finite() && f.fract() == 0.0 && type_name == "NUMERIC" && !text.contains('.') => {
                text.parse::<i64>().map(Value::from).unwrap_or(Value::from(f))
            }
            Ok(f) if f.is_finite() => Value::from(f),
            _ => Value::String(text),
        },
        "BOOL" => Value::Bool(text == "t" || text == "true"),
        "JSON" | "JSONB" => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        _ => Value::String(text),
    }
}

/// Rows as they come, kept as the fetch type asks.
pub(crate) struct Results {
    fetch: FetchType,
    rows: Vec<Value>,
    store: Option<std::io::BufWriter<std::fs::File>>,
    size: u64,
}

impl Results {
    /// Rows kept as `fetch` says; STORE writes them to `path`.
    pub(crate) fn new(fetch: FetchType, path: Option<&PathBuf>) -> Result<Self, String> {
        let store = match (fetch, path) {
            (FetchType::Store, Some(path)) => Some(std::io::BufWriter::new(
                std::fs::File::create(path).map_err(|e| format!("cannot write the rows: {e}"))?,
            )),
            _ => None,
        };
        Ok(Results {
            fetch,
            rows: Vec::new(),
            store,
            size: 0,
        })
    }

    /// One more row.
    pub(crate) fn push(&mut self, row: Map<String, Value>) -> Result<(), String> {
        self.size += 1;
        match self.fetch {
            FetchType::FetchOne if self.rows.is_empty() => self.rows.push(Value::Object(row)),
            FetchType::Fetch => self.rows.push(Value::Object(row)),
            FetchType::Store => {
                if let Some(out) = self.store.as_mut() {
                    writeln!(out, "{}", sluice_flow::ion::write(&Value::Object(row)))
                        .map_err(|e| format!("cannot write the rows: {e}"))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The outputs: `row`, `rows` or `size`, and for STORE the file to store (at `uri`).
    pub(crate) fn finish(self) -> Result<(Map<String, Value>, bool), String> {
        let mut stored = false;
        if let Some(mut out) = self.store {
            out.flush().map_err(|e| format!("cannot write the rows: {e}"))?;
            stored = true;
        }
        Ok((rows_outputs(self.fetch, self.rows, self.size), stored))
    }
}

/// Kestra's outputs for rows kept as `fetch` says (`uri` is added by the caller for STORE).
pub(crate) fn rows_outputs(fetch: FetchType, mut rows: Vec<Value>, size: u64) -> Map<String, Value> {
    let mut out = Map::new();
    match fetch {
        FetchType::FetchOne => {
            out.insert("row".into(), rows.drain(..).next().unwrap_or(Value::Null));
            out.insert("size".into(), Value::from(size.min(1)));
        }
        FetchType::Fetch => {
            out.insert("rows".into(), Value::Array(rows));
            out.insert("size".into(), Value::from(size));
        }
        FetchType::Store => {
            out.insert("size".into(), Value::from(size));
        }
        FetchType::None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::typed;
    use serde_json::json;

    #[test]
    fn cells_keep_their_column_types() {
        assert_eq!(typed("INT4", Some("42".into())), json!(42));
        assert_eq!(typed("NUMERIC", Some("12.50".into())), json!(12.5));
        assert_eq!(typed("BOOL", Some("t".into())), json!(true));
        assert_eq!(typed("JSONB", Some("{\"a\": [1]}".into())), json!({"a": [1]}));
        assert_eq!(typed("DATE", Some("2024-01-31".into())), json!("2024-01-31"));
        assert_eq!(typed("TEXT", None), json!(null));
    }
}
