//! The container's life on the engine: its image, its creation, its inspection, the download
//! of its output files and its removal. Following a started container lives in the runner itself.

use std::collections::HashMap;

use bollard::errors::Error as EngineError;
use bollard::models::{ContainerCreateBody, ContainerInspectResponse, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, CreateImageOptionsBuilder, DownloadFromContainerOptionsBuilder,
    RemoveContainerOptionsBuilder,
};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::{Credentials, DockerRunner, PullPolicy, WORKING_DIR};
use crate::paths::remove_local;
use crate::{Job, RunnerError, archive, outputs};

impl DockerRunner {
    /// Every container of this engine that Sluice made, running or not.
    pub async fn managed(&self) -> Result<Vec<crate::Managed>, RunnerError> {
        let filters = HashMap::from([("label", vec!["sluice.managed=true"])]);
        let options = bollard::query_parameters::ListContainersOptionsBuilder::new()
            .all(true)
            .filters(&filters)
            .build();
        let containers = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(|e| RunnerError::Docker {
                job: "(sweep)".into(),
                action: "list Sluice's containers",
                message: e.to_string(),
            })?;
        Ok(containers
            .into_iter()
            .filter_map(|c| {
                let labels = c.labels.unwrap_or_default();
                Some(crate::Managed {
                    job_name: labels.get("sluice.job")?.clone(),
                    keep: labels.get("sluice.delete").is_some_and(|v| v == "false"),
                })
            })
            .collect())
    }

    pub(super) async fn ensure_image(&self, image: &str) -> Result<(), RunnerError> {
        let policy = self.options.pull_policy;
        let present = match self.docker.inspect_image(image).await {
            Ok(_) => true,
            Err(EngineError::DockerResponseServerError { status_code: 404, .. }) => false,
            Err(e) => {
                return Err(RunnerError::ImageUnavailable {
                    image: image.to_owned(),
                    policy: policy.as_str(),
                    answer: format!("the engine could not be asked: {e}"),
                });
            }
        };
        let pull = match policy {
            PullPolicy::Always => true,
            PullPolicy::IfNotPresent => !present,
            PullPolicy::Never if present => false,
            PullPolicy::Never => {
                return Err(RunnerError::ImageUnavailable {
                    image: image.to_owned(),
                    policy: policy.as_str(),
                    answer: "the engine has no such image and the pull policy forbids pulling it".to_owned(),
                });
            }
        };
        if pull {
            let options = CreateImageOptionsBuilder::new().from_image(image).build();
            let credentials = self.options.credentials.as_ref().map(Credentials::to_engine);
            let mut progress = self.docker.create_image(Some(options), None, credentials);
            while let Some(step) = progress.next().await {
                let answer = match step {
                    Err(e) => e.to_string(),
                    Ok(info) => match info.error_detail.and_then(|d| d.message) {
                        Some(message) => message,
                        None => continue,
                    },
                };
                return Err(RunnerError::ImageUnavailable {
                    image: image.to_owned(),
                    policy: policy.as_str(),
                    answer: format!("pulling it failed: {answer}"),
                });
            }
        }
        Ok(())
    }

    pub(super) async fn create(&self, job: &Job, image: &str, name: &str) -> Result<(), RunnerError> {
        let o = &self.options;
        let mut labels: HashMap<String, String> = job.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        labels.insert("sluice.managed".into(), "true".into());
        labels.insert("sluice.job".into(), job.name.clone());
        if !o.delete {
            labels.insert("sluice.delete".into(), "false".into());
        }
        let mut env: Vec<String> = o
            .env
            .iter()
            .filter(|(k, _)| !job.env.contains_key(*k))
            .chain(job.env.iter())
            .filter(|(k, _)| k.as_str() != "WORKING_DIR")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        env.push(format!("WORKING_DIR={WORKING_DIR}"));
        let cpu_millis = job.resources.cpu_millis.or(o.cpu_millis);
        let memory = job.resources.memory_bytes.or(o.memory_bytes);
        let host_config = HostConfig {
            nano_cpus: cpu_millis.map(|m| (m as i64).saturating_mul(1_000_000)),
            memory: memory.map(|m| m as i64),
            memory_swap: o.memory_swap_bytes,
            memory_reservation: o.memory_reservation_bytes.map(|m| m as i64),
            network_mode: o.network_mode.clone(),
            extra_hosts: (!o.extra_hosts.is_empty()).then(|| o.extra_hosts.clone()),
            shm_size: o.shm_size.map(|s| s as i64),
            binds: (!o.volumes.is_empty()).then(|| o.volumes.clone()),
            device_requests: (!o.device_requests.is_empty()).then(|| o.device_requests.clone()),
            ..Default::default()
        };
        let body = ContainerCreateBody {
            image: Some(image.to_owned()),
            cmd: Some(job.command.clone()),
            // Kestra's default `[""]`: the image's own ENTRYPOINT is cleared.
            entrypoint: Some(o.entry_point.clone().unwrap_or_else(|| vec![String::new()])),
            env: Some(env),
            working_dir: Some(WORKING_DIR.to_owned()),
            user: o.user.clone(),
            labels: Some(labels),
            host_config: Some(host_config),
            attach_stdin: Some(false),
            tty: Some(false),
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::new().name(name).build();
        self.docker
            .create_container(Some(options), body)
            .await
            .map_err(Self::engine_error(job, "create the container"))?;
        Ok(())
    }

    pub(super) async fn inspect(&self, job: &Job, name: &str) -> Result<ContainerInspectResponse, RunnerError> {
        self.docker.inspect_container(name, None).await.map_err(|e| match e {
            EngineError::DockerResponseServerError { status_code: 404, .. } => RunnerError::NotFound {
                kind: "docker",
                job: job.name.clone(),
            },
            e => Self::engine_error(job, "inspect the container")(e),
        })
    }

    /// Downloads the working directory as a tar archive and collects the output files from it.
    pub(super) async fn download_outputs(&self, job: &Job, name: &str) -> Result<Vec<crate::OutputFile>, RunnerError> {
        if job.output_files.is_empty() {
            return Ok(Vec::new());
        }
        let dir = self.local_dir(job);
        remove_local(&dir).await?;
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| RunnerError::io("create the output directory", &dir, e))?;
        let tar_path = dir.join("work.tar");
        let mut file = tokio::fs::File::create(&tar_path)
            .await
            .map_err(|e| RunnerError::io("write the output archive", &tar_path, e))?;
        let options = DownloadFromContainerOptionsBuilder::new().path(WORKING_DIR).build();
        let mut chunks = self.docker.download_from_container(name, Some(options));
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(Self::engine_error(job, "download the output files"))?;
            file.write_all(&chunk)
                .await
                .map_err(|e| RunnerError::io("write the output archive", &tar_path, e))?;
        }
        file.flush()
            .await
            .map_err(|e| RunnerError::io("write the output archive", &tar_path, e))?;
        drop(file);
        let (archive, dest) = (tar_path.clone(), dir.join("files"));
        tokio::task::spawn_blocking(move || archive::unpack(&archive, &dest))
            .await
            .map_err(|e| RunnerError::io("unpack the output archive", &tar_path, std::io::Error::other(e)))?
            .map_err(|e| RunnerError::io("unpack the output archive", &tar_path, e))?;
        let _ = tokio::fs::remove_file(&tar_path).await;
        // The archive of `/sluice/work` holds `work/...`.
        outputs::collect(dir.join("files").join("work"), job.output_files.clone()).await
    }

    /// Removes the container and its anonymous volumes; an absent container is fine.
    pub(super) async fn remove(&self, name: &str) -> Result<(), EngineError> {
        let options = RemoveContainerOptionsBuilder::new().force(true).v(true).build();
        match self.docker.remove_container(name, Some(options)).await {
            Err(EngineError::DockerResponseServerError { status_code: 404, .. }) => Ok(()),
            other => other,
        }
    }
}
