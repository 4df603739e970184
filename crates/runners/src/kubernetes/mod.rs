//! The Kubernetes runner (Kestra's `io.kestra.plugin.ee.kubernetes.runner.Kubernetes`, and the
//! engine of PodCreate): runs a job as a pod through the API server.
//!
//! Decisions a caller must know:
//! - One pod per attempt, named from the job name ([`pod_name`]) and labelled
//!   `sluice.io/managed=true`, `sluice.io/job=<pod name>`, so a restarted worker finds it again.
//! - The working directory is an `emptyDir` mounted at [`WORKING_DIR`] in every job container.
//!   Input files go in through an init container and output files come out of a sidecar, both
//!   by `exec` with tar: the pod needs no network path to Sluice.
//! - Logs are followed per job container with the kubelet's timestamps; a cut stream is reopened
//!   from the last line, and the final lines are read once more after the container ended.
//! - Failures are explained from the pod's status: image pull errors fail at once, an
//!   unschedulable pod says why while it waits (and fails after `waitUntilRunning`), OOM kills
//!   name the container and its limit, a pod deleted behind Sluice's back fails within seconds.
//! - Kill and timeout delete the pod at once, with the job's kill grace as grace period.
//! - Like the Docker runner, the pod is deleted by `cleanup` (after the attempt's end is stored),
//!   never by `run`, unless `delete: false`.

mod connect;
mod files;
mod logs;
mod options;
mod pod;
mod status;
mod watch;

use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{DeleteParams, PostParams};
use kube::{Api, Client};
use serde_json::{Map, Value};
use tokio::sync::watch as signal;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use self::connect::Connection;
pub use self::options::{DEFAULT_HELPER_IMAGE, KubernetesOptions};
use self::pod::{INIT, MAIN, PodPlan};
pub use self::pod::{JOB_LABEL, MANAGED_LABEL, WORKING_DIR, pod_name};
use self::status::{Phase, judge};
use crate::pump::PumpReport;
use crate::{BoxFuture, EndReason, Job, LogLine, LogSender, Outcome, RunnerError, Stream, TaskRunner};

/// How long the log followers get to deliver the last lines after the pod ended.
const LOG_DRAIN: Duration = Duration::from_secs(30);

/// Runs jobs as pods on one cluster, with one set of [`KubernetesOptions`].
#[derive(Clone)]
pub struct KubernetesRunner {
    client: Client,
    default_namespace: String,
    options: KubernetesOptions,
    base_dir: PathBuf,
}

impl std::fmt::Debug for KubernetesRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubernetesRunner")
            .field("namespace", &self.namespace())
            .field("options", &self.options)
            .finish()
    }
}

impl KubernetesRunner {
    /// Connects to the cluster of `options.connection` (else the server-wide default). Output
    /// files are downloaded under `base_dir`.
    pub async fn connect(options: KubernetesOptions, base_dir: PathBuf) -> Result<Self, RunnerError> {
        let (client, default_namespace) = Connection::client(options.connection.as_ref()).await?;
        let base_dir = std::path::absolute(&base_dir).unwrap_or(base_dir);
        Ok(Self {
            client,
            default_namespace,
            options,
            base_dir,
        })
    }

    /// The same cluster connection with other options (the connection of `options` is not
    /// looked at).
    pub fn with_options(&self, options: KubernetesOptions) -> Self {
        Self {
            options,
            ..self.clone()
        }
    }

    /// The options this runner applies.
    pub fn options(&self) -> &KubernetesOptions {
        &self.options
    }

    /// The API client, e.g. for tests that look at pods.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The namespace pods go to.
    pub fn namespace(&self) -> &str {
        self.options.namespace.as_deref().unwrap_or(&self.default_namespace)
    }

    /// Every pod Sluice made in this runner's namespace.
    pub async fn managed(&self) -> Result<Vec<crate::Managed>, RunnerError> {
        let params = kube::api::ListParams::default().labels(&format!("{MANAGED_LABEL}=true"));
        let pods = self.pods().list(&params).await.map_err(|e| RunnerError::Kubernetes {
            job: "(sweep)".into(),
            action: "list Sluice's pods",
            message: e.to_string(),
        })?;
        Ok(pods
            .items
            .into_iter()
            .filter_map(|pod| {
                let job_name = pod.metadata.annotations.as_ref()?.get(pod::JOB_ANNOTATION)?.clone();
                let keep = pod
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(pod::KEEP_LABEL))
                    .is_some_and(|v| v == "false");
                Some(crate::Managed { job_name, keep })
            })
            .collect())
    }

    fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), self.namespace())
    }

    fn api_error<'a>(job: &'a Job, action: &'static str) -> impl Fn(kube::Error) -> RunnerError + 'a {
        move |e| RunnerError::Kubernetes {
            job: job.name.clone(),
            action,
            message: e.to_string(),
        }
    }

    /// Names of the containers whose end is the job's end.
    fn job_containers(job: &Job) -> Vec<String> {
        match &job.pod_spec {
            Some(spec) => spec
                .get("containers")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|c| c["name"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            None => vec![MAIN.to_owned()],
        }
    }

    async fn run_job(&self, job: &Job, logs: LogSender, cancel: CancellationToken) -> Result<Outcome, RunnerError> {
        if job.pod_spec.is_none() {
            crate::process::check(job)?;
        }
        if cancel.is_cancelled() {
            return Ok(Outcome::cancelled_before_start("cancelled before the pod was created"));
        }
        let pods = self.pods();
        let name = pod_name(job);
        // A pod of this name is a leftover of an attempt that is over: this one starts fresh.
        self.delete_and_wait(&pods, &name, job).await?;
        let limit = job.timeout.unwrap_or(self.options.wait_until_completion);
        let plan = PodPlan {
            job,
            options: &self.options,
            namespace: self.namespace(),
            user_spec: job.pod_spec.as_ref().map(|s| (s, job.pod_metadata.as_ref())),
            sidecar_wait: (self.options.wait_until_running + limit).as_secs() + 3600,
        };
        let pod: Pod = serde_json::from_value(plan.build()?)
            .map_err(|e| options::invalid(format!("the pod spec is not a valid Kubernetes pod: {e}")))?;
        pods.create(&PostParams::default(), &pod)
            .await
            .map_err(Self::api_error(job, "create the pod"))?;
        self.follow(job, &name, logs, cancel, !job.input_files.is_empty()).await
    }

    /// Deletes pod `name` if it exists and waits until it is gone.
    async fn delete_and_wait(&self, pods: &Api<Pod>, name: &str, job: &Job) -> Result<(), RunnerError> {
        let now = DeleteParams {
            grace_period_seconds: Some(0),
            ..DeleteParams::default()
        };
        match pods.delete(name, &now).await {
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(()),
            Err(e) => return Err(Self::api_error(job, "delete a leftover pod")(e)),
            Ok(_) => {}
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        while pods
            .get_opt(name)
            .await
            .map_err(Self::api_error(job, "wait for a leftover pod to go"))?
            .is_some()
        {
            if Instant::now() > deadline {
                return Err(RunnerError::Kubernetes {
                    job: job.name.clone(),
                    action: "delete a leftover pod",
                    message: format!("pod {name} still exists two minutes after it was deleted"),
                });
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    }

    /// Follows pod `name` to its end: files in, logs, status, timeout and cancellation, files
    /// out, and its outcome.
    async fn follow(
        &self,
        job: &Job,
        name: &str,
        logs: LogSender,
        cancel: CancellationToken,
        mut upload: bool,
    ) -> Result<Outcome, RunnerError> {
        let pods = self.pods();
        let containers = Self::job_containers(job);
        let init = (!job.input_files.is_empty()).then_some(INIT);
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
        let drained = tokio::time::timeout(LOG_DRAIN, async {
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

    /// Deletes the pod at once (with the job's kill grace) for a timeout, a kill or a failure.
    async fn stop(&self, pods: &Api<Pod>, name: &str, job: &Job, why: EndReason) -> Result<End, RunnerError> {
        let grace = u32::try_from(self.options.kill_grace.unwrap_or(job.kill_grace).as_secs()).unwrap_or(u32::MAX);
        let params = DeleteParams {
            grace_period_seconds: Some(grace),
            ..DeleteParams::default()
        };
        match pods.delete(name, &params).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(Self::api_error(job, "delete the pod")(e)),
        }
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

    async fn reattach_job(
        &self,
        job: &Job,
        logs: LogSender,
        cancel: CancellationToken,
    ) -> Result<Outcome, RunnerError> {
        let pods = self.pods();
        let name = pod_name(job);
        let not_found = || RunnerError::NotFound {
            kind: "kubernetes",
            job: job.name.clone(),
        };
        let Some(pod) = pods
            .get_opt(&name)
            .await
            .map_err(Self::api_error(job, "find the pod"))?
        else {
            return Err(not_found());
        };
        if !job.input_files.is_empty() && !status::files_delivered(&pod, INIT) {
            // Its files never arrived, so its job never ran: it may start afresh.
            self.delete_and_wait(&pods, &name, job).await?;
            return Err(not_found());
        }
        self.follow(job, &name, logs, cancel, false).await
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

impl TaskRunner for KubernetesRunner {
    fn kind(&self) -> &'static str {
        "kubernetes"
    }

    fn working_dir(&self, _job: &Job) -> String {
        WORKING_DIR.to_owned()
    }

    fn run<'a>(
        &'a self,
        job: &'a Job,
        logs: LogSender,
        cancel: CancellationToken,
    ) -> BoxFuture<'a, Result<Outcome, RunnerError>> {
        Box::pin(self.run_job(job, logs, cancel))
    }

    fn reattach<'a>(
        &'a self,
        job: &'a Job,
        logs: LogSender,
        cancel: CancellationToken,
    ) -> BoxFuture<'a, Result<Outcome, RunnerError>> {
        Box::pin(self.reattach_job(job, logs, cancel))
    }

    fn cleanup<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), RunnerError>> {
        Box::pin(async move {
            if self.options.delete {
                let grace =
                    u32::try_from(self.options.kill_grace.unwrap_or(job.kill_grace).as_secs()).unwrap_or(u32::MAX);
                let params = DeleteParams {
                    grace_period_seconds: Some(grace),
                    ..DeleteParams::default()
                };
                match self.pods().delete(&pod_name(job), &params).await {
                    Ok(_) => {}
                    Err(kube::Error::Api(s)) if s.code == 404 => {}
                    Err(e) => return Err(Self::api_error(job, "delete the pod")(e)),
                }
            }
            files::remove_local(&files::local_dir(&self.base_dir, job)).await
        })
    }
}
