//! `io.kestra.plugin.kubernetes.PodCreate`: the user's own pod spec, with its
//! `containerDefaultSpec` merged into its containers, run by the Kubernetes runner with Sluice's
//! working directory, file transfer, logs and failure reports added.

use crate::{PlanContext, ScriptJob, TaskError};
use serde_json::{Map, Value};
use sluice_flow::k8s::PodPart;
use sluice_flow::model::Task;
use sluice_runners::{DEFAULT_KILL_GRACE, Job};

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
pub fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<ScriptJob, TaskError> {
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
        warning_on_stderr: false,
        dbt: None,
    })
}
