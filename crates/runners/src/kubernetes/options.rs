//! The Kubernetes task runner's settings, read from a task's `taskRunner` mapping as Kestra
//! writes it (`io.kestra.plugin.ee.kubernetes.runner.Kubernetes`), and PodCreate's own keys.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

use super::connect::Connection;
use super::read::{duration, invalid, object, string, string_map};
use crate::{RunnerError, settings};

/// Default wait for a pod to be scheduled and its images pulled.
pub const DEFAULT_WAIT_UNTIL_RUNNING: Duration = Duration::from_secs(10 * 60);
/// Default wait for a running pod to end, when the task sets no `timeout`.
pub const DEFAULT_WAIT_UNTIL_COMPLETION: Duration = Duration::from_secs(60 * 60);
/// Default wait for the last log lines after a pod ended: PodCreate's `waitForLogInterval`
/// default (kestra-io/plugin-kubernetes `core/PodCreate.java`).
pub const DEFAULT_LOG_DRAIN: Duration = Duration::from_secs(30);
/// The file-transfer helper's default image: it needs `sh`, `tar`, `head` and `sleep`.
pub const DEFAULT_HELPER_IMAGE: &str = "busybox:1.36";

/// Settings of one Kubernetes task runner (or of one PodCreate task).
#[derive(Debug, Clone, PartialEq)]
pub struct KubernetesOptions {
    /// How to reach the API server; `None`: the server-wide default.
    pub connection: Option<Connection>,
    /// Namespace of the pod; `None`: the connection's namespace, else `default`.
    pub namespace: Option<String>,
    /// Service account the pod runs as.
    pub service_account: Option<String>,
    /// Extra labels of the pod (Sluice's own win).
    pub labels: BTreeMap<String, String>,
    /// Extra annotations of the pod.
    pub annotations: BTreeMap<String, String>,
    /// Node labels the pod must match.
    pub node_selector: BTreeMap<String, String>,
    /// Requested CPU (Kubernetes quantity, e.g. `500m`).
    pub cpu_request: Option<String>,
    /// Requested memory (e.g. `256Mi`).
    pub memory_request: Option<String>,
    /// CPU limit.
    pub cpu_limit: Option<String>,
    /// Memory limit.
    pub memory_limit: Option<String>,
    /// `Always`, `IfNotPresent` or `Never`; `None`: the cluster's default.
    pub pull_policy: Option<String>,
    /// How long the pod may take to start running.
    pub wait_until_running: Duration,
    /// How long a running pod may take to end; the task's `timeout` wins.
    pub wait_until_completion: Duration,
    /// Delete the pod when the attempt is over (default true).
    pub delete: bool,
    /// Re-attach to the pod after a restart (default true).
    pub resume: bool,
    /// Pod spec fields laid over the generated spec (tolerations, affinity, volumes…).
    pub pod_spec: Option<Map<String, Value>>,
    /// Image of the init and sidecar containers that move files in and out.
    pub helper_image: String,
    /// Grace period when the pod is deleted for a kill or a timeout; `None`: the job's.
    pub kill_grace: Option<Duration>,
    /// How long the log followers get to deliver the last lines after the pod ended
    /// (PodCreate's `waitForLogInterval`).
    pub log_drain: Duration,
}

impl Default for KubernetesOptions {
    fn default() -> Self {
        Self {
            connection: None,
            namespace: None,
            service_account: None,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            node_selector: BTreeMap::new(),
            cpu_request: None,
            memory_request: None,
            cpu_limit: None,
            memory_limit: None,
            pull_policy: None,
            wait_until_running: DEFAULT_WAIT_UNTIL_RUNNING,
            wait_until_completion: DEFAULT_WAIT_UNTIL_COMPLETION,
            delete: true,
            resume: true,
            pod_spec: None,
            helper_image: DEFAULT_HELPER_IMAGE.to_owned(),
            kill_grace: None,
            log_drain: DEFAULT_LOG_DRAIN,
        }
    }
}

const RUNNER_KEYS: &str = "namespace, config, serviceAccountName, labels, nodeSelector, resources, pullPolicy, waitUntilRunning, waitUntilCompletion, delete, resume, killGracePeriod, podSpec, fileSidecar";

impl KubernetesOptions {
    /// Reads the `taskRunner` mapping of a task (its `type` is ignored). Unknown keys are errors,
    /// so a setting is never silently dropped.
    pub fn from_kestra(config: &Map<String, Value>) -> Result<Self, RunnerError> {
        let mut options = Self::default();
        for (key, value) in config {
            if key == "type" || options.read_common(key, value)? {
                continue;
            }
            match key.as_str() {
                "serviceAccountName" => options.service_account = Some(string(key, value)?),
                "labels" => options.labels = string_map(key, value)?,
                "nodeSelector" => options.node_selector = string_map(key, value)?,
                "resources" => options.read_resources(value)?,
                "pullPolicy" => options.pull_policy = Some(pull_policy(value)?),
                "waitUntilCompletion" => options.wait_until_completion = duration(key, value)?,
                "podSpec" => options.pod_spec = Some(object(key, value)?.clone()),
                other => return Err(invalid(format!("unknown key `{other}`; supported: {RUNNER_KEYS}"))),
            }
        }
        Ok(options)
    }

    /// Reads the keys PodCreate shares with the runner; the caller handles the others (`spec`,
    /// `metadata`, files). Returns whether `key` was one of them.
    pub fn read_common(&mut self, key: &str, value: &Value) -> Result<bool, RunnerError> {
        match key {
            "namespace" => self.namespace = Some(string(key, value)?),
            "config" => self.connection = Some(Connection::from_kestra(object(key, value)?)?),
            "waitUntilRunning" => self.wait_until_running = duration(key, value)?,
            "delete" => self.delete = settings::boolean(key, value).map_err(invalid)?,
            "resume" => self.resume = settings::boolean(key, value).map_err(invalid)?,
            "killGracePeriod" => self.kill_grace = Some(duration(key, value)?),
            "waitForLogInterval" => self.log_drain = duration(key, value)?,
            "fileSidecar" => {
                for (k, v) in object(key, value)? {
                    match k.as_str() {
                        "image" => self.helper_image = string("fileSidecar.image", v)?,
                        other => {
                            return Err(invalid(format!(
                                "unknown key `fileSidecar.{other}`; use `fileSidecar.image`"
                            )));
                        }
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn read_resources(&mut self, value: &Value) -> Result<(), RunnerError> {
        for (kind, amounts) in object("resources", value)? {
            let (cpu, memory) = match kind.as_str() {
                "request" | "requests" => (&mut self.cpu_request, &mut self.memory_request),
                "limit" | "limits" => (&mut self.cpu_limit, &mut self.memory_limit),
                other => {
                    return Err(invalid(format!(
                        "unknown key `resources.{other}`; use `resources.request` and `resources.limit`"
                    )));
                }
            };
            for (name, amount) in object(&format!("resources.{kind}"), amounts)? {
                let text = quantity(&format!("resources.{kind}.{name}"), amount)?;
                match name.as_str() {
                    "cpu" => *cpu = Some(text),
                    "memory" => *memory = Some(text),
                    other => {
                        return Err(invalid(format!(
                            "unknown key `resources.{kind}.{other}`; use `cpu` and `memory`"
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Kestra writes pull policies either way: `IF_NOT_PRESENT` or Kubernetes' `IfNotPresent`.
fn pull_policy(value: &Value) -> Result<String, RunnerError> {
    let text = string("pullPolicy", value)?;
    match text.to_ascii_uppercase().replace('_', "").as_str() {
        "ALWAYS" => Ok("Always".into()),
        "IFNOTPRESENT" => Ok("IfNotPresent".into()),
        "NEVER" => Ok("Never".into()),
        _ => Err(invalid(format!(
            "`pullPolicy: {text}` is not a pull policy; use Always, IfNotPresent or Never"
        ))),
    }
}

/// A Kubernetes quantity such as `500m`, `1.5`, `256Mi`, `1G`: digits, an optional fraction,
/// an optional suffix.
fn quantity(key: &str, value: &Value) -> Result<String, RunnerError> {
    let text = string(key, value)?;
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &text[digits.len()..];
    let known = [
        "", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
    ];
    if digits.is_empty() || digits.parse::<f64>().is_err() || !known.contains(&suffix) {
        return Err(invalid(format!(
            "`{key}: {text}` is not a Kubernetes quantity; write e.g. `500m` or `2` for CPU, `256Mi` or `1Gi` for memory"
        )));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(config: Value) -> Result<KubernetesOptions, RunnerError> {
        KubernetesOptions::from_kestra(config.as_object().unwrap())
    }

    #[test]
    fn reads_the_seed_runner_settings() {
        let o = read(json!({
            "type": "io.kestra.plugin.ee.kubernetes.runner.Kubernetes",
            "namespace": "default",
            "pullPolicy": "ALWAYS",
            "resources": {"request": {"cpu": "500m", "memory": "256Mi"}, "limit": {"memory": "1Gi"}},
            "nodeSelector": {"disk": "ssd"},
            "waitUntilRunning": "PT2M",
            "delete": false,
        }))
        .unwrap();
        assert_eq!(o.namespace.as_deref(), Some("default"));
        assert_eq!(o.pull_policy.as_deref(), Some("Always"));
        assert_eq!(o.cpu_request.as_deref(), Some("500m"));
        assert_eq!(o.memory_limit.as_deref(), Some("1Gi"));
        assert_eq!(o.node_selector["disk"], "ssd");
        assert_eq!(o.wait_until_running, Duration::from_secs(120));
        assert!(!o.delete);
    }

    #[test]
    fn wait_for_log_interval_sets_the_log_drain() {
        // PodCreate's `waitForLogInterval`: kestra-io/plugin-kubernetes
        // src/main/java/io/kestra/plugin/kubernetes/core/PodCreate.java (default PT30S).
        assert_eq!(read(json!({})).unwrap().log_drain, DEFAULT_LOG_DRAIN);
        let o = read(json!({"waitForLogInterval": "PT5S"})).unwrap();
        assert_eq!(o.log_drain, Duration::from_secs(5));
        assert!(read(json!({"waitForLogInterval": "five seconds"})).is_err());
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        for bad in [
            json!({"nope": 1}),
            json!({"resources": {"request": {"cpu": "lots"}}}),
            json!({"resources": {"requested": {}}}),
            json!({"pullPolicy": "SOMETIMES"}),
            json!({"waitUntilRunning": "ten minutes"}),
        ] {
            assert!(read(bad.clone()).is_err(), "{bad}");
        }
    }
}
