//! `io.kestra.plugin.kubernetes.PodCreate`: the user's own pod spec, with its
//! `containerDefaultSpec` merged into its containers, run by the Kubernetes runner with Sluice's
//! working directory, file transfer, logs and failure reports added.
//!
//! Kestra: <https://kestra.io/plugins/plugin-kubernetes/core/io.kestra.plugin.kubernetes.core.podcreate>
//! (source: kestra-io/plugin-kubernetes `core/PodCreate.java`, with `AbstractPod.java` and
//! `AbstractConnection.java`).

use crate::catalog::TaskType;
use crate::{Plan, PlanContext, ScriptJob, TaskError};
use serde_json::{Map, Value};
use sluice_flow::k8s::PodPart;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, POD_LIFE, TypeSpec, no_effect, opt, req};
use sluice_runners::{DEFAULT_KILL_GRACE, Job};

/// The PodCreate task.
pub static POD_CREATE: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.kubernetes.PodCreate",
        &["io.kestra.plugin.kubernetes.core.PodCreate", "kubernetes.PodCreate"],
        &[
            opt(
                "namespace",
                Kind::String,
                "Kubernetes namespace of the pod (default `default`).",
            ),
            opt(
                "metadata",
                Kind::Pod(PodPart::Metadata),
                "Pod metadata; labels and annotations are merged with Sluice's own.",
            ),
            req(
                "spec",
                Kind::Pod(PodPart::Spec),
                "The full pod spec, in Kubernetes YAML.",
            ),
            opt(
                "inputFiles",
                Kind::Files,
                "Files placed in the pod's working directory before it runs.",
            ),
            opt(
                "outputFiles",
                Kind::StringList,
                "Globs of files brought back from the pod.",
            ),
            opt(
                "waitUntilRunning",
                Kind::Duration,
                "Longest wait for the pod to start (default PT10M).",
            ),
            opt("waitRunning", Kind::Duration, "Longest the pod may run (default PT1H)."),
            POD_LIFE[0],
            POD_LIFE[1],
            POD_LIFE[2],
            opt(
                "connection",
                Kind::Map,
                "Cluster connection settings, as a task runner's `config`.",
            ),
            opt(
                "fileSidecar",
                Kind::Map,
                "Image and resources of the file-transfer container.",
            ),
            opt(
                "containerDefaultSpec",
                Kind::Pod(PodPart::ContainerDefaults),
                "Container settings merged into every container and init container of `spec`: securityContext, resources, volumeMounts, env.",
            ),
            opt(
                "waitForLogInterval",
                Kind::Duration,
                "How long to wait for the last log lines after the pod ended (default PT30S).",
            ),
            no_effect(
                "inheritClusterConfig",
                Kind::Bool,
                "Seed a partial `connection` from the ambient cluster configuration.",
                "Sluice uses `connection` as written when it is set, else the server's own cluster configuration",
            ),
            no_effect(
                "waitUntilReady",
                Kind::Duration,
                "Wait for a resource's Ready condition (used by kubectl.Apply).",
                "Kestra's PodCreate does not read it either: the pod is waited for with `waitUntilRunning` and `waitRunning`",
            ),
        ],
        "Creates a Kubernetes pod from a full spec, follows it to the end, and deletes it.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    job(task, cx).map(|job| Plan::Job(Box::new(job)))
}

/// The keys of PodCreate the Kubernetes runner reads, renamed to the runner's names.
pub fn runner_settings(task: &Task) -> Map<String, Value> {
    let mut config = Map::new();
    for (from, to) in [
        ("namespace", "namespace"),
        ("connection", "config"),
        ("waitUntilRunning", "waitUntilRunning"),
        ("waitRunning", "waitUntilCompletion"),
        ("delete", "delete"),
        ("resume", "resume"),
        ("killGracePeriod", "killGracePeriod"),
        ("fileSidecar", "fileSidecar"),
        ("waitForLogInterval", "waitForLogInterval"),
    ] {
        if let Some(value) = task.properties.get(from).filter(|v| !v.is_null()) {
            config.insert(to.to_owned(), value.clone());
        }
    }
    config
}

/// Builds the job of a PodCreate task: its spec and metadata rendered, its files.
fn job(task: &Task, cx: &PlanContext<'_>) -> Result<ScriptJob, TaskError> {
    let invalid = |message: String| TaskError::Invalid {
        task: task.id.clone(),
        message,
    };
    let spec = match task.properties.get("spec") {
        Some(Value::Object(spec)) => spec,
        _ => return Err(invalid("`spec` must be a pod spec mapping with `containers`".into())),
    };
    let mut rendered = cx
        .renderer
        .value(&task.id, "spec", &Value::Object(spec.clone()), cx.variables)?;
    let typed = |part, name: &str, v: &Value| {
        sluice_flow::k8s::coerce(part, v)
            .map_err(|errors| invalid(format!("`{name}` as rendered: {}", errors.join("; "))))
    };
    if let Some(Value::Object(defaults)) = task.properties.get("containerDefaultSpec") {
        let defaults = cx.renderer.value(
            &task.id,
            "containerDefaultSpec",
            &Value::Object(defaults.clone()),
            cx.variables,
        )?;
        let defaults = typed(PodPart::ContainerDefaults, "containerDefaultSpec", &defaults)?;
        if let (Value::Object(spec), Value::Object(defaults)) = (&mut rendered, &defaults) {
            crate::container_defaults::apply(spec, defaults);
        }
    }
    let spec = match typed(PodPart::Spec, "spec", &rendered)? {
        Value::Object(map) => map,
        _ => return Err(invalid("`spec` must render to a mapping".into())),
    };
    let metadata = match task.properties.get("metadata") {
        Some(Value::Object(m)) => {
            let rendered = cx
                .renderer
                .value(&task.id, "metadata", &Value::Object(m.clone()), cx.variables)?;
            match typed(PodPart::Metadata, "metadata", &rendered)? {
                Value::Object(map) => Some(map),
                _ => None,
            }
        }
        _ => None,
    };
    let mut job = Job::new(cx.job_name.clone(), Vec::<String>::new());
    job.input_files = crate::props::input_files(task, cx)?;
    job.output_files = crate::props::strings(task, cx, "outputFiles")?;
    job.timeout = crate::props::timeout(task, cx)?;
    job.kill_grace = DEFAULT_KILL_GRACE;
    job.pod_spec = Some(spec);
    job.pod_metadata = metadata;
    Ok(ScriptJob {
        job,
        outputs: serde_json::Map::new(),
        warning_on_stderr: false,
        dbt: None,
        lifted: None,
    })
}
