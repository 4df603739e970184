//! What PodCreate and the Kubernetes task runner share.
//!
//! Source: kestra-io/plugin-kubernetes `src/main/java/io/kestra/plugin/kubernetes/core/PodCreate.java`
//! and `runner/Kubernetes.java`.

use super::{Kind, Prop, opt};

/// How a pod ends, shared by PodCreate and the Kubernetes task runner: deletion, its grace
/// period, and re-attaching after a restart.
pub const POD_LIFE: [Prop; 3] = [
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
