//! Records of an Ion file read one at a time, for FilterItems and DeduplicateItems: lines are
//! gathered until they hold one whole value (Kestra writes one record per line; a value spread
//! over lines is read too), so a large file is never held in memory.

use serde_json::Value;
use std::path::Path;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};

/// The records of an Ion file, read as they are asked for.
pub(crate) struct Records {
    lines: tokio::io::Lines<BufReader<tokio::fs::File>>,
    pending: String,
    ready: std::collections::VecDeque<Value>,
}

impl Records {
    /// Opens the file at `path`.
    pub(crate) async fn open(path: &Path) -> Result<Records, String> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| format!("cannot read the file: {e}"))?;
        Ok(Records {
            lines: BufReader::new(file).lines(),
            pending: String::new(),
            ready: std::collections::VecDeque::new(),
        })
    }

    /// The next record, `None` at the end.
    pub(crate) async fn next(&mut self) -> Result<Option<Value>, String> {
        loop {
            if let Some(value) = self.ready.pop_front() {
                return Ok(Some(value));
            }
            let Some(line) = self
                .lines
                .next_line()
                .await
                .map_err(|e| format!("cannot read the file: {e}"))?
            else {
                if self.pending.trim().is_empty() {
                    return Ok(None);
                }
                let values =
                    sluice_flow::ion::parse(&self.pending).map_err(|e| format!("the file is not Ion records: {e}"))?;
                self.pending.clear();
                self.ready.extend(values);
                continue;
            };
            self.pending.push_str(&line);
            self.pending.push('\n');
            if let Ok(values) = sluice_flow::ion::parse(&self.pending) {
                self.pending.clear();
                self.ready.extend(values);
            }
        }
    }
}

/// Writes records as Ion, one per line.
pub(crate) struct IonWriter(BufWriter<tokio::fs::File>);

impl IonWriter {
    /// A new file at `path`.
    pub(crate) async fn create(path: &Path) -> Result<IonWriter, String> {
        let file = tokio::fs::File::create(path)
            .await
            .map_err(|e| format!("cannot write the result: {e}"))?;
        Ok(IonWriter(BufWriter::new(file)))
    }

    /// Appends one record.
    pub(crate) async fn write(&mut self, value: &Value) -> Result<(), String> {
        let mut line = sluice_flow::ion::write(value);
        line.push('\n');
        self.0
            .write_all(line.as_bytes())
            .await
            .map_err(|e| format!("cannot write the result: {e}"))
    }

    /// Flushes the file.
    pub(crate) async fn finish(mut self) -> Result<(), String> {
        self.0
            .flush()
            .await
            .map_err(|e| format!("cannot write the result: {e}"))
    }
}
