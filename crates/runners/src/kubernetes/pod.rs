//! The pod of a job, built as JSON: the job's container (or PodCreate's own spec), the working
//! directory volume, and the helpers that move files in (an init container) and out (a sidecar),
//! labelled so a restarted worker finds it again. Pure: no API calls.

use serde_json::{Map, Value, json};

use super::KubernetesOptions;
use super::read::invalid;
use crate::paths::{dir_name, fnv1a};
use crate::{Job, RunnerError};

/// The job's working directory in every container; `{{ workingDir }}` renders to it.
pub const WORKING_DIR: &str = "/sluice/work";
/// Name of the job's container for script tasks.
pub const MAIN: &str = "main";
/// The init container that receives the input files.
pub const INIT: &str = "sluice-files-in";
/// The sidecar that hands the output files over once the job's containers ended.
pub const SIDECAR: &str = "sluice-files-out";
/// Where the helpers keep their markers (a volume the job's containers do not see).
pub const CONTROL_DIR: &str = "/sluice/control";
/// Label on every pod Sluice creates.
pub const MANAGED_LABEL: &str = "sluice.io/managed";
/// Label on pods made with `delete: false`.
pub const KEEP_LABEL: &str = "sluice.io/delete";
/// Annotation holding the job's name.
pub const JOB_ANNOTATION: &str = "sluice.io/job-name";
/// Label holding the pod's name, to find it by label.
pub const JOB_LABEL: &str = "sluice.io/job";

/// The pod name of `job`: `sluice-` and the job name made DNS-safe and lowercase, with a hash
/// of the original when anything had to change, at most 63 characters.
pub fn pod_name(job: &Job) -> String {
    let lower = dir_name(&job.name).to_ascii_lowercase().replace(['_', '.'], "-");
    let lower = lower.trim_matches('-');
    let mut name = format!("sluice-{lower}");
    if lower != job.name || name.len() > 63 {
        name.truncate(63 - 9);
        let trimmed = name.trim_end_matches('-').len();
        name.truncate(trimmed);
        name.push_str(&format!("-{:08x}", fnv1a(job.name.as_bytes()) as u32));
    }
    name
}

/// PodCreate's pod: its spec, and its metadata if given.
pub type UserSpec<'a> = (&'a Map<String, Value>, Option<&'a Map<String, Value>>);

/// What the pod needs besides the job.
pub struct PodPlan<'a> {
    /// The job.
    pub job: &'a Job,
    /// Runner settings.
    pub options: &'a KubernetesOptions,
    /// Namespace of the pod.
    pub namespace: &'a str,
    /// PodCreate: the user's pod spec and metadata, used instead of one generated container.
    pub user_spec: Option<UserSpec<'a>>,
    /// Seconds the sidecar waits at most for Sluice to collect the outputs before it gives up.
    pub sidecar_wait: u64,
}

impl PodPlan<'_> {
    /// The pod as JSON, ready to be created.
    pub fn build(&self) -> Result<Value, RunnerError> {
        let name = pod_name(self.job);
        let mut spec = match self.user_spec {
            Some((spec, _)) => spec.clone(),
            None => self.generated_spec()?,
        };
        if let Some(overlay) = &self.options.pod_spec {
            merge_spec(&mut spec, overlay);
        }
        spec.entry("restartPolicy").or_insert(json!("Never"));
        let containers = spec
            .get_mut("containers")
            .and_then(Value::as_array_mut)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| invalid("the pod spec has no `containers`; give at least one container with an `image`"))?;
        for container in containers.iter_mut() {
            let container = container
                .as_object_mut()
                .ok_or_else(|| invalid("each entry of `containers` must be a mapping"))?;
            push(
                container,
                "volumeMounts",
                json!({"name": "sluice-work", "mountPath": WORKING_DIR}),
            );
        }
        push(&mut spec, "volumes", json!({"name": "sluice-work", "emptyDir": {}}));
        let needs_control = self.job.has_inputs() || !self.job.output_files.is_empty();
        if needs_control {
            push(&mut spec, "volumes", json!({"name": "sluice-control", "emptyDir": {}}));
        }
        if self.job.has_inputs() {
            let wait = format!("until [ -f {CONTROL_DIR}/ready ]; do sleep 0.2; done");
            let init = self.helper(INIT, &wait);
            match spec.get_mut("initContainers").and_then(Value::as_array_mut) {
                Some(list) => list.insert(0, init),
                None => _ = spec.insert("initContainers".into(), json!([init])),
            }
        }
        if !self.job.output_files.is_empty() {
            let wait = format!(
                "i=0; until [ -f {CONTROL_DIR}/done ] || [ $i -ge {} ]; do sleep 1; i=$((i+1)); done",
                self.sidecar_wait
            );
            push(&mut spec, "containers", self.helper(SIDECAR, &wait));
        }
        let mut labels: Map<String, Value> = Map::new();
        let mut annotations: Map<String, Value> = Map::new();
        if let Some((_, Some(metadata))) = self.user_spec {
            extend(&mut labels, metadata.get("labels"));
            extend(&mut annotations, metadata.get("annotations"));
        }
        labels.extend(
            self.options
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), json!(label_value(v)))),
        );
        labels.extend(self.job.labels.iter().map(|(k, v)| (k.clone(), json!(label_value(v)))));
        annotations.extend(self.options.annotations.iter().map(|(k, v)| (k.clone(), json!(v))));
        labels.insert(MANAGED_LABEL.into(), json!("true"));
        labels.insert(JOB_LABEL.into(), json!(name));
        if !self.options.delete {
            labels.insert(KEEP_LABEL.into(), json!("false"));
        }
        annotations.insert(JOB_ANNOTATION.into(), json!(self.job.name));
        Ok(json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": self.namespace, "labels": labels, "annotations": annotations},
            "spec": spec,
        }))
    }

    fn generated_spec(&self) -> Result<Map<String, Value>, RunnerError> {
        let (job, o) = (self.job, self.options);
        let image = job.image.as_deref().filter(|i| !i.is_empty()).ok_or_else(|| {
            invalid(format!(
                "job `{}` names no image; set the task's `containerImage`",
                job.name
            ))
        })?;
        let mut env: Vec<Value> = job.env.iter().map(|(k, v)| json!({"name": k, "value": v})).collect();
        env.retain(|e| e["name"] != "WORKING_DIR");
        env.push(json!({"name": "WORKING_DIR", "value": WORKING_DIR}));
        let mut requests = Map::new();
        let mut limits = Map::new();
        let put = |map: &mut Map<String, Value>, key: &str, value: Option<String>| {
            if let Some(v) = value {
                map.insert(key.into(), json!(v));
            }
        };
        put(&mut requests, "cpu", o.cpu_request.clone());
        put(&mut requests, "memory", o.memory_request.clone());
        put(
            &mut limits,
            "cpu",
            o.cpu_limit
                .clone()
                .or(job.resources.cpu_millis.map(|m| format!("{m}m"))),
        );
        put(
            &mut limits,
            "memory",
            o.memory_limit
                .clone()
                .or(job.resources.memory_bytes.map(|b| b.to_string())),
        );
        let mut container = json!({
            "name": MAIN,
            "image": image,
            "command": job.command,
            "workingDir": WORKING_DIR,
            "env": env,
            "resources": {"requests": requests, "limits": limits},
        });
        if let Some(policy) = &o.pull_policy {
            container["imagePullPolicy"] = json!(policy);
        }
        let mut spec = Map::new();
        spec.insert("containers".into(), json!([container]));
        if let Some(account) = &o.service_account {
            spec.insert("serviceAccountName".into(), json!(account));
        }
        if !o.node_selector.is_empty() {
            spec.insert("nodeSelector".into(), json!(o.node_selector));
        }
        Ok(spec)
    }

    fn helper(&self, name: &str, script: &str) -> Value {
        let mut helper = json!({
            "name": name,
            "image": self.options.helper_image,
            "command": ["sh", "-c", script],
            "volumeMounts": [
                {"name": "sluice-work", "mountPath": WORKING_DIR},
                {"name": "sluice-control", "mountPath": CONTROL_DIR},
            ],
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "64Mi"}},
        });
        if let Some(policy) = &self.options.pull_policy {
            helper["imagePullPolicy"] = json!(policy);
        }
        helper
    }
}

/// Lays `overlay` over `spec`: mappings merge key by key, `containers` and `initContainers`
/// merge by container name (new names are added), other lists are extended, values replaced.
pub fn merge_spec(spec: &mut Map<String, Value>, overlay: &Map<String, Value>) {
    for (key, value) in overlay {
        match (spec.get_mut(key), value) {
            (Some(Value::Array(base)), Value::Array(extra)) if key == "containers" || key == "initContainers" => {
                for container in extra {
                    let name = container.get("name");
                    match base.iter_mut().find(|c| name.is_some() && c.get("name") == name) {
                        Some(Value::Object(existing)) => {
                            if let Value::Object(more) = container {
                                merge_spec(existing, more);
                            }
                        }
                        _ => base.push(container.clone()),
                    }
                }
            }
            (Some(Value::Array(base)), Value::Array(extra)) => base.extend(extra.iter().cloned()),
            (Some(Value::Object(base)), Value::Object(more)) => merge_spec(base, more),
            _ => _ = spec.insert(key.clone(), value.clone()),
        }
    }
}

fn push(map: &mut Map<String, Value>, key: &str, item: Value) {
    match map.get_mut(key).and_then(Value::as_array_mut) {
        Some(list) => list.push(item),
        None => _ = map.insert(key.into(), json!([item])),
    }
}

fn extend(map: &mut Map<String, Value>, from: Option<&Value>) {
    if let Some(Value::Object(more)) = from {
        map.extend(more.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
}

/// A label value: at most 63 of `[A-Za-z0-9._-]`, starting and ending with a letter or digit.
fn label_value(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(63)
        .collect();
    cleaned.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Job {
        let mut job = Job::new("2kLq0bZ8fPd-5Hx2Ui0cTDpz2d5Nde1Uqo-1", ["sh", "-c", "echo hi"]);
        job.image = Some("busybox".into());
        job
    }

    #[test]
    fn names_are_dns_safe_and_stable() {
        let name = pod_name(&job());
        assert!(name.len() <= 63, "{name}");
        assert!(name.starts_with("sluice-2klq0bz8fpd-"), "{name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
        assert_eq!(name, pod_name(&job()));
        let mut long = job();
        long.name = "x".repeat(200);
        assert!(pod_name(&long).len() <= 63);
    }

    #[test]
    fn a_script_job_gets_one_container_and_helpers_only_when_files_move() {
        let options = KubernetesOptions::default();
        let mut job = job();
        let plan = |job: &Job| {
            PodPlan {
                job,
                options: &options,
                namespace: "ns",
                user_spec: None,
                sidecar_wait: 60,
            }
            .build()
            .unwrap()
        };
        let pod = plan(&job);
        assert_eq!(pod["spec"]["containers"].as_array().unwrap().len(), 1);
        assert!(pod["spec"].get("initContainers").is_none());
        assert_eq!(pod["spec"]["containers"][0]["workingDir"], WORKING_DIR);
        assert_eq!(pod["metadata"]["labels"][MANAGED_LABEL], "true");
        job.input_files.insert("a.txt".into(), b"a".to_vec());
        job.output_files.push("*.txt".into());
        let pod = plan(&job);
        assert_eq!(pod["spec"]["initContainers"][0]["name"], INIT);
        assert_eq!(pod["spec"]["containers"][1]["name"], SIDECAR);
    }

    #[test]
    fn the_overlay_merges_containers_by_name_and_extends_lists() {
        let mut spec = json!({"containers": [{"name": "main", "image": "a"}], "volumes": [{"name": "v"}]});
        let overlay = json!({
            "containers": [{"name": "main", "securityContext": {"runAsUser": 1000}}],
            "volumes": [{"name": "w"}],
            "tolerations": [{"key": "gpu"}],
        });
        merge_spec(spec.as_object_mut().unwrap(), overlay.as_object().unwrap());
        assert_eq!(spec["containers"][0]["image"], "a");
        assert_eq!(spec["containers"][0]["securityContext"]["runAsUser"], 1000);
        assert_eq!(spec["volumes"].as_array().unwrap().len(), 2);
        assert_eq!(spec["tolerations"][0]["key"], "gpu");
    }

    #[test]
    fn label_values_are_cleaned() {
        assert_eq!(label_value("data — team"), "data___team");
        assert_eq!(label_value("-x-"), "x");
    }
}
