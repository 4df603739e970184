//! The sweep: containers and pods Sluice made whose attempt is over but that are still there —
//! a crash between an attempt's report and its clean-up, or an execution killed while no worker
//! followed its pod. Run when a worker starts and then every few minutes. It only removes what
//! belongs to an attempt this store knows as ended: another installation's pods, unknown
//! executions and `delete: false` are left alone.

use crate::backends::{Backends, Chosen};
use sluice_runners::{DockerOptions, Job, KubernetesOptions, TaskRunner};
use sluice_store::Store;

/// Removes what is left of ended attempts on every engine and cluster this worker knows;
/// returns how many it removed.
pub async fn sweep(store: &dyn Store, backends: &Backends) -> usize {
    let mut removed = 0;
    for chosen in backends.sweepable().await {
        let (managed, runner): (_, Box<dyn TaskRunner>) = match &chosen {
            Chosen::Process => continue,
            Chosen::Docker(docker) => (
                docker.managed().await,
                Box::new(docker.with_options(DockerOptions::default())),
            ),
            Chosen::Kubernetes(cluster) => {
                let options = KubernetesOptions {
                    namespace: Some(cluster.namespace().to_owned()),
                    ..KubernetesOptions::default()
                };
                (cluster.managed().await, Box::new(cluster.with_options(options)))
            }
        };
        let managed = match managed {
            Ok(list) => list,
            Err(e) => {
                tracing::debug!(error = %e, "sweep: cannot list");
                continue;
            }
        };
        for item in managed.into_iter().filter(|m| !m.keep) {
            if !ended(store, &item.job_name).await {
                continue;
            }
            match runner
                .cleanup(&Job::new(item.job_name.clone(), Vec::<String>::new()))
                .await
            {
                Ok(()) => {
                    removed += 1;
                    tracing::info!(job = %item.job_name, "sweep: removed what an ended attempt left");
                }
                Err(e) => tracing::warn!(job = %item.job_name, error = %e, "sweep: could not remove"),
            }
        }
    }
    removed
}

/// Whether job `name` (`<execution>-<task run>-<attempt>`) is an attempt this store knows as
/// ended.
async fn ended(store: &dyn Store, name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let [execution, task_run, attempt] = parts[..] else {
        return false;
    };
    let Ok(attempt) = attempt.parse::<usize>() else {
        return false;
    };
    let Ok(Some(exec)) = store.get_execution(execution).await else {
        return false;
    };
    exec.task_run(task_run)
        .and_then(|run| run.attempts.get(attempt.checked_sub(1)?))
        .is_some_and(|a| a.state.current.is_terminal())
}
