//! Following a container's output: the engine's multiplexed stream, with its timestamps, cut
//! into lines and delivered in bounded batches (backpressure: the stream is not read while the
//! channel is full).

use bollard::Docker;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::{FutureExt, StreamExt};
use jiff::Timestamp;

use crate::logs::{LineSplitter, MAX_LINE_BYTES};
use crate::pump::{Outbox, PumpReport};
use crate::{LogSender, Stream};

/// Follows the logs of container `name` from its start to its end.
pub(super) async fn follow(docker: &Docker, name: &str, logs: LogSender) -> Result<PumpReport, bollard::errors::Error> {
    let options = LogsOptionsBuilder::new()
        .follow(true)
        .stdout(true)
        .stderr(true)
        .timestamps(true)
        .build();
    let mut frames = docker.logs(name, Some(options));
    let mut out = LineSplitter::new(Stream::Stdout, MAX_LINE_BYTES);
    let mut err = LineSplitter::new(Stream::Stderr, MAX_LINE_BYTES);
    let mut outbox = Outbox::new(logs);
    let mut last = Timestamp::now();
    let mut result = Ok(());
    loop {
        // Batch whatever is already there; flush before waiting for more.
        let next = match frames.next().now_or_never() {
            Some(next) => next,
            None => {
                outbox.flush().await;
                frames.next().await
            }
        };
        let (splitter, message) = match next {
            None => break,
            Some(Err(e)) => {
                result = Err(e);
                break;
            }
            Some(Ok(LogOutput::StdOut { message } | LogOutput::Console { message })) => (&mut out, message),
            Some(Ok(LogOutput::StdErr { message })) => (&mut err, message),
            Some(Ok(LogOutput::StdIn { .. })) => continue,
        };
        // With timestamps, each frame is one log message: "<RFC 3339 time> <text>".
        let (at, text) = split_timestamp(&message);
        last = at.unwrap_or(last);
        let mut pos = 0;
        while let Some(line) = splitter.next_line(text, &mut pos, last) {
            outbox.push(line).await;
        }
    }
    for splitter in [&mut out, &mut err] {
        if let Some(line) = splitter.finish(last) {
            outbox.push(line).await;
        }
    }
    outbox.flush().await;
    result.map(|()| PumpReport {
        lines: outbox.lines,
        discarded: outbox.discarded,
        cut_short: false,
    })
}

fn split_timestamp(message: &[u8]) -> (Option<Timestamp>, &[u8]) {
    let Some(space) = message.iter().take(40).position(|&b| b == b' ') else {
        return (None, message);
    };
    match std::str::from_utf8(&message[..space]).ok().and_then(|s| s.parse().ok()) {
        Some(at) => (Some(at), &message[space + 1..]),
        None => (None, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_engine_timestamp() {
        let (at, text) = split_timestamp(b"2024-05-01T10:00:00.123456789Z hello world\n");
        assert_eq!(at.unwrap().to_string(), "2024-05-01T10:00:00.123456789Z");
        assert_eq!(text, b"hello world\n");
        let (at, text) = split_timestamp(b"no timestamp here\n");
        assert!(at.is_none());
        assert_eq!(text, b"no timestamp here\n");
    }
}
