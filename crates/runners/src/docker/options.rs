//! The Docker runner's settings, read from a task's `taskRunner` mapping as Kestra writes it.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

use bollard::models::DeviceRequest;

use super::access::{self, Credentials};
use super::read::{boolean, bytes, cpus, duration, invalid, object, string, strings};
use crate::RunnerError;

/// When the runner pulls the task's image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PullPolicy {
    /// Pull only when the engine does not have the image (the default).
    #[default]
    IfNotPresent,
    /// Pull before every run.
    Always,
    /// Never pull: a missing image fails the job at once.
    Never,
}

impl PullPolicy {
    /// Kestra's spelling: `IF_NOT_PRESENT`, `ALWAYS`, `NEVER`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IfNotPresent => "IF_NOT_PRESENT",
            Self::Always => "ALWAYS",
            Self::Never => "NEVER",
        }
    }
}

/// Settings of one Docker task runner (Kestra's `io.kestra.plugin.scripts.runner.docker.Docker`).
#[derive(Debug, Clone, PartialEq)]
pub struct DockerOptions {
    /// Engine address (`unix:///var/run/docker.sock`, `tcp://host:2375`); `None`: `DOCKER_HOST`,
    /// else the local socket.
    pub host: Option<String>,
    /// When to pull the image.
    pub pull_policy: PullPolicy,
    /// CPU limit in thousandths of a core (`cpu.cpus: 1.5` = 1500); the job's resources win.
    pub cpu_millis: Option<u64>,
    /// Memory limit in bytes (`memory.memory`); the job's resources win.
    pub memory_bytes: Option<u64>,
    /// Memory plus swap limit in bytes (`memory.memorySwap`); -1 means unlimited swap.
    pub memory_swap_bytes: Option<i64>,
    /// Soft memory limit in bytes (`memory.memoryReservation`).
    pub memory_reservation_bytes: Option<u64>,
    /// User (and group) the command runs as, e.g. `1000:1000`.
    pub user: Option<String>,
    /// Replaces the image's entry point; the job's command becomes its arguments. When unset,
    /// the image's entry point is cleared (Kestra's default `[""]`).
    pub entry_point: Option<Vec<String>>,
    /// Docker network mode, e.g. `host`, `none`, `bridge`.
    pub network_mode: Option<String>,
    /// Extra `/etc/hosts` entries, `name:address`.
    pub extra_hosts: Vec<String>,
    /// Size of `/dev/shm` in bytes.
    pub shm_size: Option<u64>,
    /// Extra environment variables for the container (the job's own win).
    pub env: BTreeMap<String, String>,
    /// Remove the container when the job ends (default true).
    pub delete: bool,
    /// Time between SIGTERM and SIGKILL when stopping; `None`: the job's kill grace.
    pub kill_grace: Option<Duration>,
    /// Re-attach to a running container after a restart (default true).
    pub resume: bool,
    /// Host bind mounts (`/host:/container[:ro]`); only used where the worker allows them.
    pub volumes: Vec<String>,
    /// Device requests, e.g. GPUs.
    pub device_requests: Vec<DeviceRequest>,
    /// Credentials for pulling the image from a private registry.
    pub credentials: Option<Credentials>,
}

impl Default for DockerOptions {
    fn default() -> Self {
        Self {
            host: None,
            pull_policy: PullPolicy::default(),
            cpu_millis: None,
            memory_bytes: None,
            memory_swap_bytes: None,
            memory_reservation_bytes: None,
            user: None,
            entry_point: None,
            network_mode: None,
            extra_hosts: Vec::new(),
            shm_size: None,
            env: BTreeMap::new(),
            delete: true,
            kill_grace: None,
            resume: true,
            volumes: Vec::new(),
            device_requests: Vec::new(),
            credentials: None,
        }
    }
}

impl DockerOptions {
    /// Reads the `taskRunner` mapping of a task (its `type` is ignored). Unknown or unsupported
    /// keys are errors, so a setting is never silently dropped.
    pub fn from_kestra(config: &Map<String, Value>) -> Result<Self, RunnerError> {
        let mut options = Self::default();
        for (key, value) in config {
            match key.as_str() {
                // `image` (Kestra's compatibility image, which wins over the task's
                // `containerImage`) is rendered into the job's image by sluice-tasks; `version`
                // pins a plugin version, and Sluice has one.
                "type" | "image" | "version" => {}
                "host" => options.host = Some(string(key, value)?),
                "pullPolicy" => {
                    options.pull_policy = match string(key, value)?.to_ascii_uppercase().as_str() {
                        "IF_NOT_PRESENT" | "IFNOTPRESENT" => PullPolicy::IfNotPresent,
                        "ALWAYS" => PullPolicy::Always,
                        "NEVER" => PullPolicy::Never,
                        other => {
                            return Err(invalid(format!(
                                "`pullPolicy: {other}` is not a pull policy; use IF_NOT_PRESENT, ALWAYS or NEVER"
                            )));
                        }
                    }
                }
                "cpu" => {
                    for (k, v) in object(key, value)? {
                        match k.as_str() {
                            "cpus" => options.cpu_millis = Some(cpus(v)?),
                            other => return Err(invalid(format!("unknown key `cpu.{other}`; use `cpu.cpus`"))),
                        }
                    }
                }
                "memory" => {
                    for (k, v) in object(key, value)? {
                        let name = format!("memory.{k}");
                        match k.as_str() {
                            "memory" => options.memory_bytes = Some(bytes(&name, v)?),
                            "memoryReservation" => options.memory_reservation_bytes = Some(bytes(&name, v)?),
                            "memorySwap" => {
                                options.memory_swap_bytes = Some(match v {
                                    Value::Number(n) if n.as_i64() == Some(-1) => -1,
                                    Value::String(s) if s.trim() == "-1" => -1,
                                    other => i64::try_from(bytes(&name, other)?)
                                        .map_err(|_| invalid(format!("`{name}` is too large")))?,
                                })
                            }
                            other => {
                                return Err(invalid(format!(
                                    "unknown key `memory.{other}`; use `memory.memory`, `memory.memorySwap` or `memory.memoryReservation`"
                                )));
                            }
                        }
                    }
                }
                "user" => options.user = Some(string(key, value)?),
                "entryPoint" => options.entry_point = Some(strings(key, value)?),
                "networkMode" => options.network_mode = Some(string(key, value)?),
                "extraHosts" => options.extra_hosts = strings(key, value)?,
                "shmSize" => options.shm_size = Some(bytes(key, value)?),
                "env" => {
                    for (k, v) in object(key, value)? {
                        let v = match v {
                            Value::String(s) => s.clone(),
                            Value::Null => String::new(),
                            other => other.to_string(),
                        };
                        options.env.insert(k.clone(), v);
                    }
                }
                "delete" => options.delete = boolean(key, value)?,
                "resume" => options.resume = boolean(key, value)?,
                "killGracePeriod" => options.kill_grace = Some(duration(key, value)?),
                "volumes" => options.volumes = access::volumes(value)?,
                "deviceRequests" => options.device_requests = access::device_requests(value)?,
                "credentials" => options.credentials = Some(Credentials::parse(value)?),
                // Sluice copies files in and out of the container whichever strategy is named.
                "fileHandlingStrategy" => {
                    string(key, value)?;
                }
                "wait" if !boolean(key, value)? => {
                    return Err(invalid(
                        "`wait: false` is not supported by Sluice's Docker runner: it always waits for the container to end; remove `wait`",
                    ));
                }
                "wait" => {}
                "privileged" if boolean(key, value)? => {
                    return Err(invalid(
                        "`privileged: true` is not supported by Sluice's Docker runner; remove it, or give the container what it needs with `deviceRequests` or `user`",
                    ));
                }
                "privileged" => {}
                "portBindings" if !strings(key, value)?.is_empty() => {
                    return Err(invalid(
                        "`portBindings` is not supported by Sluice's Docker runner yet; remove it, and reach other services over `networkMode`",
                    ));
                }
                "portBindings" => {}
                "config" => {
                    return Err(invalid(
                        "`config` (a Docker config.json) is not supported by Sluice's Docker runner; give the registry login as `credentials` instead",
                    ));
                }
                other => {
                    return Err(invalid(format!(
                        "unknown key `{other}`; supported: host, pullPolicy, cpu.cpus, memory.memory, memory.memorySwap, memory.memoryReservation, user, entryPoint, env, networkMode, extraHosts, shmSize, volumes, deviceRequests, credentials, delete, killGracePeriod, resume"
                    )));
                }
            }
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_kestra_settings() {
        let config = json!({
            "type": "io.kestra.plugin.scripts.runner.docker.Docker",
            "pullPolicy": "NEVER",
            "cpu": {"cpus": 1.5},
            "memory": {"memory": "512MB", "memorySwap": "1g"},
            "delete": false,
            "killGracePeriod": "PT2S",
            "extraHosts": ["db:10.0.0.1"],
        });
        let o = DockerOptions::from_kestra(config.as_object().unwrap()).unwrap();
        assert_eq!(o.pull_policy, PullPolicy::Never);
        assert_eq!(o.cpu_millis, Some(1500));
        assert_eq!(o.memory_bytes, Some(512 << 20));
        assert_eq!(o.memory_swap_bytes, Some(1 << 30));
        assert!(!o.delete);
        assert_eq!(o.kill_grace, Some(Duration::from_secs(2)));
        assert_eq!(o.extra_hosts, ["db:10.0.0.1"]);
    }

    #[test]
    fn the_runner_image_is_left_to_the_job() {
        // Docker.java keeps `image` for compatibility (kestra-io/kestra
        // script/src/main/java/io/kestra/plugin/scripts/runner/docker/Docker.java); the task's
        // plan renders it into `Job::image`, so the options accept it and keep nothing of it.
        let config =
            json!({"type": "io.kestra.plugin.scripts.runner.docker.Docker", "image": "alpine:3", "version": "1.0"});
        assert_eq!(
            DockerOptions::from_kestra(config.as_object().unwrap()).unwrap(),
            DockerOptions::default()
        );
    }

    #[test]
    fn kestra_defaults_written_out_are_accepted() {
        // Docker.java's defaults (wait true, privileged unset, fileHandlingStrategy VOLUME).
        let config = json!({"wait": true, "privileged": false, "portBindings": [], "fileHandlingStrategy": "MOUNT"});
        assert_eq!(
            DockerOptions::from_kestra(config.as_object().unwrap()).unwrap(),
            DockerOptions::default()
        );
    }

    #[test]
    fn rejects_unknown_keys_and_bad_values() {
        for config in [
            json!({"volumes": ["a"]}),
            json!({"config": "{}"}),
            json!({"nope": 1}),
            json!({"pullPolicy": "SOMETIMES"}),
            json!({"wait": false}),
            json!({"privileged": true}),
            json!({"portBindings": ["8080:80"]}),
        ] {
            assert!(
                DockerOptions::from_kestra(config.as_object().unwrap()).is_err(),
                "{config}"
            );
        }
    }

    #[test]
    fn sizes_and_their_names() {
        assert_eq!(bytes("m", &json!("1g")).unwrap(), 1 << 30);
        assert_eq!(bytes("m", &json!("64k")).unwrap(), 64 << 10);
        assert_eq!(bytes("m", &json!(1000)).unwrap(), 1000);
        assert!(bytes("m", &json!("12 parsecs")).is_err());
    }
}
