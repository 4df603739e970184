//! Flows whose tasks run as pods, end to end through `sluice`: the seed guide's Kubernetes task
//! runner and PodCreate shapes, and kill -9 of the server while a pod runs. Against the local
//! cluster of `scripts/k8s-cluster start`, or any cluster named by `SLUICE_E2E_KUBECONFIG`; fails
//! loudly without one.

mod common;

use common::{get_json, http, scratch, start_with, state_of, trigger, wait_for};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::Api;
use kube::api::ListParams;
use serde_json::Value;
use sluice_runners::KubernetesConnection;
use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

fn kubeconfig() -> String {
    std::env::var("SLUICE_E2E_KUBECONFIG").unwrap_or_else(|_| {
        panic!(
            "NO KUBERNETES CLUSTER: set SLUICE_E2E_KUBECONFIG (scripts/k8s-cluster start prints it) to run these tests"
        )
    })
}

async fn client() -> kube::Client {
    let config = serde_json::json!({"kubeconfig": kubeconfig()});
    let connection = KubernetesConnection::from_kestra(config.as_object().unwrap()).unwrap();
    KubernetesConnection::client(Some(&connection)).await.unwrap().0
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The runner settings every flow here uses: the local test images, never pulled.
const RUNNER: &str = r#"
      type: io.kestra.plugin.ee.kubernetes.runner.Kubernetes
      namespace: default
      pullPolicy: NEVER
      fileSidecar: {image: "sluice-test/busybox:1"}
      resources:
        request:
          cpu: "100m"
          memory: "64Mi""#;

fn flow_run(dir: &std::path::Path, flow: &str) -> (i32, Value, String) {
    flow_run_with(dir, flow, &[])
}

fn flow_run_with(dir: &std::path::Path, flow: &str, extra: &[&str]) -> (i32, Value, String) {
    let path = dir.join("flow.yaml");
    std::fs::write(&path, flow).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["flow", "run", path.to_str().unwrap(), "--output", "json"])
        .args(extra)
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .env("KUBECONFIG", kubeconfig())
        .env_remove("XDG_DATA_HOME")
        .output()
        .expect("sluice runs");
    let exec = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        exec,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn logs_of(dir: &std::path::Path, id: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["execution", "logs", id])
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pods_labelled(selector: &str) -> usize {
    runtime().block_on(async {
        let pods: Api<Pod> = Api::namespaced(client().await, "default");
        pods.list(&ListParams::default().labels(selector))
            .await
            .unwrap()
            .items
            .len()
    })
}

#[test]
fn the_seed_runner_shape_runs_in_a_pod() {
    let dir = scratch("k8s-runner");
    let flow = format!(
        r#"id: k8s_runner
namespace: dev
inputs:
  - id: data
    type: FILE
tasks:
  - id: build
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: sluice-test/busybox:1
    taskRunner:{RUNNER}
    inputFiles:
      profiles.yml: "target: dev"
      data.csv: "{{{{ inputs.data }}}}"
    outputFiles: ["*.txt"]
    commands:
      - echo "in {{{{ workingDir }}}} as $WORKING_DIR"
      - cat profiles.yml
      - cat data.csv
      - echo built > result.txt
"#
    );
    // A FILE input, uploaded by the CLI and read in the pod (Kestra's FILE input).
    let upload = dir.join("upload.csv");
    std::fs::write(&upload, "id\nfrom-the-upload\n").unwrap();
    let input = format!("data=@{}", upload.display());
    let (code, exec, stderr) = flow_run_with(&dir, &flow, &["--input", &input]);
    assert_eq!(code, 0, "{stderr}\n{exec:#}");
    let id = exec["id"].as_str().unwrap();
    let logs = logs_of(&dir, id);
    assert!(logs.contains("in /sluice/work as /sluice/work"), "{logs}");
    assert!(logs.contains("target: dev"), "{logs}");
    assert!(
        logs.contains("from-the-upload"),
        "the FILE input reached the pod: {logs}"
    );
    let task = &exec["taskRunList"][0];
    assert!(task["outputs"]["outputFiles"].get("result.txt").is_some(), "{task:#}");
    let job = sluice_runners::Job::new(format!("{id}-{}-1", task["id"].as_str().unwrap()), ["x"]);
    let selector = format!("sluice.io/job={}", sluice_runners::pod_name(&job));
    wait_for("the pod to be deleted", Duration::from_secs(60), || {
        pods_labelled(&selector) == 0
    });
}

#[test]
fn pod_create_runs_the_seed_shape_and_outputs_the_pod() {
    let dir = scratch("k8s-podcreate");
    // The seed's own mistake (`resources: request:`) is kept: the flow still runs.
    let flow = r#"id: pod_create
namespace: dev
tasks:
  - id: pod
    type: io.kestra.plugin.kubernetes.PodCreate
    namespace: default
    fileSidecar: {image: "sluice-test/busybox:1"}
    inputFiles:
      commands.sh: |
        set -e
        echo "running in $(pwd)"
        echo '::{"outputs":{"rows":42}}::'
    outputFiles: [done.txt]
    spec:
      restartPolicy: Never
      containers:
        - name: work
          image: sluice-test/busybox:1
          imagePullPolicy: Never
          resources:
            request:
              cpu: "100m"
          command: ["/bin/sh", "-c", "cd {{ workingDir }} && sh commands.sh && echo ok > done.txt"]
      nodeSelector: {}
"#;
    let (code, exec, stderr) = flow_run(&dir, flow);
    assert_eq!(code, 0, "{stderr}\n{exec:#}");
    let outputs = &exec["taskRunList"][0]["outputs"];
    assert_eq!(outputs["vars"]["rows"], 42, "{outputs:#}");
    assert!(outputs["outputFiles"].get("done.txt").is_some(), "{outputs:#}");
    assert_eq!(
        outputs["metadata"]["labels"]["sluice.io/managed"], "true",
        "{outputs:#}"
    );
    assert!(outputs["status"]["phase"].is_string(), "{outputs:#}");
    let logs = logs_of(&dir, exec["id"].as_str().unwrap());
    assert!(logs.contains("running in /sluice/work"), "{logs}");
}

const LINES: usize = 30;

#[test]
fn kill_9_mid_pod_reattaches_without_a_second_pod() {
    let dir = scratch("k8s-reattach");
    std::fs::write(
        dir.join("flows/crashy.yaml"),
        format!(
            r#"id: crashy
namespace: dev
tasks:
  - id: work
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: sluice-test/busybox:1
    taskRunner:{RUNNER}
    commands:
      - 'for i in $(seq 1 {LINES}); do echo line-$i; sleep 0.4; done'
"#
        ),
    )
    .unwrap();
    let kubeconfig = kubeconfig();
    let env = [("KUBECONFIG", kubeconfig.as_str())];
    let (mut server, _) = start_with(&dir, &env);
    let id = trigger(&server.base, "dev", "crashy");
    let log_text = |base: &str| http(base, "GET", &format!("/api/v1/logs/{id}/download"), "text/plain", "").1;
    wait_for("a few lines to be stored", Duration::from_secs(90), || {
        log_text(&server.base).contains("line-3\n")
    });
    let exec = get_json(&server.base, &format!("/api/v1/executions/{id}"));
    let run_id = exec["taskRunList"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        exec["state"]["current"], "RUNNING",
        "the pod must still run when Sluice is killed"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let pod = sluice_runners::pod_name(&sluice_runners::Job::new(format!("{id}-{run_id}-1"), ["x"]));
    let (server, _) = start_with(&dir, &env);
    wait_for("the re-attached task to succeed", Duration::from_secs(120), || {
        let state = state_of(&server.base, &id);
        assert!(
            state != "FAILED",
            "{:#}",
            get_json(&server.base, &format!("/api/v1/executions/{id}"))
        );
        state == "SUCCESS"
    });
    let exec = get_json(&server.base, &format!("/api/v1/executions/{id}"));
    assert_eq!(
        exec["taskRunList"][0]["attempts"].as_array().unwrap().len(),
        1,
        "{exec:#}"
    );
    let logs = log_text(&server.base);
    let lines: Vec<&str> = logs
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .filter(|w| w.starts_with("line-"))
        .collect();
    let expected: Vec<String> = (1..=LINES).map(|i| format!("line-{i}")).collect();
    assert_eq!(lines, expected, "every line once, in order:\n{logs}");
    assert!(logs.contains("re-attached to its kubernetes job"), "{logs}");
    // Every pod of that name that was ever scheduled left a `Scheduled` event with its uid.
    let uids: BTreeSet<String> = runtime().block_on(async {
        let events: Api<Event> = Api::namespaced(client().await, "default");
        let selector = format!("involvedObject.name={pod},reason=Scheduled");
        events
            .list(&ListParams::default().fields(&selector))
            .await
            .unwrap()
            .items
            .into_iter()
            .filter_map(|e| e.involved_object.uid)
            .collect()
    });
    assert_eq!(uids.len(), 1, "exactly one pod was created for {pod}: {uids:?}");
    wait_for("the pod to be deleted", Duration::from_secs(60), || {
        pods_labelled(&format!("sluice.io/job={pod}")) == 0
    });
}
