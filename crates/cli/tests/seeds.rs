//! The three seed flows of the guide "Long running and intensive processes on Kubernetes", run
//! UNCHANGED end to end with `sluice flow run`: DbtCLI on the Docker runner, DbtCLI on the
//! Kubernetes runner, and PodCreate with a full pod spec. Each clones
//! https://github.com/dbt-labs/jaffle_shop_duckdb.git and runs `dbt deps` and `dbt build` in the
//! image ghcr.io/kestra-io/dbt-duckdb:latest.
//!
//! The flows are kept byte for byte in `tests/seed/` (checked against the shared originals when
//! those are on the machine). Neither GitHub nor ghcr.io is reachable here: `scripts/seed-standins`
//! makes local stand-ins (an image of that name holding dbt and a git repository of our test
//! project, crates/tasks/tests/dbt, behind an `insteadOf` rule; a registry on loopback that
//! `ghcr.io` resolves to; `busybox:1.36`, the file helper image). Without them these tests fail
//! loudly, never skip. The Kubernetes ones run on the cluster of `SLUICE_E2E_KUBECONFIG` (the
//! local one of `scripts/k8s-cluster start`); on another cluster the stand-ins are not there:
//! set `SLUICE_SEEDS_ONLINE=1` where the real image and GitHub can be reached, and the tests
//! check only what holds for any dbt project.

use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Api;
use kube::api::{ListParams, PostParams};
use serde_json::Value;
use sluice_runners::KubernetesConnection;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SEEDS: [&str; 3] = [
    "dbt-docker-runner.yaml",
    "dbt-kubernetes-runner.yaml",
    "pod-create-dbt.yaml",
];
const IMAGE: &str = "ghcr.io/kestra-io/dbt-duckdb:latest";
/// The Kubernetes runner's default file helper image (PodCreate's `inputFiles`, DbtCLI's output
/// files).
const HELPER: &str = "busybox:1.36";
/// Label `scripts/seed-standins` puts on its image.
const STANDIN_LABEL: &str = "io.sluice.seed-standin";
/// The namespace the Kubernetes seeds use.
const NAMESPACE: &str = "kestra";
const RUN_SCRIPT: &str = "run scripts/seed-standins (as root; it needs a Docker engine)";

fn seed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seed").join(name)
}

/// Whether the real image and GitHub are reachable (no stand-ins needed, none checked).
fn online() -> bool {
    std::env::var_os("SLUICE_SEEDS_ONLINE").is_some_and(|v| v == "1")
}

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("NO DOCKER CLIENT ({e}): run scripts/docker-engine"))
}

/// The stand-in image must be in the local engine (the Docker runner uses it without pulling).
fn require_standin_image() {
    if online() {
        return;
    }
    let out = docker(&[
        "image",
        "inspect",
        "--format",
        &format!("{{{{index .Config.Labels \"{STANDIN_LABEL}\"}}}}"),
        IMAGE,
    ]);
    let label = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        out.status.success() && !label.is_empty() && label != "<no value>",
        "NO SEED STAND-IN: {IMAGE} is not the local stand-in image ({}); {RUN_SCRIPT}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
}

/// For a pod: the image must also be pullable from the registry stand-in (`:latest` means
/// imagePullPolicy Always), and the file helper image must be local.
fn require_standin_registry() {
    require_standin_image();
    if online() {
        return;
    }
    let helper = docker(&["image", "inspect", HELPER]);
    assert!(
        helper.status.success(),
        "NO SEED STAND-IN: no local {HELPER} (the file helper image); {RUN_SCRIPT}"
    );
    let resolved: Vec<String> = ("ghcr.io", 80)
        .to_socket_addrs()
        .map(|addrs| addrs.map(|a| a.ip().to_string()).collect())
        .unwrap_or_default();
    assert!(
        resolved.iter().any(|ip| ip == "127.0.0.1"),
        "NO SEED STAND-IN: ghcr.io resolves to {resolved:?}, not to the registry stand-in on 127.0.0.1; {RUN_SCRIPT}"
    );
    let status = registry_status("/v2/kestra-io/dbt-duckdb/manifests/latest");
    assert_eq!(
        status.as_deref(),
        Ok("200"),
        "NO SEED STAND-IN: the registry stand-in on 127.0.0.1:80 does not serve {IMAGE}; {RUN_SCRIPT}"
    );
}

/// The HTTP status the registry on 127.0.0.1:80 answers for `path`.
fn registry_status(path: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect_timeout(&"127.0.0.1:80".parse().unwrap(), Duration::from_secs(3))
        .map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        stream,
        "HEAD {path} HTTP/1.1\r\nHost: ghcr.io\r\nAccept: application/vnd.docker.distribution.manifest.v2+json\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
        .split_whitespace()
        .nth(1)
        .map(str::to_owned)
        .ok_or_else(|| format!("no HTTP answer: {response:?}"))
}

fn kubeconfig() -> String {
    std::env::var("SLUICE_E2E_KUBECONFIG").unwrap_or_else(|_| {
        panic!(
            "NO KUBERNETES CLUSTER: set SLUICE_E2E_KUBECONFIG (scripts/k8s-cluster start prints it) to run these tests"
        )
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn client() -> kube::Client {
    let config = serde_json::json!({"kubeconfig": kubeconfig()});
    let connection = KubernetesConnection::from_kestra(config.as_object().unwrap()).unwrap();
    KubernetesConnection::client(Some(&connection)).await.unwrap().0
}

/// Makes the namespace the seeds use, and waits for its `default` service account (pods cannot
/// be made before the controller manager adds it).
fn ensure_namespace() {
    runtime().block_on(async {
        let client = client().await;
        let namespaces: Api<Namespace> = Api::all(client.clone());
        if namespaces.get_opt(NAMESPACE).await.unwrap().is_none() {
            let namespace = Namespace {
                metadata: ObjectMeta {
                    name: Some(NAMESPACE.to_owned()),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            };
            match namespaces.create(&PostParams::default(), &namespace).await {
                Ok(_) => {}
                Err(kube::Error::Api(e)) if e.code == 409 => {} // made by a test running alongside
                Err(e) => panic!("cannot create the namespace {NAMESPACE}: {e}"),
            }
        }
        let accounts: Api<ServiceAccount> = Api::namespaced(client, NAMESPACE);
        let started = Instant::now();
        while accounts.get_opt("default").await.unwrap().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "namespace {NAMESPACE} got no `default` service account"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
}

/// Names of the Sluice pods in the seeds' namespace that belong to execution `id`.
fn pods_of(id: &str) -> Vec<String> {
    runtime().block_on(async {
        let pods: Api<Pod> = Api::namespaced(client().await, NAMESPACE);
        pods.list(&ListParams::default().labels("sluice.io/managed=true"))
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|p| {
                p.metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("sluice.io/job-name"))
                    .is_some_and(|job| job.starts_with(&format!("{id}-")))
            })
            .filter_map(|p| p.metadata.name)
            .collect()
    })
}

fn wait_until_no_pod_of(id: &str) {
    let started = Instant::now();
    loop {
        let left = pods_of(id);
        if left.is_empty() {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "pods of execution {id} are left in {NAMESPACE}: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Docker containers Sluice made for execution `id`, stopped ones included.
fn containers_of(id: &str) -> Vec<String> {
    let out = docker(&[
        "ps",
        "-a",
        "--filter",
        "label=sluice.managed=true",
        "--format",
        "{{.ID}} {{.Label \"sluice.job\"}}",
    ]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .nth(1)
                .is_some_and(|job| job.starts_with(&format!("{id}-")))
        })
        .map(str::to_owned)
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-seed-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `sluice flow run SEED --output json`: exit code, execution, stderr.
fn run_seed(dir: &Path, name: &str, kubernetes: bool) -> (i32, Value, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sluice"));
    command
        .args(["flow", "run"])
        .arg(seed(name))
        .args(["--output", "json"])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .env_remove("XDG_DATA_HOME");
    if kubernetes {
        command.env("KUBECONFIG", kubeconfig());
    }
    let out = command.output().expect("sluice runs");
    let exec = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        exec,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn logs(dir: &Path, id: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["execution", "logs", id])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .env_remove("XDG_DATA_HOME")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The checks for a DbtCLI seed: the execution ended well, and each dbt node became a child task
/// run of the DbtCLI task run. With the stand-in (our test project) exactly: WARNING (one test
/// of the project always warns), 20 nodes.
fn assert_dbt_seed(dir: &Path, code: i32, exec: &Value, stderr: &str) {
    assert_eq!(code, 0, "{stderr}\n{exec:#}");
    let state = exec["state"]["current"].as_str().unwrap_or("");
    let task = &exec["taskRunList"][0];
    assert_eq!(task["taskId"], "dbt_build", "{exec:#}");
    assert_eq!(task["attempts"].as_array().map(Vec::len), Some(1), "{task:#}");
    let task_id = task["id"].as_str().unwrap();
    let nodes: Vec<&Value> = exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["parentTaskRunId"] == task_id)
        .collect();
    let text = logs(dir, exec["id"].as_str().unwrap());
    if online() {
        assert!(["SUCCESS", "WARNING"].contains(&state), "{exec:#}");
        assert!(!nodes.is_empty(), "dbt's nodes become task runs: {exec:#}\n{text}");
        return;
    }
    assert_eq!(state, "WARNING", "{exec:#}\n{text}");
    let ids: Vec<&str> = nodes.iter().filter_map(|n| n["taskId"].as_str()).collect();
    // 3 seeds, 3 staging views, 1 mart, 13 tests.
    assert_eq!(nodes.len(), 20, "{ids:#?}\n{text}");
    for id in ["seed.sluice_shop.raw_orders", "model.sluice_shop.customer_orders"] {
        let node = nodes
            .iter()
            .find(|n| n["taskId"] == id)
            .unwrap_or_else(|| panic!("no task run for {id}: {ids:#?}"));
        assert_eq!(node["state"]["current"], "SUCCESS", "{node:#}");
    }
    let warned: Vec<&str> = nodes
        .iter()
        .filter(|n| n["state"]["current"] == "WARNING")
        .filter_map(|n| n["taskId"].as_str())
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("not_null_stg_customers_last_name"), "{warned:?}");
    assert!(
        task["outputs"]["outputFiles"].get("target/run_results.json").is_some(),
        "{:#}",
        task["outputs"]
    );
    assert!(
        text.contains("Cloning into 'jaffle_shop_duckdb'"),
        "the seed's clone ran:\n{text}"
    );
    assert!(text.contains("seed.sluice_shop.raw_orders => success"), "{text}");
}

#[test]
fn the_seed_copies_are_the_shared_originals_byte_for_byte() {
    let shared = std::env::var_os("SLUICE_SEED_SOURCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/flows/seed"));
    for name in SEEDS {
        let ours = std::fs::read(seed(name)).unwrap_or_else(|e| panic!("{}: {e}", seed(name).display()));
        assert!(!ours.is_empty(), "{name}");
        if shared.is_dir() {
            let original = std::fs::read(shared.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                ours == original,
                "tests/seed/{name} differs from {}: the seeds must run unchanged",
                shared.join(name).display()
            );
        }
    }
    if shared.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(&shared)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
            .collect();
        names.sort();
        assert_eq!(names, SEEDS, "every shared seed has its copy and its test");
    }
}

#[test]
fn the_docker_runner_seed_runs_unchanged() {
    require_standin_image();
    let dir = scratch("docker");
    let (code, exec, stderr) = run_seed(&dir, "dbt-docker-runner.yaml", false);
    assert_dbt_seed(&dir, code, &exec, &stderr);
    let id = exec["id"].as_str().unwrap();
    let left = containers_of(id);
    assert!(left.is_empty(), "containers of execution {id} are left: {left:?}");
}

#[test]
fn the_kubernetes_runner_seed_runs_unchanged() {
    require_standin_registry();
    ensure_namespace();
    let dir = scratch("kubernetes");
    let (code, exec, stderr) = run_seed(&dir, "dbt-kubernetes-runner.yaml", true);
    let id = exec["id"].as_str().unwrap_or_default().to_owned();
    assert_dbt_seed(&dir, code, &exec, &stderr);
    wait_until_no_pod_of(&id);
}

#[test]
fn the_pod_create_seed_runs_unchanged() {
    require_standin_registry();
    ensure_namespace();
    let dir = scratch("pod-create");
    let (code, exec, stderr) = run_seed(&dir, "pod-create-dbt.yaml", true);
    let id = exec["id"].as_str().unwrap_or_default().to_owned();
    let text = logs(&dir, &id);
    assert_eq!(code, 0, "{stderr}\n{exec:#}\n{text}");
    // PodCreate does not read dbt's results: the pod's exit code decides, and dbt exits 0.
    assert_eq!(exec["state"]["current"], "SUCCESS", "{exec:#}\n{text}");
    let task = &exec["taskRunList"][0];
    // A failed first attempt would have waited the seed's 5 minutes before a second one.
    assert_eq!(task["attempts"].as_array().map(Vec::len), Some(1), "{task:#}");
    assert!(
        text.contains("Cloning into 'jaffle_shop_duckdb'"),
        "the seed's clone ran:\n{text}"
    );
    // dbt's text log: "Completed successfully" without warnings, "Completed with 1 warning" with
    // ours; then "Done. PASS=… ERROR=0 …".
    assert!(text.contains("Completed "), "dbt build ran to its end:\n{text}");
    let done = text
        .lines()
        .find(|l| l.contains("Done. PASS="))
        .unwrap_or_else(|| panic!("no dbt `Done.` line:\n{text}"));
    assert!(done.contains("ERROR=0"), "{done}");
    if !online() {
        assert!(done.contains("PASS=19 WARN=1 ERROR=0"), "{done}");
    }
    wait_until_no_pod_of(&id);
}
