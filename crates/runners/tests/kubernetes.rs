//! The Kubernetes runner against a real cluster: the local v1.20.2 cluster that
//! `scripts/k8s-cluster start` builds and starts, or any cluster named by
//! `SLUICE_E2E_KUBECONFIG`. The pods use the locally imported `sluice-test/busybox:1`, which must
//! be on the cluster's nodes. These tests fail, loudly, when no cluster answers.

mod common;

use common::{run, texts};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, ListParams};
use serde_json::{Value, json};
use sluice_runners::{
    CancellationToken, EndReason, Job, KubernetesOptions, KubernetesRunner, MANAGED_LABEL, Stream, TaskRunner, pod_name,
};
use tokio::sync::mpsc;

const IMAGE: &str = "sluice-test/busybox:1";

fn kubeconfig() -> String {
    std::env::var("SLUICE_E2E_KUBECONFIG").unwrap_or_else(|_| {
        panic!(
            "NO KUBERNETES CLUSTER: set SLUICE_E2E_KUBECONFIG (scripts/k8s-cluster start prints it) to run these tests"
        )
    })
}

/// A runner with the given settings (plus the cluster and the local test images).
async fn runner(settings: Value) -> KubernetesRunner {
    let mut config = json!({
        "config": {"kubeconfig": kubeconfig()},
        "namespace": "default",
        "pullPolicy": "Never",
        "fileSidecar": {"image": IMAGE},
    });
    for (k, v) in settings.as_object().unwrap() {
        config[k] = v.clone();
    }
    let options = KubernetesOptions::from_kestra(config.as_object().unwrap()).unwrap();
    let base = std::env::temp_dir().join(format!("sluice-k8s-{}", std::process::id()));
    KubernetesRunner::connect(options, base).await.unwrap()
}

fn sh(test: &str, script: &str) -> Job {
    let mut job = Job::new(format!("test-{}-{test}", std::process::id()), ["/bin/sh", "-c", script]);
    job.image = Some(IMAGE.to_owned());
    job
}

fn pods(runner: &KubernetesRunner) -> Api<Pod> {
    Api::namespaced(runner.client().clone(), runner.namespace())
}

/// Waits until the job's pod is gone. Deleting a running pod takes a while on 1.20, and much
/// longer when the kubelet is still creating its container on a loaded machine, so the wait
/// is generous; a pod that stays is described in the failure.
async fn gone(runner: &KubernetesRunner, job: &Job) -> bool {
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut last = None;
    while Instant::now() < deadline {
        match pods(runner).get_opt(&pod_name(job)).await.unwrap() {
            None => return true,
            Some(pod) => last = Some(pod.status),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!("pod {} still there after 180 s: {last:?}", pod_name(job));
    false
}

#[tokio::test]
async fn a_script_runs_in_a_pod_with_its_files() {
    let runner = runner(json!({})).await;
    let mut job = sh(
        "files",
        "echo \"dir=$PWD wd=$WORKING_DIR\"; cat data/in.txt; echo oops >&2; mkdir -p out; tr a-z A-Z < data/in.txt > out/up.txt; exit 3",
    );
    job.input_files.insert("data/in.txt".into(), b"hello pod\n".to_vec());
    job.output_files = vec!["out/*.txt".into()];
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.exit_code, Some(3), "{outcome:?}");
    assert_eq!(outcome.end, EndReason::Exited);
    assert!(
        outcome.message.contains("container main exited with code 3"),
        "{}",
        outcome.message
    );
    // Kubernetes merges stdout and stderr into one stream; their relative order is the engine's.
    let mut stdout = texts(&lines, Stream::Stdout);
    assert!(stdout.contains(&"oops"), "{stdout:?}");
    stdout.retain(|l| *l != "oops");
    assert_eq!(stdout, ["dir=/sluice/work wd=/sluice/work", "hello pod"]);
    assert_eq!(outcome.output_files.len(), 1, "{:?}", outcome.output_files);
    assert_eq!(
        std::fs::read_to_string(&outcome.output_files[0].path).unwrap(),
        "HELLO POD\n"
    );
    assert!(
        pods(&runner).get_opt(&pod_name(&job)).await.unwrap().is_some(),
        "kept until cleanup"
    );
    runner.cleanup(&job).await.unwrap();
    assert!(gone(&runner, &job).await, "cleanup deletes the pod");
}

#[tokio::test]
async fn resources_and_node_selector_reach_the_pod() {
    let runner = runner(json!({
        "resources": {"request": {"cpu": "50m", "memory": "32Mi"}, "limit": {"cpu": "500m", "memory": "64Mi"}},
        "labels": {"team": "data"},
        "delete": false,
    }))
    .await;
    let job = sh("resources", "true");
    let outcome = run(&runner, &job, CancellationToken::new()).await.0.unwrap();
    assert!(outcome.succeeded(), "{outcome:?}");
    let pod = pods(&runner).get(&pod_name(&job)).await.unwrap();
    let main = &pod.spec.as_ref().unwrap().containers[0];
    let resources = main.resources.as_ref().unwrap();
    assert_eq!(resources.requests.as_ref().unwrap()["cpu"].0, "50m");
    assert_eq!(resources.limits.as_ref().unwrap()["memory"].0, "64Mi");
    let labels = pod.metadata.labels.as_ref().unwrap();
    assert_eq!(labels["team"], "data");
    assert_eq!(labels[MANAGED_LABEL], "true");
    runner.cleanup(&job).await.unwrap();
    assert!(
        pods(&runner).get_opt(&pod_name(&job)).await.unwrap().is_some(),
        "delete: false keeps it"
    );
    pods(&runner)
        .delete(&pod_name(&job), &DeleteParams::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_oom_kill_names_the_container_and_its_limit() {
    let runner = runner(json!({"resources": {"limit": {"memory": "16Mi"}}})).await;
    let job = sh("oom", "dd if=/dev/zero bs=64M count=1 of=/dev/null");
    let outcome = run(&runner, &job, CancellationToken::new()).await.0.unwrap();
    assert!(!outcome.succeeded());
    assert!(
        outcome
            .message
            .starts_with("container main was OOM-killed (memory limit 16Mi)"),
        "{}",
        outcome.message
    );
    runner.cleanup(&job).await.unwrap();
}

#[tokio::test]
async fn an_unpullable_image_fails_at_once_with_the_kubelets_message() {
    let runner = runner(json!({"pullPolicy": "Always"})).await;
    let mut job = sh("pull", "true");
    job.image = Some("127.0.0.1:9/none:1".into());
    let began = Instant::now();
    let outcome = run(&runner, &job, CancellationToken::new()).await.0.unwrap();
    assert!(!outcome.succeeded());
    assert!(
        outcome.message.contains("ErrImagePull") || outcome.message.contains("ImagePullBackOff"),
        "{}",
        outcome.message
    );
    assert!(outcome.message.contains("127.0.0.1:9/none:1"), "{}", outcome.message);
    assert!(began.elapsed() < Duration::from_secs(60), "{:?}", began.elapsed());
    runner.cleanup(&job).await.unwrap();
    assert!(gone(&runner, &job).await);
}

#[tokio::test]
async fn an_unschedulable_pod_says_why_and_fails_after_wait_until_running() {
    let runner = runner(json!({"nodeSelector": {"sluice-test": "nowhere"}, "waitUntilRunning": "PT8S"})).await;
    let job = sh("unschedulable", "true");
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    assert!(!outcome.succeeded());
    assert!(outcome.message.contains("waitUntilRunning"), "{}", outcome.message);
    let told = texts(&lines, Stream::Runner);
    assert!(
        told.iter()
            .any(|l| l.contains("not scheduled yet") && (l.contains("node selector") || l.contains("node affinity"))),
        "{told:?}"
    );
    runner.cleanup(&job).await.unwrap();
    assert!(gone(&runner, &job).await);
}

#[tokio::test]
async fn timeout_and_kill_delete_the_pod() {
    let runner = runner(json!({})).await;
    let mut job = sh("timeout", "echo started; sleep 600");
    job.timeout = Some(Duration::from_secs(3));
    job.kill_grace = Duration::from_secs(1);
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.end, EndReason::TimedOut, "{outcome:?}");
    assert!(
        outcome.message.contains("timed out after 3s; deleted pod"),
        "{}",
        outcome.message
    );
    assert_eq!(texts(&lines, Stream::Stdout), ["started"]);
    assert!(gone(&runner, &job).await);

    let job = sh("kill", "echo up; sleep 600");
    let cancel = CancellationToken::new();
    let killer = {
        let cancel = cancel.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(4)).await;
            cancel.cancel();
        }
    };
    let ((outcome, _), ()) = tokio::join!(run(&runner, &job, cancel), killer);
    let outcome = outcome.unwrap();
    assert_eq!(outcome.end, EndReason::Killed, "{outcome:?}");
    assert!(
        outcome.message.starts_with("killed on request; deleted pod"),
        "{}",
        outcome.message
    );
    assert!(gone(&runner, &job).await);
}

#[tokio::test]
async fn a_pod_deleted_behind_sluices_back_fails_within_seconds() {
    let runner = runner(json!({})).await;
    let job = sh("deleted", "echo up; sleep 600");
    let api = pods(&runner);
    let name = pod_name(&job);
    let deleter = async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        api.delete(
            &name,
            &DeleteParams {
                grace_period_seconds: Some(0),
                ..DeleteParams::default()
            },
        )
        .await
        .unwrap();
        Instant::now()
    };
    let ((outcome, _), deleted_at) = tokio::join!(run(&runner, &job, CancellationToken::new()), deleter);
    let outcome = outcome.unwrap();
    assert!(!outcome.succeeded());
    assert!(
        outcome.message.contains("deleted outside Sluice") || outcome.message.contains("exited with code 137"),
        "{}",
        outcome.message
    );
    assert!(
        deleted_at.elapsed() < Duration::from_secs(15),
        "noticed {:?} after",
        deleted_at.elapsed()
    );
}

#[tokio::test]
async fn reattach_follows_a_running_pod_to_its_end() {
    let runner = runner(json!({})).await;
    let job = sh("reattach", "echo one; sleep 4; echo two");
    let (tx, _rx) = mpsc::channel(4);
    let first = tokio::time::timeout(Duration::from_secs(3), runner.run(&job, tx, CancellationToken::new())).await;
    assert!(first.is_err(), "the job was still running");
    let (tx, mut rx) = mpsc::channel(4);
    let gather = async move {
        let mut lines = Vec::new();
        while let Some(batch) = rx.recv().await {
            lines.extend(batch);
        }
        lines
    };
    let (outcome, lines) = tokio::join!(runner.reattach(&job, tx, CancellationToken::new()), gather);
    assert!(outcome.unwrap().succeeded());
    assert_eq!(texts(&lines, Stream::Stdout), ["one", "two"], "from the start");
    let list = pods(&runner)
        .list(&ListParams::default().labels(&format!("sluice.io/job={}", pod_name(&job))))
        .await
        .unwrap();
    assert_eq!(list.items.len(), 1, "one pod");
    runner.cleanup(&job).await.unwrap();
    let (tx, _rx) = mpsc::channel(4);
    assert!(gone(&runner, &job).await);
    let error = runner.reattach(&job, tx, CancellationToken::new()).await.unwrap_err();
    assert!(matches!(error, sluice_runners::RunnerError::NotFound { .. }), "{error}");
}

#[tokio::test]
async fn pod_create_runs_the_users_spec_and_reports_the_pod() {
    let runner = runner(json!({})).await;
    let mut job = Job::new(format!("test-{}-podcreate", std::process::id()), Vec::<String>::new());
    let spec = json!({
        "containers": [
            {"name": "first", "image": IMAGE, "imagePullPolicy": "Never", "command": ["sh", "-c", "echo from first; cat /sluice/work/in.txt"]},
            {"name": "second", "image": IMAGE, "imagePullPolicy": "Never", "command": ["sh", "-c", "sleep 1; echo from second > /sluice/work/out.txt"]},
        ]
    });
    job.pod_spec = Some(spec.as_object().unwrap().clone());
    job.pod_metadata = Some(json!({"labels": {"app": "mine"}}).as_object().unwrap().clone());
    job.input_files.insert("in.txt".into(), b"an input\n".to_vec());
    job.output_files = vec!["out.txt".into()];
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    assert!(outcome.succeeded(), "{outcome:?}");
    let stdout = texts(&lines, Stream::Stdout);
    assert!(stdout.contains(&"[first] from first"), "{stdout:?}");
    assert!(stdout.contains(&"[first] an input"), "{stdout:?}");
    assert_eq!(
        std::fs::read_to_string(&outcome.output_files[0].path).unwrap(),
        "from second\n"
    );
    assert_eq!(outcome.details["metadata"]["labels"]["app"], "mine");
    assert!(
        outcome.details["status"]["containerStatuses"].is_array(),
        "{:#}",
        outcome.details["status"]
    );
    runner.cleanup(&job).await.unwrap();
    assert!(gone(&runner, &job).await);
}

#[tokio::test]
async fn deadline_exceeded_is_explained() {
    let runner = runner(json!({"podSpec": {"activeDeadlineSeconds": 3}})).await;
    let job = sh("deadline", "sleep 600");
    let outcome = run(&runner, &job, CancellationToken::new()).await.0.unwrap();
    assert!(!outcome.succeeded());
    assert!(
        outcome.message.contains("activeDeadlineSeconds") || outcome.message.contains("DeadlineExceeded"),
        "{}",
        outcome.message
    );
    runner.cleanup(&job).await.unwrap();
}

#[tokio::test]
async fn log_lines_arrive_while_the_pod_runs() {
    let runner = runner(json!({})).await;
    let job = sh("live", "echo first; sleep 6; echo second");
    let (tx, mut rx) = mpsc::channel::<Vec<sluice_runners::LogLine>>(4);
    let gather = async move {
        let mut first_seen = None;
        while let Some(batch) = rx.recv().await {
            if batch.iter().any(|l| l.text == "first") {
                first_seen.get_or_insert_with(Instant::now);
            }
        }
        first_seen
    };
    let (outcome, first_seen) = tokio::join!(runner.run(&job, tx, CancellationToken::new()), gather);
    let ended = Instant::now();
    assert!(outcome.unwrap().succeeded());
    let first_seen = first_seen.expect("the first line arrived");
    assert!(
        ended.duration_since(first_seen) > Duration::from_secs(3),
        "the first line came {:?} before the end: not live",
        ended.duration_since(first_seen)
    );
    runner.cleanup(&job).await.unwrap();
}
