//! Log lines, and the splitting of a raw byte stream into them.

use jiff::Timestamp;

/// Longest line delivered; longer lines are split into pieces of at most this many bytes, so
/// memory stays bounded whatever a job prints.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Most lines sent in one batch.
pub const MAX_BATCH_LINES: usize = 4096;
/// A batch is sent once its text reaches this many bytes, even with fewer lines.
pub const MAX_BATCH_BYTES: usize = 1 << 20;

/// Which output of the job a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
    /// What the runner itself reports about the job while it waits (a pod not scheduled yet,
    /// an image being pulled); stored as warnings, not counted as the job's stderr.
    Runner,
}

impl Stream {
    /// Lower-case name, as stored and shown: "stdout" or "stderr".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
            Self::Runner => "runner",
        }
    }
}

impl std::fmt::Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line a job printed, without its line ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Where it was printed.
    pub stream: Stream,
    /// When the runner read it.
    pub at: Timestamp,
    /// The text; invalid UTF-8 is replaced by U+FFFD.
    pub text: String,
}

/// Where a runner delivers log lines, in batches.
///
/// The channel is bounded: when the consumer is slow, the runner stops reading the job's output and
/// the job blocks on write (backpressure), so memory stays bounded (at most the channel capacity
/// times about 2 MiB). Lines of one stream arrive in order; lines of different streams may
/// interleave.
pub type LogSender = tokio::sync::mpsc::Sender<Vec<LogLine>>;

/// Cuts a byte stream into [`LogLine`]s: `\n` or `\r\n` endings, lossy UTF-8, lines capped at a
/// maximum length (cut on a character boundary when possible).
pub(crate) struct LineSplitter {
    stream: Stream,
    max_line: usize,
    /// Start of a line whose end has not arrived yet; never longer than `max_line`.
    partial: Vec<u8>,
}

impl LineSplitter {
    /// A splitter for one stream; `max_line` must be at least 4 bytes.
    pub(crate) fn new(stream: Stream, max_line: usize) -> Self {
        Self {
            stream,
            max_line: max_line.max(4),
            partial: Vec::new(),
        }
    }

    /// Returns the next line ending in `chunk[*pos..]` and advances `pos` past it. Returns `None`
    /// once the chunk is used up, keeping an unfinished line for the next chunk.
    pub(crate) fn next_line(&mut self, chunk: &[u8], pos: &mut usize, at: Timestamp) -> Option<LogLine> {
        let rest = &chunk[*pos..];
        if rest.is_empty() {
            return None;
        }
        let room = self.max_line - self.partial.len();
        match rest.iter().position(|&b| b == b'\n') {
            Some(end) if end <= room => {
                *pos += end + 1;
                if self.partial.is_empty() {
                    return Some(self.line(&rest[..end], at, true));
                }
                self.partial.extend_from_slice(&rest[..end]);
                let line = self.line(&self.partial, at, true);
                self.partial.clear();
                Some(line)
            }
            _ if rest.len() <= room => {
                self.partial.extend_from_slice(rest);
                *pos = chunk.len();
                None
            }
            _ => {
                // The line is longer than allowed: deliver what fits and keep the remainder.
                self.partial.extend_from_slice(&rest[..room]);
                *pos += room;
                let cut = char_boundary(&self.partial);
                let tail = self.partial.split_off(cut);
                let line = self.line(&self.partial, at, false);
                self.partial.clear();
                self.partial.extend_from_slice(&tail);
                Some(line)
            }
        }
    }

    /// Returns the last line when the stream ended without a final newline.
    pub(crate) fn finish(&mut self, at: Timestamp) -> Option<LogLine> {
        if self.partial.is_empty() {
            return None;
        }
        let line = self.line(&self.partial, at, true);
        self.partial.clear();
        Some(line)
    }

    fn line(&self, bytes: &[u8], at: Timestamp, strip_cr: bool) -> LogLine {
        let bytes = if strip_cr {
            bytes.strip_suffix(b"\r").unwrap_or(bytes)
        } else {
            bytes
        };
        LogLine {
            stream: self.stream,
            at,
            text: String::from_utf8_lossy(bytes).into_owned(),
        }
    }
}

/// Where to cut a full buffer so that a UTF-8 character is not split: before the last character
/// when it is incomplete, else at the end.
fn char_boundary(buf: &[u8]) -> usize {
    let len = buf.len();
    let mut start = len;
    while start > 0 && len - start < 4 {
        start -= 1;
        if buf[start] & 0xC0 != 0x80 {
            break;
        }
    }
    let width = match buf.get(start) {
        Some(0xC0..=0xDF) => 2,
        Some(0xE0..=0xEF) => 3,
        Some(0xF0..=0xF7) => 4,
        _ => 1,
    };
    if start > 0 && start + width > len { start } else { len }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]], max_line: usize) -> Vec<String> {
        let mut splitter = LineSplitter::new(Stream::Stdout, max_line);
        let at = Timestamp::UNIX_EPOCH;
        let mut lines = Vec::new();
        for chunk in chunks {
            let mut pos = 0;
            while let Some(line) = splitter.next_line(chunk, &mut pos, at) {
                lines.push(line.text);
            }
            assert_eq!(pos, chunk.len());
        }
        lines.extend(splitter.finish(at).map(|l| l.text));
        lines
    }

    #[test]
    fn splits_lines_across_chunks_with_crlf_and_final_line() {
        let lines = split(&[b"a\r\nb", b"c\r", b"\n\nlast"], 100);
        assert_eq!(lines, ["a", "bc", "", "last"]);
    }

    #[test]
    fn replaces_invalid_utf8() {
        assert_eq!(split(&[b"ok\xff\n"], 100), ["ok\u{fffd}"]);
    }

    #[test]
    fn caps_long_lines_on_char_boundaries() {
        assert_eq!(split(&[b"abcdefghij\n"], 4), ["abcd", "efgh", "ij"]);
        // "é" is two bytes: never cut in the middle.
        assert_eq!(split(&["abcé".as_bytes(), b"\n"], 4), ["abc", "é"]);
        assert_eq!(split(&[b"abcd\n"], 4), ["abcd"]);
    }
}
