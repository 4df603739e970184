//! Following a container's output: the engine's multiplexed stream, with its timestamps, cut
//! into lines and delivered in bounded batches (backpressure: the stream is not read while the
//! channel is full).
//!
//! The engine may end a follow a moment before its log copier wrote the container's last output
//! (seen with a final line that has no newline). So once the container has ended, the log is read
//! once more, without following, from the last frame delivered: frames up to it are skipped by
//! their timestamps, and whatever came after is delivered. No line is lost or repeated.

use bollard::Docker;
use bollard::container::LogOutput;
use bollard::query_parameters::{LogsOptionsBuilder, WaitContainerOptions};
use futures_util::{FutureExt, Stream as FuturesStream, StreamExt};
use jiff::Timestamp;

use crate::logs::{LineSplitter, MAX_LINE_BYTES};
use crate::pump::{Outbox, PumpReport};
use crate::{LogSender, Stream};

type Frame = Result<LogOutput, bollard::errors::Error>;

/// Follows the logs of container `name` from its start to its end.
pub(super) async fn follow(docker: &Docker, name: &str, logs: LogSender) -> Result<PumpReport, bollard::errors::Error> {
    let mut follower = Follower::new(logs);
    let options = LogsOptionsBuilder::new()
        .follow(true)
        .stdout(true)
        .stderr(true)
        .timestamps(true)
        .build();
    follower.read(docker.logs(name, Some(options)), None).await?;
    // The container has ended (or is gone) before its log is read again.
    let mut wait = docker.wait_container(name, None::<WaitContainerOptions>);
    while wait.next().await.is_some() {}
    let since = follower.last_frame.map(|(at, _)| at);
    let options = LogsOptionsBuilder::new()
        .follow(false)
        .stdout(true)
        .stderr(true)
        .timestamps(true)
        .since(since.map_or(0, |at| i32::try_from(at.as_second()).unwrap_or(0)))
        .build();
    follower
        .read(docker.logs(name, Some(options)), follower.last_frame)
        .await?;
    Ok(follower.finish().await)
}

/// Lines in the making and the position reached in the container's log.
struct Follower {
    out: LineSplitter,
    err: LineSplitter,
    outbox: Outbox,
    /// Time given to lines: the last frame's timestamp.
    last: Timestamp,
    /// The last frame delivered: its timestamp, and how many delivered frames carry it.
    last_frame: Option<(Timestamp, usize)>,
}

impl Follower {
    fn new(logs: LogSender) -> Self {
        Self {
            out: LineSplitter::new(Stream::Stdout, MAX_LINE_BYTES),
            err: LineSplitter::new(Stream::Stderr, MAX_LINE_BYTES),
            outbox: Outbox::new(logs),
            last: Timestamp::now(),
            last_frame: None,
        }
    }

    /// Delivers the frames of `frames`, skipping those up to `delivered` (a timestamp and how
    /// many frames with that timestamp were already delivered).
    async fn read(
        &mut self,
        frames: impl FuturesStream<Item = Frame>,
        delivered: Option<(Timestamp, usize)>,
    ) -> Result<(), bollard::errors::Error> {
        let mut frames = std::pin::pin!(frames);
        let mut seen_at_cut = 0;
        loop {
            // Batch whatever is already there; flush before waiting for more.
            let next = match frames.next().now_or_never() {
                Some(next) => next,
                None => {
                    self.outbox.flush().await;
                    frames.next().await
                }
            };
            let (stream, message) = match next {
                None => return Ok(()),
                Some(Err(e)) => return Err(e),
                Some(Ok(LogOutput::StdOut { message } | LogOutput::Console { message })) => (Stream::Stdout, message),
                Some(Ok(LogOutput::StdErr { message })) => (Stream::Stderr, message),
                Some(Ok(LogOutput::StdIn { .. })) => continue,
            };
            // With timestamps, each frame is one log message: "<RFC 3339 time> <text>".
            let (at, text) = split_timestamp(&message);
            if let (Some((cut, count)), Some(at)) = (delivered, at) {
                if at < cut {
                    continue;
                }
                if at == cut && seen_at_cut < count {
                    seen_at_cut += 1;
                    continue;
                }
            }
            if let Some(at) = at {
                self.last = at;
                self.last_frame = match self.last_frame {
                    Some((prev, n)) if prev == at => Some((at, n + 1)),
                    _ => Some((at, 1)),
                };
            }
            let splitter = match stream {
                Stream::Stdout | Stream::Runner => &mut self.out,
                Stream::Stderr => &mut self.err,
            };
            let mut pos = 0;
            while let Some(line) = splitter.next_line(text, &mut pos, self.last) {
                self.outbox.push(line).await;
            }
        }
    }

    async fn finish(mut self) -> PumpReport {
        for splitter in [&mut self.out, &mut self.err] {
            if let Some(line) = splitter.finish(self.last) {
                self.outbox.push(line).await;
            }
        }
        self.outbox.flush().await;
        PumpReport {
            lines: self.outbox.lines,
            discarded: self.outbox.discarded,
            cut_short: false,
        }
    }
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
