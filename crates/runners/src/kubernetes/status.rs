//! Reading a pod's status: is it waiting (and why), running, failed beyond repair (a bad
//! image), or ended (and how)? Pure, so every failure Kubernetes reports is explained the same
//! way, with the container's name and the cluster's own words.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

/// Waiting reasons that never resolve by waiting longer.
const HOPELESS: [&str; 8] = [
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "CrashLoopBackOff",
];

/// Where a pod stands, for the runner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Not running yet; the message (the scheduler's reason, say) is worth telling the user.
    Waiting(Option<String>),
    /// The init container that receives the input files runs.
    ReadyForFiles,
    /// The job's containers run.
    Running,
    /// It will never run: fail the attempt now.
    Failed(String),
    /// The job's containers ended.
    Ended(Ended),
}

/// How the job's containers ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    /// Exit code of the failed container (or 0); `None` when the pod itself failed.
    pub exit_code: Option<i32>,
    /// What happened, naming the container.
    pub message: String,
}

/// Judges `pod`, whose job containers are `job_containers` and whose file-receiving init
/// container (if any) is `init`.
pub fn judge(pod: &Pod, job_containers: &[String], init: Option<&str>) -> Phase {
    let name = pod.metadata.name.as_deref().unwrap_or("?");
    let Some(status) = &pod.status else {
        return Phase::Waiting(None);
    };
    let statuses = status.container_statuses.as_deref().unwrap_or_default();
    let inits = status.init_container_statuses.as_deref().unwrap_or_default();
    for s in inits.iter().chain(statuses) {
        if let Some(waiting) = s.state.as_ref().and_then(|st| st.waiting.as_ref()) {
            let reason = waiting.reason.as_deref().unwrap_or("");
            if HOPELESS.contains(&reason) {
                let detail = waiting.message.as_deref().unwrap_or("no details from the kubelet");
                return Phase::Failed(format!(
                    "container {} of pod {name} cannot start: {reason}: {detail} (image `{}`)",
                    s.name, s.image
                ));
            }
        }
    }
    let jobs: Vec<&ContainerStatus> = statuses.iter().filter(|s| job_containers.contains(&s.name)).collect();
    let all_ended = !jobs.is_empty()
        && jobs.len() == job_containers.len()
        && jobs
            .iter()
            .all(|s| s.state.as_ref().is_some_and(|st| st.terminated.is_some()));
    if all_ended {
        return Phase::Ended(ended(pod, &jobs));
    }
    if status.phase.as_deref() == Some("Failed") {
        let reason = status.reason.as_deref().unwrap_or("Failed");
        let detail = status.message.as_deref().unwrap_or("no details from the cluster");
        let message = match reason {
            "Evicted" => format!("pod {name} was evicted: {detail}"),
            "DeadlineExceeded" => format!("pod {name} ran past its activeDeadlineSeconds: {detail}"),
            other => format!("pod {name} failed: {other}: {detail}"),
        };
        return Phase::Ended(Ended {
            exit_code: None,
            message,
        });
    }
    if jobs.iter().any(|s| {
        s.state
            .as_ref()
            .is_some_and(|st| st.running.is_some() || st.terminated.is_some())
    }) {
        return Phase::Running;
    }
    if let Some(init) = init
        && inits
            .iter()
            .any(|s| s.name == init && s.state.as_ref().is_some_and(|st| st.running.is_some()))
    {
        return Phase::ReadyForFiles;
    }
    let unschedulable = status
        .conditions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False" && c.reason.as_deref() == Some("Unschedulable"));
    Phase::Waiting(unschedulable.map(|c| {
        format!(
            "pod {name} is not scheduled yet: {}",
            c.message.as_deref().unwrap_or("no node fits it")
        )
    }))
}

fn ended(pod: &Pod, jobs: &[&ContainerStatus]) -> Ended {
    let failed = jobs.iter().find(|s| {
        s.state
            .as_ref()
            .and_then(|st| st.terminated.as_ref())
            .is_some_and(|t| t.exit_code != 0)
    });
    let Some(s) = failed else {
        return Ended {
            exit_code: Some(0),
            message: "exited with code 0".to_owned(),
        };
    };
    let Some(t) = s.state.as_ref().and_then(|st| st.terminated.as_ref()) else {
        return Ended {
            exit_code: None,
            message: format!("container {} ended", s.name),
        };
    };
    let message = match t.reason.as_deref() {
        Some("OOMKilled") => format!(
            "container {} was OOM-killed (memory limit {}); exit code {}",
            s.name,
            memory_limit(pod, &s.name).unwrap_or_else(|| "none".to_owned()),
            t.exit_code
        ),
        Some(reason) if reason != "Error" && reason != "Completed" => {
            format!("container {} ended: {reason}; exit code {}", s.name, t.exit_code)
        }
        _ => format!("container {} exited with code {}", s.name, t.exit_code),
    };
    let message = match t.message.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(detail) => format!("{message}: {detail}"),
        None => message,
    };
    Ended {
        exit_code: Some(t.exit_code),
        message,
    }
}

/// The memory limit of container `name`, as written in the spec (`500Mi`).
pub fn memory_limit(pod: &Pod, name: &str) -> Option<String> {
    pod.spec
        .as_ref()?
        .containers
        .iter()
        .find(|c| c.name == name)?
        .resources
        .as_ref()?
        .limits
        .as_ref()?
        .get("memory")
        .map(|q| q.0.clone())
}

/// Whether the init container that receives files has already finished (the files arrived).
pub fn files_delivered(pod: &Pod, init: &str) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.init_container_statuses.as_ref())
        .is_some_and(|list| {
            list.iter()
                .any(|s| s.name == init && s.state.as_ref().is_some_and(|st| st.terminated.is_some()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(status: serde_json::Value) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "main", "image": "i", "resources": {"limits": {"memory": "500Mi"}}}]},
            "status": status,
        }))
        .unwrap()
    }

    fn main() -> Vec<String> {
        vec!["main".to_owned()]
    }

    #[test]
    fn oom_kill_names_the_container_and_its_limit() {
        let p = pod(json!({"phase": "Running", "containerStatuses": [
            {"name": "main", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
             "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}},
            {"name": "sluice-files-out", "image": "b", "imageID": "", "ready": true, "restartCount": 0,
             "state": {"running": {}}}]}));
        let Phase::Ended(ended) = judge(&p, &main(), None) else {
            panic!()
        };
        assert_eq!(ended.exit_code, Some(137));
        assert!(
            ended
                .message
                .starts_with("container main was OOM-killed (memory limit 500Mi)"),
            "{}",
            ended.message
        );
    }

    #[test]
    fn image_pull_errors_fail_at_once() {
        let p = pod(json!({"phase": "Pending", "containerStatuses": [
            {"name": "main", "image": "127.0.0.1:9/none:1", "imageID": "", "ready": false, "restartCount": 0,
             "state": {"waiting": {"reason": "ErrImagePull", "message": "connection refused"}}}]}));
        let Phase::Failed(message) = judge(&p, &main(), None) else {
            panic!()
        };
        assert!(message.contains("ErrImagePull: connection refused"), "{message}");
        assert!(message.contains("127.0.0.1:9/none:1"), "{message}");
    }

    #[test]
    fn unschedulable_reports_the_schedulers_reason() {
        let p = pod(json!({"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
             "message": "0/1 nodes are available: 1 node(s) didn't match node selector."}]}));
        assert_eq!(
            judge(&p, &main(), None),
            Phase::Waiting(Some(
                "pod p is not scheduled yet: 0/1 nodes are available: 1 node(s) didn't match node selector.".into()
            ))
        );
    }

    #[test]
    fn pod_failures_without_container_ends() {
        let p = pod(
            json!({"phase": "Failed", "reason": "DeadlineExceeded", "message": "Pod was active on the node longer than the specified deadline"}),
        );
        let Phase::Ended(ended) = judge(&p, &main(), None) else {
            panic!()
        };
        assert_eq!(ended.exit_code, None);
        assert!(ended.message.contains("activeDeadlineSeconds"), "{}", ended.message);
    }
}
