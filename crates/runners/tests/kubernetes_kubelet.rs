//! A kubelet restart in the middle of a pod's run cuts its log stream: every line must still
//! arrive once. In a test binary of its own, because restarting the kubelet disturbs every other
//! pod of the cluster (deletions wait for it). Needs the local cluster of `scripts/k8s-cluster`.

mod common;

use common::{run, texts};
use std::time::Duration;

use serde_json::{Value, json};
use sluice_runners::{CancellationToken, Job, KubernetesOptions, KubernetesRunner, Stream, TaskRunner};

const IMAGE: &str = "sluice-test/busybox:1";

async fn runner(settings: Value) -> KubernetesRunner {
    let kubeconfig = std::env::var("SLUICE_E2E_KUBECONFIG").unwrap_or_else(|_| {
        panic!(
            "NO KUBERNETES CLUSTER: set SLUICE_E2E_KUBECONFIG (scripts/k8s-cluster start prints it) to run these tests"
        )
    });
    let mut config = json!({
        "config": {"kubeconfig": kubeconfig},
        "namespace": "default",
        "pullPolicy": "Never",
        "fileSidecar": {"image": IMAGE},
    });
    for (k, v) in settings.as_object().unwrap() {
        config[k] = v.clone();
    }
    let options = KubernetesOptions::from_kestra(config.as_object().unwrap()).unwrap();
    let base = std::env::temp_dir().join(format!("sluice-k8s-kubelet-{}", std::process::id()));
    KubernetesRunner::connect(options, base).await.unwrap()
}

fn sh(test: &str, script: &str) -> Job {
    let mut job = Job::new(format!("test-{}-{test}", std::process::id()), ["/bin/sh", "-c", script]);
    job.image = Some(IMAGE.to_owned());
    job
}

/// The local cluster's state folder, when the tests run against it (`scripts/k8s-cluster`).
fn local_cluster() -> Option<std::path::PathBuf> {
    let state =
        std::path::PathBuf::from(std::env::var("SLUICE_K8S_STATE").unwrap_or_else(|_| "/var/lib/sluice-k8s".into()));
    let ours = std::env::var("SLUICE_E2E_KUBECONFIG").is_ok_and(|k| std::path::Path::new(&k).starts_with(&state));
    ours.then_some(state)
}

#[tokio::test]
async fn a_kubelet_restart_cuts_the_log_stream_without_losing_or_repeating_lines() {
    let Some(state) = local_cluster() else {
        // Restarting a foreign cluster's kubelet is not ours to do.
        eprintln!("SKIPPED: restarting the kubelet needs the local cluster of scripts/k8s-cluster");
        assert!(std::env::var_os("CI").is_none(), "CI runs against the local cluster");
        return;
    };
    let runner = runner(json!({})).await;
    let job = sh(
        "kubelet-restart",
        "for i in $(seq 1 60); do echo line-$i; sleep 0.25; done",
    );
    let restart = async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let pid = std::fs::read_to_string(state.join("run/kubelet.pid")).unwrap();
        let killed = std::process::Command::new("kill")
            .args(["-9", pid.trim()])
            .status()
            .unwrap();
        assert!(killed.success());
        tokio::time::sleep(Duration::from_secs(2)).await;
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/k8s-cluster");
        let started = tokio::process::Command::new("bash")
            .arg(script)
            .arg("start")
            .stdout(std::process::Stdio::null())
            .status()
            .await
            .unwrap();
        assert!(started.success(), "the kubelet came back");
    };
    let ((outcome, lines), ()) = tokio::join!(run(&runner, &job, CancellationToken::new()), restart);
    assert!(outcome.unwrap().succeeded());
    let expected: Vec<String> = (1..=60).map(|i| format!("line-{i}")).collect();
    assert_eq!(texts(&lines, Stream::Stdout), expected, "every line once, in order");
    runner.cleanup(&job).await.unwrap();
}
