//! The Docker runner against a real Docker engine (started by `scripts/docker-engine`, with the
//! locally imported image `sluice-test/busybox:1`). These tests fail, loudly, when no engine
//! answers: they are never skipped silently.

mod common;

use common::{run, texts};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use bollard::query_parameters::ListContainersOptionsBuilder;
use serde_json::json;
use sluice_runners::{CancellationToken, DockerOptions, DockerRunner, EndReason, Job, Stream, TaskRunner};
use tokio::sync::mpsc;

const IMAGE: &str = "sluice-test/busybox:1";

/// A runner with the given Kestra settings, after checking that the engine answers.
async fn runner(test: &str, settings: serde_json::Value) -> DockerRunner {
    let base: PathBuf = std::env::temp_dir().join(format!("sluice-docker-{}-{test}", std::process::id()));
    let options = DockerOptions::from_kestra(settings.as_object().expect("settings are a mapping")).unwrap();
    let runner = DockerRunner::connect(options, base).unwrap();
    if let Err(e) = runner.engine().ping().await {
        panic!(
            "NO DOCKER ENGINE: these tests need one (run scripts/docker-engine, which installs and starts dockerd and imports {IMAGE}): {e}"
        );
    }
    assert!(
        runner.engine().inspect_image(IMAGE).await.is_ok(),
        "the test image {IMAGE} is missing: run scripts/docker-engine"
    );
    runner
}

fn sh(test: &str, script: &str) -> Job {
    let mut job = Job::new(format!("test-{}-{test}", std::process::id()), ["/bin/sh", "-c", script]);
    job.image = Some(IMAGE.to_owned());
    job
}

/// Containers labelled with this job's name, running or not.
async fn containers_of(runner: &DockerRunner, job: &Job) -> usize {
    let label = format!("sluice.job={}", job.name);
    let filters = HashMap::from([("label", vec![label.as_str()])]);
    let options = ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
    runner.engine().list_containers(Some(options)).await.unwrap().len()
}

#[tokio::test]
async fn shell_task_with_input_and_output_files() {
    let runner = runner("files", json!({"pullPolicy": "NEVER"})).await;
    let mut job = sh(
        "files",
        "echo \"dir=$PWD wd=$WORKING_DIR\"; cat data/in.txt; echo oops >&2; mkdir -p out; tr a-z A-Z < data/in.txt > out/up.txt; echo x > skip.log; exit 3",
    );
    job.input_files.insert("data/in.txt".into(), b"hello docker\n".to_vec());
    job.output_files = vec!["out/*.txt".into()];
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.exit_code, Some(3), "{outcome:?}");
    assert_eq!(outcome.end, EndReason::Exited);
    assert_eq!(
        texts(&lines, Stream::Stdout),
        ["dir=/sluice/work wd=/sluice/work", "hello docker"]
    );
    assert_eq!(texts(&lines, Stream::Stderr), ["oops"]);
    assert_eq!(outcome.output_files.len(), 1, "{:?}", outcome.output_files);
    let file = &outcome.output_files[0];
    assert_eq!(file.name, "out/up.txt");
    assert_eq!(std::fs::read_to_string(&file.path).unwrap(), "HELLO DOCKER\n");
    assert_eq!(
        containers_of(&runner, &job).await,
        1,
        "kept until cleanup, to re-attach to"
    );
    runner.cleanup(&job).await.unwrap();
    assert_eq!(containers_of(&runner, &job).await, 0, "cleanup removes the container");
    assert!(!file.path.exists(), "cleanup removes the downloaded files");
}

#[tokio::test]
async fn resources_are_applied() {
    let runner = runner(
        "resources",
        json!({"cpu": {"cpus": 0.5}, "memory": {"memory": "64MB"}, "delete": false}),
    )
    .await;
    let job = sh("resources", "true");
    let outcome = run(&runner, &job, CancellationToken::new()).await.0.unwrap();
    assert!(outcome.succeeded(), "{outcome:?}");
    let name = DockerRunner::container_name(&job);
    let info = runner.engine().inspect_container(&name, None).await.unwrap();
    let host = info.host_config.unwrap();
    assert_eq!(host.nano_cpus, Some(500_000_000));
    assert_eq!(host.memory, Some(64 << 20));
    runner
        .with_options(DockerOptions::default())
        .cleanup(&job)
        .await
        .unwrap();
    assert_eq!(containers_of(&runner, &job).await, 0);
}

#[tokio::test]
async fn oom_killed_is_reported_as_such() {
    let runner = runner("oom", json!({"memory": {"memory": "8MB", "memorySwap": "8MB"}})).await;
    let job = sh("oom", "dd if=/dev/zero bs=64M count=1 of=/dev/null");
    let outcome = run(&runner, &job, CancellationToken::new()).await.0.unwrap();
    assert!(!outcome.succeeded());
    assert!(
        outcome.message.starts_with("OOM-killed, memory limit 8 MiB")
            || outcome.message.contains("memory limit of 8 MiB: probably OOM-killed"),
        "{}",
        outcome.message
    );
    runner.cleanup(&job).await.unwrap();
    assert_eq!(containers_of(&runner, &job).await, 0);
}

#[tokio::test]
async fn timeout_stops_and_removes_the_container() {
    let runner = runner("timeout", json!({"killGracePeriod": "PT1S"})).await;
    // The shell ignores SIGTERM: the stop has to go as far as SIGKILL.
    let mut job = sh("timeout", "trap '' TERM; echo started; while true; do sleep 1; done");
    job.timeout = Some(Duration::from_secs(2));
    let began = Instant::now();
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.end, EndReason::TimedOut, "{outcome:?}");
    assert!(outcome.message.contains("timed out after 2s"), "{}", outcome.message);
    assert!(began.elapsed() < Duration::from_secs(20));
    assert_eq!(texts(&lines, Stream::Stdout), ["started"]);
    runner.cleanup(&job).await.unwrap();
    assert_eq!(containers_of(&runner, &job).await, 0);
}

#[tokio::test]
async fn kill_stops_and_removes_the_container() {
    let runner = runner("kill", json!({})).await;
    let job = sh("kill", "echo up; sleep 600");
    let cancel = CancellationToken::new();
    let killer = {
        let cancel = cancel.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            cancel.cancel();
        }
    };
    let ((outcome, _lines), ()) = tokio::join!(run(&runner, &job, cancel), killer);
    let outcome = outcome.unwrap();
    assert_eq!(outcome.end, EndReason::Killed, "{outcome:?}");
    runner.cleanup(&job).await.unwrap();
    assert_eq!(containers_of(&runner, &job).await, 0);
}

#[tokio::test]
async fn delete_false_keeps_the_container() {
    let runner = runner("keep", json!({"delete": false})).await;
    let job = sh("keep", "echo kept");
    let outcome = run(&runner, &job, CancellationToken::new()).await.0.unwrap();
    assert!(outcome.succeeded());
    assert_eq!(containers_of(&runner, &job).await, 1);
    runner.cleanup(&job).await.unwrap();
    assert_eq!(
        containers_of(&runner, &job).await,
        1,
        "cleanup keeps it too with delete: false"
    );
    runner
        .with_options(DockerOptions::default())
        .cleanup(&job)
        .await
        .unwrap();
    assert_eq!(containers_of(&runner, &job).await, 0);
}

#[tokio::test]
async fn pull_policy_never_with_a_missing_image_fails_clearly() {
    let runner = runner("never", json!({"pullPolicy": "NEVER"})).await;
    let mut job = sh("never", "true");
    job.image = Some("sluice-test/not-there:404".into());
    let began = Instant::now();
    let error = run(&runner, &job, CancellationToken::new())
        .await
        .0
        .unwrap_err()
        .to_string();
    assert!(error.contains("sluice-test/not-there:404"), "{error}");
    assert!(error.contains("NEVER"), "{error}");
    assert!(began.elapsed() < Duration::from_secs(5));
    assert_eq!(containers_of(&runner, &job).await, 0);
}

#[tokio::test]
async fn missing_image_with_an_unreachable_registry_fails_with_its_answer() {
    let runner = runner("pull", json!({})).await;
    let mut job = sh("pull", "true");
    job.image = Some("registry.invalid/sluice/none:1".into());
    let error = run(&runner, &job, CancellationToken::new())
        .await
        .0
        .unwrap_err()
        .to_string();
    assert!(error.contains("registry.invalid/sluice/none:1"), "{error}");
    assert!(error.contains("pulling it failed"), "{error}");
}

/// Starts `job` and drops the run once its container runs, as when a worker dies: the container
/// keeps running. (A fixed delay would be too short on a loaded machine.)
async fn start_then_drop(runner: &DockerRunner, job: &Job) {
    let (tx, mut rx) = mpsc::channel(4);
    let (runner2, job2) = (runner.clone(), job.clone());
    let task = tokio::spawn(async move { runner2.run(&job2, tx, CancellationToken::new()).await });
    // Keep the channel drained so the run is never blocked on it.
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let name = DockerRunner::container_name(job);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let info = runner.engine().inspect_container(&name, None).await;
        if info.is_ok_and(|i| i.state.and_then(|s| s.running) == Some(true)) {
            break;
        }
        assert!(Instant::now() < deadline, "the container never ran");
        assert!(!task.is_finished(), "the job ended before it could be dropped");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    task.abort();
    drain.abort();
}

#[tokio::test]
async fn reattach_follows_a_running_container_to_its_end() {
    let runner = runner("reattach", json!({})).await;
    let job = sh("reattach", "echo one; sleep 2; echo two");
    // The first run is dropped mid-task, as when a worker dies: the container keeps running.
    start_then_drop(&runner, &job).await;
    assert_eq!(containers_of(&runner, &job).await, 1);
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
    runner.cleanup(&job).await.unwrap();
    assert_eq!(containers_of(&runner, &job).await, 0);
}

#[tokio::test]
async fn reattach_after_the_end_reads_the_outcome_and_every_line() {
    let runner = runner("ended", json!({})).await;
    let mut job = sh("ended", "echo one; echo two >&2; echo 3 > out.txt; sleep 2; exit 4");
    job.output_files = vec!["out.txt".into()];
    // The worker dies while the container runs; the container ends before anyone re-attaches.
    start_then_drop(&runner, &job).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (tx, mut rx) = mpsc::channel(4);
    let gather = async move {
        let mut lines = Vec::new();
        while let Some(batch) = rx.recv().await {
            lines.extend(batch);
        }
        lines
    };
    let (outcome, lines) = tokio::join!(runner.reattach(&job, tx, CancellationToken::new()), gather);
    let outcome = outcome.unwrap();
    assert_eq!(outcome.exit_code, Some(4), "{outcome:?}");
    assert_eq!(texts(&lines, Stream::Stdout), ["one"]);
    assert_eq!(texts(&lines, Stream::Stderr), ["two"]);
    assert_eq!(
        outcome.output_files.len(),
        1,
        "output files come back after a re-attach too"
    );
    runner.cleanup(&job).await.unwrap();
    assert_eq!(containers_of(&runner, &job).await, 0);
}

#[tokio::test]
async fn reattach_to_nothing_is_not_found() {
    let runner = runner("nothing", json!({})).await;
    let job = sh("nothing", "true");
    let (tx, _rx) = mpsc::channel(4);
    let error = runner.reattach(&job, tx, CancellationToken::new()).await.unwrap_err();
    assert!(matches!(error, sluice_runners::RunnerError::NotFound { .. }), "{error}");
    // A container created but never started (the worker died in between) does not count either:
    // it is removed, so the attempt starts afresh.
    let body = bollard::models::ContainerCreateBody {
        image: Some(IMAGE.into()),
        cmd: Some(vec!["true".into()]),
        labels: Some(HashMap::from([("sluice.job".to_owned(), job.name.clone())])),
        ..Default::default()
    };
    let create = bollard::query_parameters::CreateContainerOptionsBuilder::new()
        .name(&DockerRunner::container_name(&job))
        .build();
    runner.engine().create_container(Some(create), body).await.unwrap();
    assert_eq!(containers_of(&runner, &job).await, 1);
    let (tx, _rx) = mpsc::channel(4);
    let error = runner.reattach(&job, tx, CancellationToken::new()).await.unwrap_err();
    assert!(matches!(error, sluice_runners::RunnerError::NotFound { .. }), "{error}");
    assert_eq!(
        containers_of(&runner, &job).await,
        0,
        "the never-started container is removed"
    );
}

#[tokio::test]
async fn volumes_bind_a_host_folder() {
    let host = std::env::temp_dir().join(format!("sluice-docker-volume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&host);
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(host.join("in.txt"), "from the host\n").unwrap();
    let bind = format!("{}:/mnt/host", host.display());
    let runner = runner("volumes", json!({"volumes": [bind]})).await;
    let job = sh(
        "volumes",
        "cat /mnt/host/in.txt; echo from the container > /mnt/host/out.txt",
    );
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    assert!(outcome.unwrap().succeeded());
    assert_eq!(texts(&lines, Stream::Stdout), ["from the host"]);
    assert_eq!(
        std::fs::read_to_string(host.join("out.txt")).unwrap(),
        "from the container\n"
    );
    runner.cleanup(&job).await.unwrap();
    let _ = std::fs::remove_dir_all(&host);
}

#[tokio::test]
async fn device_requests_reach_the_engine() {
    // No GPU here: the engine refuses to start the container, and says why.
    let runner = runner(
        "gpu",
        json!({"deviceRequests": [{"driver": "sluice-no-such-driver", "count": 1, "capabilities": [["gpu"]]}]}),
    )
    .await;
    let job = sh("gpu", "true");
    let error = run(&runner, &job, CancellationToken::new())
        .await
        .0
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("start the container") && error.contains("sluice-no-such-driver"),
        "{error}"
    );
    let name = DockerRunner::container_name(&job);
    let info = runner.engine().inspect_container(&name, None).await.unwrap();
    let requests = info.host_config.unwrap().device_requests.unwrap();
    assert_eq!(requests[0].driver.as_deref(), Some("sluice-no-such-driver"));
    assert_eq!(requests[0].capabilities, Some(vec![vec!["gpu".to_owned()]]));
    runner.cleanup(&job).await.unwrap();
    assert_eq!(containers_of(&runner, &job).await, 0);
}

/// A registry on loopback that asks for a password and records the `Authorization` headers it
/// gets (the engine treats 127.0.0.0/8 registries as plain HTTP).
fn fake_registry() -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut authorized = false;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if line.to_ascii_lowercase().starts_with("authorization:") {
                    let value = &line["authorization:".len()..];
                    authorized = true;
                    let _ = tx.send(value.trim().to_owned());
                }
                line.clear();
            }
            let answer = if authorized {
                "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            } else {
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"sluice\"\r\nDocker-Distribution-API-Version: registry/2.0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            };
            let mut stream = stream;
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (port, rx)
}

#[tokio::test]
async fn credentials_are_sent_to_the_registry() {
    let (port, seen) = fake_registry();
    let registry = format!("127.0.0.1:{port}");
    let runner = runner(
        "credentials",
        json!({"pullPolicy": "ALWAYS", "credentials": {"registry": registry, "username": "sluice", "password": "s3cret"}}),
    )
    .await;
    let mut job = sh("credentials", "true");
    job.image = Some(format!("{registry}/private/app:1"));
    let error = run(&runner, &job, CancellationToken::new())
        .await
        .0
        .unwrap_err()
        .to_string();
    assert!(error.contains("pulling it failed"), "{error}");
    let headers: Vec<String> = seen.try_iter().collect();
    // base64("sluice:s3cret")
    assert!(
        headers.iter().any(|h| h == "Basic c2x1aWNlOnMzY3JldA=="),
        "the registry never got the credentials: {headers:?}"
    );
}

#[tokio::test]
async fn the_last_line_is_never_lost() {
    // A final line without a newline is written by the engine's log copier as the container
    // exits, sometimes after a follow ended; several containers at once make that likely.
    let runner = runner("last-line", json!({})).await;
    let jobs: Vec<Job> = (0..8)
        .map(|i| sh(&format!("last-line-{i}"), "echo first; printf 'last-without-newline'"))
        .collect();
    let runs = jobs.iter().map(|job| run(&runner, job, CancellationToken::new()));
    for ((outcome, lines), job) in futures_util::future::join_all(runs).await.into_iter().zip(&jobs) {
        assert!(outcome.unwrap().succeeded());
        assert_eq!(
            texts(&lines, Stream::Stdout),
            ["first", "last-without-newline"],
            "{}",
            job.name
        );
        runner.cleanup(job).await.unwrap();
    }
}

/// As Kestra's Docker runner (`entryPoint` defaults to `[""]`), an image's own ENTRYPOINT is
/// cleared, so images made for one tool (`hashicorp/terraform`, dbt's) run the task's shell
/// commands; an `entryPoint` given in the runner's settings still wins.
#[tokio::test]
async fn an_images_entrypoint_is_cleared_unless_one_is_given() {
    let cleared = runner("entrypoint", json!({"pullPolicy": "NEVER"})).await;
    let built = std::process::Command::new("docker")
        .args(["build", "-q", "-t", "sluice-test/entrypoint:1", "-"])
        .env("DOCKER_BUILDKIT", "0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("FROM {IMAGE}\nENTRYPOINT [\"/bin/false\"]\n").as_bytes())?;
            child.wait()
        })
        .expect("the docker CLI runs");
    assert!(built.success(), "could not build the test image with an ENTRYPOINT");
    let mut job = sh("entrypoint", "echo ran-the-commands");
    job.image = Some("sluice-test/entrypoint:1".into());
    let (outcome, lines) = run(&cleared, &job, CancellationToken::new()).await;
    assert_eq!(outcome.unwrap().exit_code, Some(0));
    assert_eq!(texts(&lines, Stream::Stdout), ["ran-the-commands"]);
    cleared.cleanup(&job).await.unwrap();

    let own = runner(
        "entrypoint-own",
        json!({"pullPolicy": "NEVER", "entryPoint": ["/bin/echo", "from-the-entrypoint"]}),
    )
    .await;
    let mut job = sh("entrypoint-own", "ignored");
    job.image = Some("sluice-test/entrypoint:1".into());
    let (outcome, lines) = run(&own, &job, CancellationToken::new()).await;
    assert_eq!(outcome.unwrap().exit_code, Some(0));
    assert_eq!(
        texts(&lines, Stream::Stdout),
        ["from-the-entrypoint /bin/sh -c ignored"]
    );
    own.cleanup(&job).await.unwrap();
}
