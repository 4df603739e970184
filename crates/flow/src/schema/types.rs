//! The table of types Sluice knows, with Kestra's names and property names.

use super::{Kind, Prop, TypeSpec, opt, req};
use crate::k8s::PodPart;

const PULL_POLICIES: &[&str] = &["IF_NOT_PRESENT", "ALWAYS", "NEVER"];

/// Properties shared by script tasks (shell, python, dbt).
macro_rules! script_props {
    ($($extra:expr),* $(,)?) => {
        &[
            $($extra,)*
            opt("beforeCommands", Kind::StringList, "Commands run before the main ones."),
            opt("env", Kind::StringMap, "Environment variables of the process."),
            opt("interpreter", Kind::StringList, "Interpreter and its arguments (default `/bin/sh -c`)."),
            opt("failFast", Kind::Bool, "Stop at the first failing command (`set -e`)."),
            opt("warningOnStdErr", Kind::Bool, "Output on stderr makes the task WARNING."),
            opt("inputFiles", Kind::Files, "Files written into the working directory before the run."),
            opt("outputFiles", Kind::StringList, "Globs of files kept after the run."),
            opt("namespaceFiles", Kind::Map, "Namespace files to bring in (not supported by Sluice yet)."),
            opt("containerImage", Kind::String, "Image for container runners."),
            opt("taskRunner", Kind::TaskRunner, "Where the commands run: process, docker or kubernetes."),
            opt("targetOS", Kind::Enum(&["LINUX", "WINDOWS", "AUTO"]), "Operating system of the runner."),
        ]
    };
}

const PY_DEPS: Prop = opt(
    "dependencies",
    Kind::StringList,
    "Python packages to install before the run.",
);

/// Task types.
pub static TASKS: &[TypeSpec] = &[
    TypeSpec {
        name: "io.kestra.plugin.core.log.Log",
        aliases: &["io.kestra.core.tasks.log.Log", "core.log.Log", "log.Log", "Log"],
        props: &[
            req(
                "message",
                Kind::StringOrList,
                "The message, or a list of messages, to log.",
            ),
            opt(
                "level",
                Kind::Enum(super::LOG_LEVELS),
                "Level of the log line (default INFO).",
            ),
        ],
        doc: "Writes a message to the execution's logs.",
    },
    TypeSpec {
        name: "io.kestra.plugin.core.flow.Sequential",
        aliases: &[
            "io.kestra.core.tasks.flows.Sequential",
            "core.flow.Sequential",
            "flow.Sequential",
            "Sequential",
        ],
        props: &[req("tasks", Kind::Tasks, "Tasks run one after the other.")],
        doc: "Runs its tasks one after the other.",
    },
    TypeSpec {
        name: "io.kestra.plugin.core.flow.Parallel",
        aliases: &[
            "io.kestra.core.tasks.flows.Parallel",
            "core.flow.Parallel",
            "flow.Parallel",
            "Parallel",
        ],
        props: &[
            req("tasks", Kind::Tasks, "Tasks run at the same time."),
            opt("concurrent", Kind::Int, "Most tasks running at once (0: no limit)."),
        ],
        doc: "Runs its tasks at the same time.",
    },
    TypeSpec {
        name: "io.kestra.plugin.scripts.shell.Commands",
        aliases: &["shell.Commands"],
        props: script_props![req("commands", Kind::StringList, "Shell commands to run.")],
        doc: "Runs shell commands.",
    },
    TypeSpec {
        name: "io.kestra.plugin.scripts.shell.Script",
        aliases: &["shell.Script"],
        props: script_props![req("script", Kind::String, "A shell script to run.")],
        doc: "Runs a shell script.",
    },
    TypeSpec {
        name: "io.kestra.plugin.scripts.python.Commands",
        aliases: &["python.Commands"],
        props: script_props![
            req("commands", Kind::StringList, "Commands to run, usually `python …`."),
            PY_DEPS
        ],
        doc: "Runs commands in a Python environment.",
    },
    TypeSpec {
        name: "io.kestra.plugin.scripts.python.Script",
        aliases: &["python.Script"],
        props: script_props![req("script", Kind::String, "Python source to run."), PY_DEPS],
        doc: "Runs a Python script.",
    },
    TypeSpec {
        name: "io.kestra.plugin.dbt.cli.DbtCLI",
        aliases: &["dbt.CLI", "dbt.cli.DbtCLI"],
        props: script_props![
            req("commands", Kind::StringList, "dbt commands to run, like `dbt build`."),
            opt(
                "profiles",
                Kind::String,
                "Content of profiles.yml, written into the working directory."
            ),
            opt(
                "projectDir",
                Kind::String,
                "Folder of the dbt project inside the working directory."
            ),
            opt(
                "parseRunResults",
                Kind::Bool,
                "Turn run_results.json into one task run per dbt node (default true)."
            ),
            opt(
                "logFormat",
                Kind::Enum(&["JSON", "TEXT", "DEBUG", "NONE"]),
                "Format dbt logs in (default JSON)."
            ),
            opt("storeManifest", Kind::Map, "Where to keep manifest.json between runs."),
            opt(
                "loadManifest",
                Kind::Map,
                "Where to read a previous manifest.json from."
            ),
        ],
        doc: "Runs dbt commands and reports each dbt node as its own task run.",
    },
    TypeSpec {
        name: "io.kestra.plugin.kubernetes.PodCreate",
        aliases: &["io.kestra.plugin.kubernetes.core.PodCreate", "kubernetes.PodCreate"],
        props: &[
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
        ],
        doc: "Creates a Kubernetes pod from a full spec, follows it to the end, and deletes it.",
    },
];

const TRIGGER_INPUTS: Prop = opt("inputs", Kind::Map, "Inputs of the executions it starts.");

/// Trigger types.
pub static TRIGGERS: &[TypeSpec] = &[TypeSpec {
    name: "io.kestra.plugin.core.trigger.Schedule",
    aliases: &[
        "io.kestra.core.models.triggers.types.Schedule",
        "core.trigger.Schedule",
        "trigger.Schedule",
        "Schedule",
    ],
    props: &[
        req("cron", Kind::Cron, "When to fire, in cron syntax, e.g. `0 2 * * *`."),
        opt(
            "withSeconds",
            Kind::Bool,
            "The cron expression has a leading seconds field.",
        ),
        opt(
            "timezone",
            Kind::String,
            "Time zone of the cron expression (default UTC), e.g. `Europe/Paris`.",
        ),
        TRIGGER_INPUTS,
        opt("backfill", Kind::Map, "Fire for past dates from `start`."),
        opt(
            "lateMaximumDelay",
            Kind::Duration,
            "Skip a fire that is later than this.",
        ),
        opt(
            "recoverMissedSchedules",
            Kind::Enum(&["LAST", "NONE", "ALL"]),
            "What to do with fires missed while down.",
        ),
    ],
    doc: "Starts executions on a cron schedule.",
}];

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
    },
    TypeSpec {
        name: "io.kestra.plugin.scripts.runner.docker.Docker",
        aliases: &["Docker", "docker"],
        props: &[
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
            opt(
                "cpu",
                Kind::Object(&[opt("cpus", Kind::Number, "CPUs the container may use.")]),
                "CPU limits.",
            ),
            opt(
                "memory",
                Kind::Object(&[
                    opt("memory", Kind::String, "Memory limit, like `512MB` or `1g`."),
                    opt("memorySwap", Kind::String, "Memory plus swap limit."),
                    opt("memorySwappiness", Kind::String, "Swappiness, 0 to 100."),
                    opt("memoryReservation", Kind::String, "Soft memory limit."),
                    opt("kernelMemory", Kind::String, "Kernel memory limit."),
                    opt("oomKillDisable", Kind::Bool, "Disable the OOM killer."),
                ]),
                "Memory limits.",
            ),
            opt("user", Kind::String, "User in the container."),
            opt("entryPoint", Kind::StringList, "Entry point, replacing the image's."),
            opt("env", Kind::StringMap, "Extra environment variables."),
            opt("networkMode", Kind::String, "Docker network mode, like `host`."),
            opt("extraHosts", Kind::StringList, "Extra /etc/hosts entries, `host:ip`."),
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
            opt(
                "fileHandlingStrategy",
                Kind::Enum(&["MOUNT", "VOLUME"]),
                "How files reach the container.",
            ),
            opt("version", Kind::String, "Plugin version (ignored)."),
        ],
        doc: "Runs commands in a Docker container.",
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
    },
];
