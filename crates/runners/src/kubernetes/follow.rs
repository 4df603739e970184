//! Following a created pod to its end: files in, logs per container, status, the deadlines of
//! `waitUntilRunning` and the timeout, cancellation, files out, and the outcome it reports.

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::DeleteParams;
use serde_json::{Map, Value};
use tokio::sync::watch as signal;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::pod::INIT;
use super::status::{self, Phase, judge};
use super::{KubernetesRunner, files, logs, watch};
use crate::pump::PumpReport;
use crate::{EndReason, Job, LogLine, LogSender, Outcome, RunnerError, Stream};

impl KubernetesRunner {
    /// Follows pod `name` to its end: files in, logs, status, timeout and cancellation, files
    /// out, and its outcome.
    pub(super) async fn follow(
        &self,
        job: &Job,
        name: &str,
        logs: LogSender,
        cancel: CancellationToken,
        mut upload: bool,
    ) -> Result<Outcome, RunnerError> {
        let pods = self.pods();
        let containers = Self::job_containers(job);
        let init = (job.has_inputs()).then_some(INIT);
        let mut watch = watch::PodWatch::new(pods.clone(), name);
        let (ended_tx, ended_rx) = signal::channel(false);
        let mut followers: JoinSet<PumpReport> = JoinSet::new();
        let mut told: Option<String> = None;
        let mut deadline = Instant::now() + self.options.wait_until_running;
        let mut running = false;
        let mut last: Option<Pod> = None;
        let end = loop {
            let update = tokio::select! {
                update = watch.next() => update.map_err(Self::api_error(job, "watch the pod"))?,
                () = tokio::time::sleep_until(deadline) => break if running {
                    self.stop(&pods, name, job, EndReason::TimedOut).await?
                } else {
                    let why = told.clone().unwrap_or_else(|| "it is still pending".to_owned());
                    self.stop(&pods, name, job, EndReason::Exited).await?;
                    End::Failed(format!(
                        "pod {name} was not running after waitUntilRunning ({:?}): {why}; deleted it",
                        self.options.wait_until_running
                    ))
                },
                () = cancel.cancelled() => break self.stop(&pods, name, job, EndReason::Killed).await?,
            };
            let Some(pod) = update else {
                break End::Failed(format!("pod {name} was deleted outside Sluice before its job ended"));
            };
            let phase = judge(&pod, &containers, init);
            last = Some(pod);
            match phase {
                Phase::Waiting(message) => {
                    if message.is_some() && message != told {
                        let line = LogLine {
                            stream: Stream::Runner,
                            at: jiff::Timestamp::now(),
                            text: message.clone().unwrap_or_default(),
                        };
                        let _ = logs.send(vec![line]).await;
                        told = message;
                    }
                }
                Phase::ReadyForFiles if upload => {
                    files::upload(&pods, name, job).await?;
                    upload = false;
                }
                Phase::ReadyForFiles => {}
                Phase::Running => {
                    if !running {
                        running = true;
                        let limit = job.timeout.unwrap_or(self.options.wait_until_completion);
                        deadline = Instant::now() + limit;
                        self.start_logs(&mut followers, &pods, name, &containers, &logs, &ended_rx);
                    }
                }
                Phase::Failed(message) => {
                    self.stop(&pods, name, job, EndReason::Exited).await?;
                    break End::Failed(message);
                }
                Phase::Ended(ended) => {
                    if !running {
                        self.start_logs(&mut followers, &pods, name, &containers, &logs, &ended_rx);
                    }
                    break End::Exited(ended);
                }
            }
        };
        let _ = ended_tx.send(true);
        let mut report = PumpReport::default();
        let drained = tokio::time::timeout(self.options.log_drain, async {
            while let Some(done) = followers.join_next().await {
                if let Ok(r) = done {
                    report.lines += r.lines;
                    report.discarded += r.discarded;
                }
            }
        })
        .await;
        if drained.is_err() {
            followers.abort_all();
        }
        self.outcome(job, name, end, last, report).await
    }

    fn start_logs(
        &self,
        followers: &mut JoinSet<PumpReport>,
        pods: &Api<Pod>,
        name: &str,
        containers: &[String],
        logs: &LogSender,
        ended: &signal::Receiver<bool>,
    ) {
        for container in containers {
            let (pods, pod, container) = (pods.clone(), name.to_owned(), container.clone());
            let prefix = (containers.len() > 1).then(|| format!("[{container}] "));
            let (logs, ended) = (logs.clone(), ended.clone());
            followers.spawn(async move {
                let source = logs::Source {
                    pods: &pods,
                    pod: &pod,
                    container: &container,
                    prefix,
                };
                logs::follow(source, logs, ended).await
            });
        }
    }

    /// Deletes pod `name` with the job's kill grace (an absent pod is fine); answers the grace
    /// period in seconds.
    pub(super) async fn delete_pod(&self, pods: &Api<Pod>, name: &str, job: &Job) -> Result<u32, RunnerError> {
        let grace = u32::try_from(self.options.kill_grace.unwrap_or(job.kill_grace).as_secs()).unwrap_or(u32::MAX);
        let params = DeleteParams {
            grace_period_seconds: Some(grace),
            ..DeleteParams::default()
        };
        match pods.delete(name, &params).await {
            Ok(_) => Ok(grace),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(grace),
            Err(e) => Err(Self::api_error(job, "delete the pod")(e)),
        }
    }

    /// Deletes the pod at once (with the job's kill grace) for a timeout, a kill or a failure.
    async fn stop(&self, pods: &Api<Pod>, name: &str, job: &Job, why: EndReason) -> Result<End, RunnerError> {
        let grace = self.delete_pod(pods, name, job).await?;
        let deleted = format!("deleted pod {name} (grace period {grace}s)");
        Ok(match why {
            EndReason::TimedOut => End::Stopped(
                EndReason::TimedOut,
                format!(
                    "timed out after {:?}; {deleted}",
                    job.timeout.unwrap_or(self.options.wait_until_completion)
                ),
            ),
            EndReason::Killed => End::Stopped(EndReason::Killed, format!("killed on request; {deleted}")),
            EndReason::Exited => End::Stopped(EndReason::Exited, deleted),
        })
    }

    async fn outcome(
        &self,
        job: &Job,
        name: &str,
        end: End,
        last: Option<Pod>,
        report: PumpReport,
    ) -> Result<Outcome, RunnerError> {
        let mut details = Map::new();
        if let Some(pod) = &last {
            details.insert(
                "metadata".into(),
                serde_json::to_value(&pod.metadata).unwrap_or(Value::Null),
            );
            details.insert(
                "status".into(),
                serde_json::to_value(&pod.status).unwrap_or(Value::Null),
            );
        }
        let (exit_code, end, message) = match end {
            End::Exited(ended) => (ended.exit_code, EndReason::Exited, ended.message),
            End::Failed(message) => (None, EndReason::Exited, message),
            End::Stopped(EndReason::Exited, message) => (None, EndReason::Exited, message),
            End::Stopped(reason, message) => (None, reason, message),
        };
        let mut output_files = Vec::new();
        if end == EndReason::Exited && !job.output_files.is_empty() && last.is_some() && exit_code.is_some() {
            output_files = files::download(&self.pods(), name, job, &files::local_dir(&self.base_dir, job)).await?;
            files::release_sidecar(&self.pods(), name).await;
        }
        let mut message = message;
        report.note_discarded(&mut message);
        Ok(Outcome {
            exit_code,
            signal: None,
            end,
            output_files,
            message,
            log_lines: report.lines,
            log_lines_discarded: report.discarded,
            details,
        })
    }
}

/// How the wait for the pod ended.
enum End {
    /// The job's containers ended.
    Exited(status::Ended),
    /// The pod can never run, or vanished.
    Failed(String),
    /// Sluice deleted the pod (timeout, kill, or waitUntilRunning).
    Stopped(EndReason, String),
}
