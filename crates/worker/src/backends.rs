//! The task runners a worker drives: its process runner, and one connection per Docker engine
//! and per Kubernetes cluster, made on first use and shared by every attempt after.

use sluice_runners::{
    DockerOptions, DockerRunner, KubernetesOptions, KubernetesRunner, ProcessRunner, RunnerError, TaskRunner,
};
use sluice_tasks::RunnerChoice;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// The runner chosen for one attempt.
#[derive(Clone)]
pub enum Chosen {
    /// The worker's own process runner.
    Process,
    /// A Docker engine, with the task's options.
    Docker(DockerRunner),
    /// A Kubernetes cluster, with the task's options.
    Kubernetes(KubernetesRunner),
}

impl Chosen {
    /// The runner, as the trait every runner implements.
    pub fn runner<'a>(&'a self, process: &'a ProcessRunner) -> &'a dyn TaskRunner {
        match self {
            Chosen::Process => process,
            Chosen::Docker(docker) => docker,
            Chosen::Kubernetes(kubernetes) => kubernetes,
        }
    }

    /// Whether an attempt handed over from another worker should be re-attached (`resume`).
    pub fn resumes(&self) -> bool {
        match self {
            Chosen::Process => false,
            Chosen::Docker(docker) => docker.options().resume,
            Chosen::Kubernetes(kubernetes) => kubernetes.options().resume,
        }
    }
}

/// Connections to engines and clusters, by address.
pub struct Backends {
    data_dir: PathBuf,
    docker_volumes: bool,
    docker: Mutex<HashMap<Option<String>, DockerRunner>>,
    kubernetes: tokio::sync::Mutex<HashMap<String, KubernetesRunner>>,
    /// Clusters and namespaces tasks ran in, for the sweep.
    namespaces: tokio::sync::Mutex<HashMap<(String, String), KubernetesRunner>>,
}

impl Backends {
    /// No connection yet; output files go under `data_dir`.
    pub fn new(data_dir: PathBuf, docker_volumes: bool) -> Self {
        Self {
            data_dir,
            docker_volumes,
            docker: Mutex::new(HashMap::new()),
            kubernetes: tokio::sync::Mutex::new(HashMap::new()),
            namespaces: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The runner for `choice`, with its settings read and checked.
    pub async fn choose(&self, choice: &RunnerChoice) -> Result<Chosen, RunnerError> {
        match choice {
            RunnerChoice::Process => Ok(Chosen::Process),
            RunnerChoice::Docker(config) => Ok(Chosen::Docker(self.docker(DockerOptions::from_kestra(config)?)?)),
            RunnerChoice::Kubernetes(config) => Ok(Chosen::Kubernetes(
                self.kubernetes(KubernetesOptions::from_kestra(config)?).await?,
            )),
        }
    }

    fn docker(&self, options: DockerOptions) -> Result<DockerRunner, RunnerError> {
        if !options.volumes.is_empty() && !self.docker_volumes {
            return Err(RunnerError::DockerConfig {
                message: "`volumes` (host bind mounts) are disabled on this server; start it with `--docker-volumes` (or SLUICE_DOCKER_VOLUMES=true, or `dockerVolumes: true` in its configuration), or deliver files with `inputFiles` and `outputFiles`".into(),
            });
        }
        let mut engines = self.docker.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(engine) = engines.get(&options.host) {
            return Ok(engine.with_options(options));
        }
        let host = options.host.clone();
        let runner = DockerRunner::connect(options, self.data_dir.join("docker"))?;
        engines.insert(host, runner.clone());
        Ok(runner)
    }

    async fn kubernetes(&self, options: KubernetesOptions) -> Result<KubernetesRunner, RunnerError> {
        // Connections are told apart by their settings (kept in memory only).
        let key = format!("{:?}", options.connection);
        let mut clusters = self.kubernetes.lock().await;
        let runner = match clusters.get(&key) {
            Some(cluster) => cluster.with_options(options),
            None => {
                let runner = KubernetesRunner::connect(options, self.data_dir.join("kubernetes")).await?;
                clusters.insert(key.clone(), runner.clone());
                runner
            }
        };
        let place = (key, runner.namespace().to_owned());
        self.namespaces
            .lock()
            .await
            .entry(place)
            .or_insert_with(|| runner.clone());
        Ok(runner)
    }

    /// Every engine and cluster namespace to sweep: those tasks used, plus the defaults (the
    /// local Docker engine, the default cluster) when they can be reached.
    pub async fn sweepable(&self) -> Vec<Chosen> {
        let mut found = Vec::new();
        if let Ok(docker) = self.docker(DockerOptions::default()) {
            found.push(Chosen::Docker(docker));
        }
        let engines: Vec<DockerRunner> = self
            .docker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(host, _)| host.is_some())
            .map(|(_, runner)| runner.clone())
            .collect();
        found.extend(engines.into_iter().map(Chosen::Docker));
        if std::env::var_os("KUBECONFIG").is_some() || std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
            let _ = self.kubernetes(KubernetesOptions::default()).await;
        }
        found.extend(self.namespaces.lock().await.values().cloned().map(Chosen::Kubernetes));
        found
    }
}
