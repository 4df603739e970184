//! The log pump: lines from a runner into the store in large batches, in order, with Kestra's
//! output protocol lines turned into outputs and metrics instead of log lines.
//!
//! The runner's channel is bounded, so a slow store slows the reading of the pipe and never
//! grows memory: backpressure all the way to the child process.

use serde_json::{Map, Value};
use sluice_runners::{LogLine as RunnerLine, Stream};
use sluice_store::{Level, LogLine, Store, StoreError};
use sluice_tasks::{Metric, parse_output_line};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::Receiver;

/// Most lines written in one store call.
const BATCH: usize = 16_384;

/// How long log lines wait for a store that is out of reach before the attempt gives up on them.
const STORE_PATIENCE: Duration = Duration::from_secs(300);

/// Which attempt the lines belong to.
pub struct Pump {
    /// Where lines go.
    pub store: Arc<dyn Store>,
    /// Execution id.
    pub execution_id: String,
    /// Task run id.
    pub task_run_id: String,
    /// Task id.
    pub task_id: String,
    /// Attempt number.
    pub attempt: u32,
    /// Log lines to drop before storing any: after a re-attach the runner replays the job's
    /// output from its start, and this many lines of it are already stored.
    pub skip: u64,
    /// DbtCLI: lines of dbt's JSON log become log lines at dbt's level.
    pub dbt_logs: bool,
    /// Masks the attempt's secrets in every line and output before it is stored.
    pub masker: Arc<crate::mask::Masker>,
}

/// What the pump saw.
#[derive(Debug, Default)]
pub struct Pumped {
    /// Lines stored.
    pub lines: u64,
    /// dbt log lines at WARN level (a warning makes a DbtCLI task WARNING).
    pub warnings: u64,
    /// Replayed lines not stored again (see [`Pump::skip`]).
    pub skipped: u64,
    /// Lines read from stderr.
    pub stderr_lines: u64,
    /// Outputs from `::{"outputs":…}::` lines, merged in order.
    pub vars: Map<String, Value>,
    /// Metrics from protocol lines.
    pub metrics: Vec<Metric>,
    /// The first store error; lines after it were read (so the job is not blocked) but not kept.
    pub error: Option<StoreError>,
}

impl Pump {
    fn convert(&self, line: RunnerLine, out: &mut Pumped, buf: &mut Vec<LogLine>) {
        if line.stream == Stream::Stderr {
            out.stderr_lines += 1;
        }
        if line.text.starts_with("::")
            && let Some(parsed) = parse_output_line(&line.text)
        {
            out.vars.extend(parsed.outputs);
            out.metrics.extend(parsed.metrics);
            return;
        }
        let mut level = match line.stream {
            Stream::Stderr => Level::Error,
            Stream::Runner => Level::Warn,
            Stream::Stdout => Level::Info,
        };
        let mut text = line.text;
        if self.dbt_logs
            && let Some((dbt_level, message)) = sluice_tasks::dbt::parse_log_line(&text)
        {
            level = Level::parse(dbt_level.as_str()).unwrap_or(Level::Info);
            out.warnings += u64::from(level == Level::Warn);
            text = message;
        }
        if out.skipped < self.skip {
            out.skipped += 1;
            return;
        }
        buf.push(LogLine {
            execution_id: self.execution_id.clone(),
            task_run_id: Some(self.task_run_id.clone()),
            task_id: Some(self.task_id.clone()),
            attempt: Some(self.attempt),
            at: line.at,
            level,
            message: self.masker.text(&text),
        });
    }

    /// Reads until the runner closes the channel.
    pub async fn run(self, mut rx: Receiver<Vec<RunnerLine>>) -> Pumped {
        let mut out = Pumped::default();
        let mut buf = Vec::with_capacity(BATCH);
        while let Some(batch) = rx.recv().await {
            for line in batch {
                self.convert(line, &mut out, &mut buf);
            }
            while buf.len() < BATCH {
                match rx.try_recv() {
                    Ok(batch) => batch.into_iter().for_each(|l| self.convert(l, &mut out, &mut buf)),
                    Err(_) => break,
                }
            }
            self.flush(&mut buf, &mut out).await;
        }
        self.flush(&mut buf, &mut out).await;
        out
    }

    async fn flush(&self, buf: &mut Vec<LogLine>, out: &mut Pumped) {
        if buf.is_empty() {
            return;
        }
        if out.error.is_none() {
            // A store out of reach for a while (a database restarting) is waited for: failing the
            // attempt would run its task again. The runner's channel fills meanwhile, which holds
            // the job's output back (backpressure), never memory.
            let mut backoff = Duration::from_millis(100);
            let mut waited = Duration::ZERO;
            loop {
                match self.store.append_logs(buf).await {
                    Ok(()) => {
                        out.lines += buf.len() as u64;
                        break;
                    }
                    Err(e) if e.is_transient() && waited < STORE_PATIENCE => {
                        tracing::warn!(error = %e, "could not store log lines yet; retrying");
                        tokio::time::sleep(backoff).await;
                        waited += backoff;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                    }
                    Err(e) => {
                        out.error = Some(e);
                        break;
                    }
                }
            }
        }
        buf.clear();
    }
}
