//! Following a container's log through the API server, line by line with the kubelet's
//! timestamps. A cut stream (API server or kubelet restart) is reopened from the last line
//! delivered; once the container has ended, the log is read one last time, without following,
//! so its final lines are collected without a fixed sleep. The timestamps tell which lines of a
//! reopened stream were already delivered, so none is lost or repeated.

use std::time::Duration;

use futures_util::io::{AsyncBufRead, AsyncBufReadExt};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::LogParams;
use tokio::sync::watch;

use crate::logs::MAX_LINE_BYTES;
use crate::pump::{Outbox, PumpReport};
use crate::{LogLine, LogSender, Stream};

/// How long the reader waits for more output before it delivers the lines it has.
const FLUSH_AFTER: Duration = Duration::from_millis(100);

/// Which container to follow, and how its lines are marked.
pub(super) struct Source<'a> {
    /// The pods of the namespace.
    pub pods: &'a Api<Pod>,
    /// Pod name.
    pub pod: &'a str,
    /// Container name.
    pub container: &'a str,
    /// `[name] ` before each line when the pod runs several job containers.
    pub prefix: Option<String>,
}

/// Follows the container's log until `ended` says the container (or the pod) is gone, then
/// reads what is left.
pub(super) async fn follow(source: Source<'_>, logs: LogSender, mut ended: watch::Receiver<bool>) -> PumpReport {
    let mut outbox = Outbox::new(logs);
    let mut position: Option<(Timestamp, usize)> = None;
    let mut last_pass = false;
    loop {
        last_pass |= *ended.borrow();
        let params = LogParams {
            container: Some(source.container.to_owned()),
            follow: !last_pass,
            timestamps: true,
            since_time: position.and_then(|(at, _)| k8s_openapi::jiff::Timestamp::from_second(at.as_second()).ok()),
            ..LogParams::default()
        };
        match source.pods.log_stream(source.pod, &params).await {
            Ok(reader) => {
                let mut reader = std::pin::pin!(reader);
                read(&mut reader, &source, &mut outbox, &mut position).await;
            }
            // Not started yet, or already gone: the status watch decides what that means.
            Err(_) if last_pass => break,
            Err(_) => {}
        }
        outbox.flush().await;
        if last_pass {
            break;
        }
        // The stream ended: the container ended, or the connection was cut. Reopen unless ended.
        if !*ended.borrow() {
            let _ = tokio::time::timeout(Duration::from_secs(1), ended.changed()).await;
        }
    }
    outbox.flush().await;
    PumpReport {
        lines: outbox.lines,
        discarded: outbox.discarded,
        cut_short: false,
    }
}

/// Reads lines, skipping those at or before `position` (already delivered).
async fn read(
    reader: &mut (impl AsyncBufRead + Unpin),
    source: &Source<'_>,
    outbox: &mut Outbox,
    position: &mut Option<(Timestamp, usize)>,
) {
    let cut = *position;
    let mut seen_at_cut = 0;
    let mut line = Vec::new();
    let mut ended = false;
    while !ended {
        line.clear();
        // Lines are delivered as they come: when nothing more arrives for a moment, the batch
        // goes out. A read cut by that pause keeps what it had in `line` and goes on.
        loop {
            match tokio::time::timeout(FLUSH_AFTER, read_line(reader, &mut line)).await {
                Err(_) => outbox.flush().await,
                Ok(Ok(0) | Err(_)) => {
                    ended = true;
                    break;
                }
                Ok(Ok(_)) => break,
            }
        }
        if line.is_empty() {
            continue;
        }
        let (at, text) = split_timestamp(&line);
        // Every line of the container carries the kubelet's timestamp; a line without one is the
        // kubelet's or API server's own complaint (a container already removed), not output.
        let Some(at) = at else { continue };
        if let Some((cut_at, count)) = cut
            && (at < cut_at || (at == cut_at && seen_at_cut < count))
        {
            seen_at_cut += usize::from(at == cut_at);
            continue;
        }
        *position = match *position {
            Some((p, n)) if p == at => Some((at, n + 1)),
            _ => Some((at, 1)),
        };
        let mut text = String::from_utf8_lossy(text).into_owned();
        if let Some(prefix) = &source.prefix {
            text.insert_str(0, prefix);
        }
        outbox
            .push(LogLine {
                stream: Stream::Stdout,
                at,
                text,
            })
            .await;
    }
}

/// One line without its ending; a line longer than the limit is cut and the rest dropped.
async fn read_line(reader: &mut (impl AsyncBufRead + Unpin), line: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(total);
        }
        let (chunk, used, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        let room = (MAX_LINE_BYTES + 40).saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        total += used;
        reader.consume_unpin(used);
        if done {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(total);
        }
    }
}

fn split_timestamp(line: &[u8]) -> (Option<Timestamp>, &[u8]) {
    let Some(space) = line.iter().take(40).position(|&b| b == b' ') else {
        return (None, line);
    };
    match std::str::from_utf8(&line[..space]).ok().and_then(|s| s.parse().ok()) {
        Some(at) => (Some(at), &line[space + 1..]),
        None => (None, line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_kubelet_timestamp() {
        let (at, text) = split_timestamp(b"2024-05-01T10:00:00.123456789Z hello world");
        assert_eq!(at.unwrap().to_string(), "2024-05-01T10:00:00.123456789Z");
        assert_eq!(text, b"hello world");
    }

    #[tokio::test]
    async fn long_lines_are_cut_and_endings_removed() {
        let data = format!("{}\nshort\r\nlast", "x".repeat(MAX_LINE_BYTES * 2));
        let mut reader = futures_util::io::BufReader::new(futures_util::io::Cursor::new(data.into_bytes()));
        let mut line = Vec::new();
        read_line(&mut reader, &mut line).await.unwrap();
        assert_eq!(line.len(), MAX_LINE_BYTES + 40);
        line.clear();
        read_line(&mut reader, &mut line).await.unwrap();
        assert_eq!(line, b"short");
        line.clear();
        read_line(&mut reader, &mut line).await.unwrap();
        assert_eq!(line, b"last");
    }
}
