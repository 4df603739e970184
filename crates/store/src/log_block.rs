//! The stored form of a block of log lines: consecutive lines of one execution from one source
//! (task run, task and attempt), as a JSON array of `[at, level, message]`.
//!
//! Both backends store this text. JSON rather than a binary layout so that the `log_lines` views
//! can show the lines with the databases' own JSON functions; encoding is a hand-written loop
//! because it is the hot path of the store.

use crate::codec::nanos;
use crate::{Level, LogLine, Result, StoreError};
use std::fmt::Write;

/// At most this many lines in a block: reading a page decodes whole blocks, so they stay small.
const MAX_LINES: usize = 1024;

/// A block is closed once its JSON reaches this size, so very long lines make short blocks.
const MAX_BYTES: usize = 256 * 1024;

/// One encoded block, ready to insert.
pub(crate) struct Block {
    /// How many lines it holds.
    pub lines: usize,
    /// The most severe level among them, as a [`Level::rank`].
    pub max_level: u8,
    /// The JSON array.
    pub json: String,
}

/// Takes the next block off the front of `run` (lines that share their source) and encodes it.
pub(crate) fn encode_next(run: &mut &[&LogLine]) -> Result<Block> {
    let mut json = String::with_capacity(run.len().min(MAX_LINES) * 96);
    json.push('[');
    let mut lines = 0;
    let mut max_level = 0;
    for line in run.iter() {
        if lines == MAX_LINES || (lines > 0 && json.len() >= MAX_BYTES) {
            break;
        }
        if lines > 0 {
            json.push(',');
        }
        let rank = line.level.rank();
        max_level = max_level.max(rank);
        json.push('[');
        push_integer(&mut json, nanos(line.at)?);
        json.push(',');
        json.push(char::from(b'0' + rank));
        json.push(',');
        push_json_string(&mut json, &line.message);
        json.push(']');
        lines += 1;
    }
    json.push(']');
    *run = &run[lines..];
    Ok(Block { lines, max_level, json })
}

/// Appends the decimal digits of `n` (faster than `write!`, which matters a million times a second).
fn push_integer(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut rest = n.unsigned_abs();
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in &digits[start..] {
        out.push(char::from(digit));
    }
}

/// Appends `text` as a JSON string literal: quotes, backslashes and control characters escaped.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// One decoded line of a block: time as stored, level, message.
pub(crate) type RawLine = (i64, Level, String);

/// Decodes a block that should hold `expected` lines.
pub(crate) fn decode(json: &str, expected: i64, what: &str) -> Result<Vec<RawLine>> {
    let raw: Vec<(i64, i64, String)> = serde_json::from_str(json).map_err(|e| StoreError::corrupt(what, e))?;
    if i64::try_from(raw.len()).ok() != Some(expected) {
        return Err(StoreError::corrupt_value(
            what,
            format!("holds {} lines instead of {expected}", raw.len()),
        ));
    }
    raw.into_iter()
        .map(|(at, level, message)| {
            let level = Level::from_rank(level)
                .ok_or_else(|| StoreError::corrupt_value(what, format!("unknown level {level}")))?;
            Ok((at, level, message))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn line(message: &str) -> LogLine {
        LogLine {
            execution_id: "e".into(),
            task_run_id: None,
            task_id: None,
            attempt: None,
            at: Timestamp::from_second(1).unwrap_or(Timestamp::UNIX_EPOCH),
            level: Level::Warn,
            message: message.into(),
        }
    }

    #[test]
    fn messages_survive_escaping() {
        let texts = [
            "plain",
            "quote \" and \\ backslash",
            "tab\tnew\nline\r",
            "\u{0}\u{1f} bell\u{7}",
            "ünï — 🚀",
            "",
        ];
        let lines: Vec<LogLine> = texts.iter().map(|t| line(t)).collect();
        let refs: Vec<&LogLine> = lines.iter().collect();
        let mut run = refs.as_slice();
        let block = encode_next(&mut run).unwrap();
        assert!(run.is_empty());
        assert_eq!((block.lines, block.max_level), (texts.len(), Level::Warn.rank()));
        let decoded = decode(&block.json, texts.len() as i64, "test").unwrap();
        let messages: Vec<&str> = decoded.iter().map(|(_, _, m)| m.as_str()).collect();
        assert_eq!(messages, texts);
        assert!(
            decoded
                .iter()
                .all(|(at, level, _)| *at == 1_000_000_000 && *level == Level::Warn)
        );
    }

    #[test]
    fn blocks_are_bounded() {
        let lines: Vec<LogLine> = (0..2500).map(|i| line(&format!("line {i}"))).collect();
        let refs: Vec<&LogLine> = lines.iter().collect();
        let mut run = refs.as_slice();
        let sizes: Vec<usize> =
            std::iter::from_fn(|| (!run.is_empty()).then(|| encode_next(&mut run).unwrap().lines)).collect();
        assert_eq!(sizes, [1024, 1024, 452]);

        let big = "x".repeat(200 * 1024);
        let lines = [line(&big), line(&big), line("small")];
        let refs: Vec<&LogLine> = lines.iter().collect();
        let mut run = refs.as_slice();
        assert_eq!(
            encode_next(&mut run).unwrap().lines,
            2,
            "closed after passing the byte limit"
        );
        assert_eq!(encode_next(&mut run).unwrap().lines, 1);
    }

    #[test]
    fn integers_are_written_exactly() {
        for n in [0, 7, -7, 10, 1_700_000_000_123_456_789, i64::MAX, i64::MIN] {
            let mut out = String::new();
            push_integer(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }

    #[test]
    fn corrupt_blocks_are_errors() {
        assert!(decode("[[1,3,\"a\"]", 1, "b").is_err());
        assert!(decode("[[1,3,\"a\"]]", 2, "b").is_err());
        assert!(decode("[[1,9,\"a\"]]", 1, "b").is_err());
        assert!(decode("[[1,3,\"a\"]]", 1, "b").is_ok());
    }
}
