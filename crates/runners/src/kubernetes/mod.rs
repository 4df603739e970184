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
mod follow;
mod logs;
mod options;
mod pod;
mod read;
mod status;
mod watch;

use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{DeleteParams, PostParams};
use kube::{Api, Client};
use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use self::connect::Connection;
pub use self::options::{DEFAULT_HELPER_IMAGE, KubernetesOptions};
use self::pod::{INIT, MAIN, PodPlan};
pub use self::pod::{JOB_LABEL, MANAGED_LABEL, WORKING_DIR, pod_name};
use crate::{BoxFuture, Job, LogSender, Outcome, RunnerError, TaskRunner};

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
            .map_err(|e| read::invalid(format!("the pod spec is not a valid Kubernetes pod: {e}")))?;
        let mut tries = 0;
        loop {
            match pods.create(&PostParams::default(), &pod).await {
                Ok(_) => break,
                // A namespace made a moment ago has no service-account token yet (Kubernetes says
                // ServerTimeout, retry after 1s); a busy API server says 429: both pass.
                Err(kube::Error::Api(s))
                    if (s.code == 429 || s.reason == "ServerTimeout") && tries < 60 && !cancel.is_cancelled() =>
                {
                    tries += 1;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => return Err(Self::api_error(job, "create the pod")(e)),
            }
        }
        self.follow(job, &name, logs, cancel, job.has_inputs()).await
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
        if job.has_inputs() && !status::files_delivered(&pod, INIT) {
            // Its files never arrived, so its job never ran: it may start afresh.
            self.delete_and_wait(&pods, &name, job).await?;
            return Err(not_found());
        }
        self.follow(job, &name, logs, cancel, false).await
    }
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
                self.delete_pod(&self.pods(), &pod_name(job), job).await?;
            }
            files::remove_local(&files::local_dir(&self.base_dir, job)).await
        })
    }
}
