//! Helpers shared by the runner tests: run a job on any runner and gather its lines.

#![allow(dead_code)]

use sluice_runners::{CancellationToken, Job, LogLine, Outcome, RunnerError, Stream, TaskRunner};
use tokio::sync::mpsc;

/// Runs `job` on `runner`, gathering every line it delivers.
pub async fn run(
    runner: &dyn TaskRunner,
    job: &Job,
    cancel: CancellationToken,
) -> (Result<Outcome, RunnerError>, Vec<LogLine>) {
    let (tx, mut rx) = mpsc::channel(4);
    let gather = async move {
        let mut lines = Vec::new();
        while let Some(batch) = rx.recv().await {
            lines.extend(batch);
        }
        lines
    };
    tokio::join!(runner.run(job, tx, cancel), gather)
}

/// The texts of the lines of one stream, in order.
pub fn texts(lines: &[LogLine], stream: Stream) -> Vec<&str> {
    lines
        .iter()
        .filter(|l| l.stream == stream)
        .map(|l| l.text.as_str())
        .collect()
}
