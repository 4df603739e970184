//! Properties of `io.kestra.plugin.kubernetes.core.PodCreate`.
//!
//! Source: kestra-io/plugin-kubernetes `src/main/java/io/kestra/plugin/kubernetes/core/PodCreate.java`,
//! with what it inherits from `AbstractPod.java` and `AbstractConnection.java`.

use super::{Kind, Prop, no_effect, opt, req};
use crate::k8s::PodPart;

/// PodCreate's own properties.
pub(super) const POD_CREATE: &[Prop] = &[
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
];

/// How a pod ends, shared by PodCreate and the Kubernetes task runner: deletion, its grace
/// period, and re-attaching after a restart.
pub(super) const POD_LIFE: [Prop; 3] = [
    opt("delete", Kind::Bool, "Delete the pod at the end (default true)."),
    opt(
        "killGracePeriod",
        Kind::Duration,
        "Grace period of the pod's deletion on kill or timeout (default PT5S).",
    ),
    opt(
        "resume",
        Kind::Bool,
        "Re-attach to an existing pod after a restart (default true).",
    ),
];
