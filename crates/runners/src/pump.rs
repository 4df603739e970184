//! Reads a job's output pipe and delivers its lines in batches, with backpressure.

use std::io;
use std::time::Duration;

use jiff::Timestamp;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_util::sync::CancellationToken;

use crate::logs::{LineSplitter, MAX_BATCH_BYTES, MAX_BATCH_LINES, MAX_LINE_BYTES};
use crate::{LogLine, LogSender, Stream};

/// Bytes asked for per read; a Linux pipe holds 64 KiB by default.
const READ_BUF: usize = 64 * 1024;

/// What one pump did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PumpReport {
    /// Lines read.
    pub lines: u64,
    /// Lines dropped because the receiver was gone.
    pub discarded: u64,
    /// Reading stopped before end of file: the writers were gone but something outside them
    /// (e.g. a process that left the group with `setsid`) still held the pipe open.
    pub cut_short: bool,
}

impl PumpReport {
    /// Says in `message` how many lines were lost to a closed receiver, if any.
    pub(crate) fn note_discarded(&self, message: &mut String) {
        if self.discarded > 0 {
            message.push_str(&format!(
                "; {} log lines were discarded because the log receiver was closed",
                self.discarded
            ));
        }
    }
}

/// Reads `reader` to its end, delivering every line to `logs` in batches.
///
/// A batch is sent after each read (whatever was buffered), or earlier once it holds
/// [`MAX_BATCH_LINES`] lines or [`MAX_BATCH_BYTES`] bytes. Sending waits while the channel is
/// full, and reading waits for sending: that is the backpressure. When the receiver is dropped,
/// reading goes on (so the job never blocks on a full pipe) and lines are counted as discarded.
///
/// Once `writers_gone` is cancelled (every process that could write has ended), a read that waits
/// longer than `drain_idle` ends the pump instead of waiting for an end of file that may never come.
pub(crate) async fn pump<R: AsyncRead + Unpin>(
    mut reader: R,
    stream: Stream,
    logs: LogSender,
    writers_gone: &CancellationToken,
    drain_idle: Duration,
) -> io::Result<PumpReport> {
    let mut buf = vec![0u8; READ_BUF];
    let mut splitter = LineSplitter::new(stream, MAX_LINE_BYTES);
    let mut outbox = Outbox::new(logs);
    let mut cut_short = false;
    loop {
        let read = if writers_gone.is_cancelled() {
            match tokio::time::timeout(drain_idle, reader.read(&mut buf)).await {
                Ok(read) => read,
                Err(_elapsed) => {
                    cut_short = true;
                    Ok(0)
                }
            }
        } else {
            tokio::select! {
                read = reader.read(&mut buf) => read,
                // `read` is cancel safe: nothing is lost by dropping it here.
                () = writers_gone.cancelled() => continue,
            }
        };
        let at = Timestamp::now();
        let n = match read {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                outbox.flush().await;
                return Err(e);
            }
        };
        if n == 0 {
            if let Some(line) = splitter.finish(at) {
                outbox.push(line).await;
            }
            outbox.flush().await;
            return Ok(PumpReport {
                lines: outbox.lines,
                discarded: outbox.discarded,
                cut_short,
            });
        }
        let mut pos = 0;
        while let Some(line) = splitter.next_line(&buf[..n], &mut pos, at) {
            outbox.push(line).await;
        }
        outbox.flush().await;
    }
}

/// The batch being filled, and what happened to the lines sent so far (shared with the Docker
/// runner's log follower).
pub(crate) struct Outbox {
    logs: LogSender,
    batch: Vec<LogLine>,
    bytes: usize,
    closed: bool,
    pub(crate) lines: u64,
    pub(crate) discarded: u64,
}

impl Outbox {
    pub(crate) fn new(logs: LogSender) -> Self {
        Self {
            logs,
            batch: Vec::new(),
            bytes: 0,
            closed: false,
            lines: 0,
            discarded: 0,
        }
    }

    pub(crate) async fn push(&mut self, line: LogLine) {
        self.lines += 1;
        self.bytes += line.text.len();
        self.batch.push(line);
        if self.batch.len() >= MAX_BATCH_LINES || self.bytes >= MAX_BATCH_BYTES {
            self.flush().await;
        }
    }

    pub(crate) async fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        // The next batch will likely be about as large as this one.
        let next = Vec::with_capacity(self.batch.len());
        let batch = std::mem::replace(&mut self.batch, next);
        self.bytes = 0;
        if self.closed {
            self.discarded += batch.len() as u64;
        } else if let Err(unsent) = self.logs.send(batch).await {
            self.closed = true;
            self.discarded += unsent.0.len() as u64;
        }
    }
}
