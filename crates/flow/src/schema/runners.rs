//! Task runner types, and the deprecated `docker:` options of script tasks that Kestra turns into
//! a Docker task runner.
//!
//! Sources: kestra-io/kestra `script/src/main/java/io/kestra/plugin/scripts/runner/docker/Docker.java`
//! and `script/src/main/java/io/kestra/plugin/scripts/exec/scripts/models/DockerOptions.java`.

use super::{Kind, Prop, TypeSpec, deprecated, no_effect, opt};
use crate::k8s::PodPart;

const PULL_POLICIES: &[&str] = &["IF_NOT_PRESENT", "ALWAYS", "NEVER"];

const DOCKER_CPU: Kind = Kind::Object(&[opt("cpus", Kind::Number, "CPUs the container may use.")]);

const DOCKER_MEMORY: Kind = Kind::Object(&[
    opt("memory", Kind::String, "Memory limit, like `512MB` or `1g`."),
    opt("memorySwap", Kind::String, "Memory plus swap limit."),
    opt("memorySwappiness", Kind::String, "Swappiness, 0 to 100."),
    opt("memoryReservation", Kind::String, "Soft memory limit."),
    opt("kernelMemory", Kind::String, "Kernel memory limit."),
    opt("oomKillDisable", Kind::Bool, "Disable the OOM killer."),
]);

/// Kestra's deprecated `docker:` property of script tasks (`DockerOptions`): with `runner:
/// DOCKER`, or with a Docker task runner, Kestra runs the task in a Docker runner built from it.
pub const DOCKER_OPTIONS: &[Prop] = &[
    opt(
        "image",
        Kind::String,
        "Image to run; default the task's `containerImage`.",
    ),
    opt("host", Kind::String, "Docker engine address."),
    deprecated(
        "dockerHost",
        Kind::String,
        "Older spelling of `host`.",
        "write `host` instead of `dockerHost`",
    ),
    opt("config", Kind::Any, "Docker config.json content."),
    deprecated(
        "dockerConfig",
        Kind::Any,
        "Older spelling of `config`.",
        "write `config` instead of `dockerConfig`",
    ),
    no_effect(
        "configPath",
        Kind::String,
        "Path of a Docker config.json.",
        "Kestra does not pass it on to the Docker runner either; give registry logins as `credentials`",
    ),
    opt("credentials", Kind::Map, "Registry credentials."),
    opt("user", Kind::String, "User in the container."),
    opt("entryPoint", Kind::StringList, "Entry point, replacing the image's."),
    opt("extraHosts", Kind::StringList, "Extra /etc/hosts entries, `host:ip`."),
    opt("networkMode", Kind::String, "Docker network mode, like `host`."),
    opt(
        "volumes",
        Kind::StringList,
        "Host volumes, `host:container` (needs server permission).",
    ),
    opt(
        "pullPolicy",
        Kind::Enum(PULL_POLICIES),
        "When to pull the image (default IF_NOT_PRESENT).",
    ),
    opt("deviceRequests", Kind::Any, "Devices such as GPUs."),
    opt("cpu", DOCKER_CPU, "CPU limits."),
    opt("memory", DOCKER_MEMORY, "Memory limits."),
    opt("shmSize", Kind::String, "Size of /dev/shm."),
    opt("privileged", Kind::Bool, "Run privileged."),
];

const RESOURCE_PAIR: &[Prop] = &[
    opt("cpu", Kind::String, "CPU, like `300m` or `2`."),
    opt("memory", Kind::String, "Memory, like `500Mi` or `2Gi`."),
];

const K8S_CONFIG: &[Prop] = &[
    opt("masterUrl", Kind::String, "API server URL."),
    opt("caCertData", Kind::String, "CA certificate, PEM or base64."),
    opt("caCertFile", Kind::String, "Path of the CA certificate."),
    opt("clientCertData", Kind::String, "Client certificate, PEM or base64."),
    opt("clientCertFile", Kind::String, "Path of the client certificate."),
    opt("clientKeyData", Kind::String, "Client key, PEM or base64."),
    opt("clientKeyFile", Kind::String, "Path of the client key."),
    opt("clientKeyAlgo", Kind::String, "Algorithm of the client key."),
    opt("oauthToken", Kind::String, "Bearer token."),
    opt("username", Kind::String, "Basic-auth user."),
    opt("password", Kind::String, "Basic-auth password."),
    opt("trustCerts", Kind::Bool, "Skip TLS verification (unsafe)."),
    opt("namespace", Kind::String, "Default namespace."),
    opt("kubeconfig", Kind::String, "Path of a kubeconfig file."),
    opt("context", Kind::String, "Context of the kubeconfig to use."),
];

/// Task runner types.
pub static RUNNERS: &[TypeSpec] = &[
    TypeSpec {
        name: "io.kestra.plugin.core.runner.Process",
        aliases: &["io.kestra.plugin.scripts.runner.Process", "Process", "process"],
        props: &[opt("version", Kind::String, "Plugin version (ignored).")],
        doc: "Runs commands as local processes of the worker.",
        flowable: None,
        rule: None,
    },
    TypeSpec {
        name: "io.kestra.plugin.scripts.runner.docker.Docker",
        aliases: &["Docker", "docker"],
        props: &[
            deprecated(
                "image",
                Kind::String,
                "Image to run; wins over the task's `containerImage`.",
                "Kestra keeps the Docker runner's `image` only for compatibility: set `containerImage` on the task instead (when both are set, the runner's `image` wins, as in Kestra)",
            ),
            opt(
                "host",
                Kind::String,
                "Docker engine address (default the local socket or DOCKER_HOST).",
            ),
            opt(
                "pullPolicy",
                Kind::Enum(PULL_POLICIES),
                "When to pull the image (default IF_NOT_PRESENT).",
            ),
            opt("cpu", DOCKER_CPU, "CPU limits."),
            opt("memory", DOCKER_MEMORY, "Memory limits."),
            opt("user", Kind::String, "User in the container."),
            opt("entryPoint", Kind::StringList, "Entry point, replacing the image's."),
            opt("env", Kind::StringMap, "Extra environment variables."),
            opt("networkMode", Kind::String, "Docker network mode, like `host`."),
            opt("extraHosts", Kind::StringList, "Extra /etc/hosts entries, `host:ip`."),
            opt(
                "portBindings",
                Kind::StringList,
                "Published ports, `[ip:]hostPort:containerPort[/protocol]`.",
            ),
            opt("shmSize", Kind::String, "Size of /dev/shm."),
            opt("privileged", Kind::Bool, "Run privileged."),
            opt(
                "volumes",
                Kind::StringList,
                "Host volumes, `host:container` (needs server permission).",
            ),
            opt("deviceRequests", Kind::Any, "Devices such as GPUs."),
            opt("credentials", Kind::Map, "Registry credentials."),
            opt("config", Kind::Any, "Docker config.json content."),
            opt("delete", Kind::Bool, "Remove the container at the end (default true)."),
            opt(
                "resume",
                Kind::Bool,
                "Re-attach to a running container after a restart (default true).",
            ),
            opt(
                "killGracePeriod",
                Kind::Duration,
                "Time between SIGTERM and kill (default PT0S).",
            ),
            opt("wait", Kind::Bool, "Wait for the container to end (default true)."),
            no_effect(
                "fileHandlingStrategy",
                Kind::Enum(&["MOUNT", "VOLUME"]),
                "How files reach the container.",
                "Sluice copies `inputFiles` into the container and `outputFiles` out of it, whichever strategy is named",
            ),
            opt("version", Kind::String, "Plugin version (ignored)."),
        ],
        doc: "Runs commands in a Docker container.",
        flowable: None,
        rule: None,
    },
    TypeSpec {
        name: "io.kestra.plugin.ee.kubernetes.runner.Kubernetes",
        aliases: &[
            "io.kestra.plugin.kubernetes.runner.Kubernetes",
            "Kubernetes",
            "kubernetes",
        ],
        props: &[
            opt("namespace", Kind::String, "Namespace of the pod (default `default`)."),
            opt(
                "config",
                Kind::Object(K8S_CONFIG),
                "Cluster connection; default the server's.",
            ),
            opt("serviceAccountName", Kind::String, "Service account of the pod."),
            opt("labels", Kind::StringMap, "Extra pod labels."),
            opt("nodeSelector", Kind::StringMap, "Node labels the pod must run on."),
            opt(
                "resources",
                Kind::Object(&[
                    opt("request", Kind::Object(RESOURCE_PAIR), "Resources requested."),
                    opt("limit", Kind::Object(RESOURCE_PAIR), "Resource limits."),
                ]),
                "CPU and memory of the main container.",
            ),
            opt("pullPolicy", Kind::Enum(PULL_POLICIES), "When to pull the image."),
            opt(
                "waitUntilRunning",
                Kind::Duration,
                "Longest wait for the pod to start (default PT10M).",
            ),
            opt(
                "waitUntilCompletion",
                Kind::Duration,
                "Longest the pod may run (default PT1H; the task timeout wins).",
            ),
            super::pod::POD_LIFE[0],
            super::pod::POD_LIFE[1],
            super::pod::POD_LIFE[2],
            opt(
                "podSpec",
                Kind::Pod(PodPart::SpecOverlay),
                "Overlay merged into the pod spec: tolerations, affinity, volumes…",
            ),
            opt(
                "fileSidecar",
                Kind::Map,
                "Image and resources of the file-transfer container.",
            ),
            opt("version", Kind::String, "Plugin version (ignored)."),
        ],
        doc: "Runs commands in a Kubernetes pod.",
        flowable: None,
        rule: None,
    },
];
