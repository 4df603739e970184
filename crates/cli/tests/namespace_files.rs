//! Namespace files end to end on a real `sluice server local`: deployed from the flows folder's
//! `_files/<namespace>/`, managed through `/api/v1/namespaces/{ns}/files…`, brought into working
//! directories by `namespaceFiles` (in a process and in a Kubernetes pod), read by `read()`, and
//! written, downloaded and deleted by the `core.namespace` tasks.
//!
//! Kestra: <https://kestra.io/docs/concepts/namespace-files>,
//! <https://kestra.io/plugins/core/namespace/io.kestra.plugin.core.namespace.uploadfiles> (and
//! DownloadFiles, DeleteFiles on the same site), the API of Kestra's `NamespaceFileController`.

mod common;

use common::{get_json, http, scratch, start, start_with, wait_for};
use serde_json::{Value, json};
use std::time::Duration;

const NS: &str = "/api/v1/namespaces/company.team/files";

/// A WorkingDirectory that brings the namespace's SQL and scripts in, runs a script from them,
/// makes a report and uploads it; then DownloadFiles and DeleteFiles on what was uploaded.
const WORK: &str = r#"id: work
namespace: company.team
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    namespaceFiles:
      enabled: true
      include: ["/scripts/*.sh", "*.sql"]
      exclude: ["**/secret*"]
    tasks:
      - id: run
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - sh scripts/hello.sh
          - ls -R . | sort | tr '\n' ' '
          - mkdir -p out && cat queries/daily.sql > out/report.txt && echo made >> out/report.txt
      - id: upload
        type: io.kestra.plugin.core.namespace.UploadFiles
        namespace: company.team
        files: ["glob:**/out/*.txt"]
        destination: /reports
  - id: said
    type: io.kestra.plugin.core.log.Log
    message: "read={{ read('scripts/hello.sh') | trim }}"
  - id: download
    type: io.kestra.plugin.core.namespace.DownloadFiles
    namespace: company.team
    files: ["/reports/**"]
  - id: show
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    inputFiles:
      got.txt: "{{ outputs.download.files['/reports/out/report.txt'] }}"
    commands:
      - echo "downloaded=$(tr '\n' '+' < got.txt)"
  - id: delete
    type: io.kestra.plugin.core.namespace.DeleteFiles
    namespace: company.team
    files: "/reports/**"
"#;

/// A multipart body with one `fileContent` part.
fn multipart(content: &str) -> (String, String) {
    let boundary = "sluice-boundary-7";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"fileContent\"; filename=\"f\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(base: &str, path: &str, content: &str) -> (u16, String) {
    let (kind, body) = multipart(content);
    http(base, "POST", &format!("{NS}?path={path}"), &kind, &body)
}

fn names(listing: &Value) -> Vec<String> {
    listing
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{}", f["type"].as_str().unwrap(), f["fileName"].as_str().unwrap()))
        .collect()
}

/// The flows folder with namespace files beside the flows.
fn folder(name: &str, flows: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = scratch(name);
    for (id, yaml) in flows {
        std::fs::write(dir.join(format!("flows/{id}.yaml")), yaml).unwrap();
    }
    let files = dir.join("flows/_files/company.team");
    std::fs::create_dir_all(files.join("scripts")).unwrap();
    std::fs::write(files.join("scripts/hello.sh"), "echo hello from a namespace file\n").unwrap();
    std::fs::write(files.join("scripts/secret.sh"), "echo never brought\n").unwrap();
    // A YAML file under `_files` is a namespace file, not a flow.
    std::fs::write(files.join("scripts/conf.yaml"), "not: a flow\n").unwrap();
    dir
}

#[test]
fn namespace_files_are_deployed_served_brought_and_written_by_tasks() {
    let dir = folder("nsfiles", &[("work", WORK)]);
    let (server, _) = start(&dir);
    let base = &server.base;

    // Deployed from `_files/company.team/`.
    let listing = get_json(base, &format!("{NS}/directory?path=/scripts"));
    assert_eq!(
        names(&listing),
        ["File:conf.yaml", "File:hello.sh", "File:secret.sh"],
        "{listing}"
    );
    let (status, body) = http(base, "GET", &format!("{NS}?path=/scripts/hello.sh"), "text/plain", "");
    assert_eq!((status, body.as_str()), (200, "echo hello from a namespace file\n"));

    // Written through the API: a new folder, a revision, stats, search.
    let (status, body) = upload(base, "/queries/daily.sql", "select 1;");
    assert_eq!(status, 200, "{body}");
    let (status, body) = upload(base, "/queries/daily.sql", "select 2;");
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["revision"], json!(2));
    let stats = get_json(base, &format!("{NS}/stats?path=/queries/daily.sql"));
    assert_eq!(
        (stats["type"].clone(), stats["size"].clone()),
        (json!("File"), json!(9))
    );
    assert_eq!(
        get_json(base, &format!("{NS}/stats?path=/queries"))["type"],
        "Directory"
    );
    assert_eq!(
        names(&get_json(base, &format!("{NS}/directory"))),
        ["Directory:queries", "Directory:scripts"]
    );
    assert_eq!(
        get_json(base, &format!("{NS}/search?q=.sql")),
        json!(["/queries/daily.sql"])
    );

    // Hostile and wrong requests get a 4xx that says what is wrong.
    for path in ["/../etc/passwd", "/a//b", "/_flows/x.yaml"] {
        let (status, body) = upload(base, path, "x");
        assert_eq!(status, 400, "{path}: {body}");
    }
    let (status, body) = http(base, "POST", &format!("{NS}?path=/x.txt"), "text/plain", "x");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("fileContent"), "{body}");
    let (status, _) = http(base, "GET", &format!("{NS}?path=/nope.txt"), "text/plain", "");
    assert_eq!(status, 404);
    let (status, _) = http(base, "PUT", &format!("{NS}?from=/nope&to=/scripts"), "text/plain", "");
    assert_eq!(status, 404, "moving nothing keeps what is at the target");
    assert_eq!(
        get_json(base, &format!("{NS}/directory?path=/scripts"))
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // The flow: files in, a script run from them, a report uploaded, downloaded and deleted.
    let (exec, logs) = common::run_to_end(base, "company.team", "work", Duration::from_secs(120));
    assert_eq!(exec["state"]["current"], "SUCCESS", "{logs}\n{exec:#}");
    assert!(logs.contains("hello from a namespace file"), "{logs}");
    assert!(logs.contains("daily.sql") && logs.contains("hello.sh"), "{logs}");
    assert!(
        !logs.contains("secret.sh") && !logs.contains("conf.yaml"),
        "excluded: {logs}"
    );
    assert!(logs.contains("read=echo hello from a namespace file"), "{logs}");
    assert!(logs.contains("downloaded=select 2;made+"), "{logs}");
    assert_eq!(
        common::outputs_of(&exec, "upload")["files"],
        json!({"/reports/out/report.txt": 1})
    );
    assert_eq!(common::outputs_of(&exec, "delete")["deleted"], json!(1));
    let (status, _) = http(base, "GET", &format!("{NS}/stats?path=/reports"), "text/plain", "");
    assert_eq!(status, 404, "DeleteFiles deleted the report");

    // Move and delete through the API.
    let (status, body) = http(base, "PUT", &format!("{NS}?from=/queries&to=/sql"), "text/plain", "");
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(base, "GET", &format!("{NS}?path=/sql/daily.sql"), "text/plain", "");
    assert_eq!((status, body.as_str()), (200, "select 2;"));
    let (status, body) = http(base, "DELETE", &format!("{NS}?path=/sql"), "text/plain", "");
    assert_eq!(status, 200, "{body}");
    let (status, _) = http(base, "GET", &format!("{NS}?path=/sql/daily.sql"), "text/plain", "");
    assert_eq!(status, 404);

    // A file removed from the flows folder is removed from the namespace; one changed is updated.
    let files = dir.join("flows/_files/company.team/scripts");
    std::fs::remove_file(files.join("conf.yaml")).unwrap();
    std::fs::write(files.join("hello.sh"), "echo changed\n").unwrap();
    wait_for("the folder to be deployed again", Duration::from_secs(20), || {
        let (_, body) = http(base, "GET", &format!("{NS}?path=/scripts/hello.sh"), "text/plain", "");
        body == "echo changed\n"
    });
    let (status, _) = http(base, "GET", &format!("{NS}?path=/scripts/conf.yaml"), "text/plain", "");
    assert_eq!(status, 404);
}

/// Namespace files reach a pod as they reach a process: written into its working directory.
#[test]
fn namespace_files_reach_a_kubernetes_pod() {
    let kubeconfig = std::env::var("SLUICE_E2E_KUBECONFIG").unwrap_or_else(|_| {
        panic!("NO KUBERNETES CLUSTER: set SLUICE_E2E_KUBECONFIG (scripts/k8s-cluster start prints it)")
    });
    let pod = r#"id: in_pod
namespace: company.team
tasks:
  - id: run
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: sluice-test/busybox:1
    namespaceFiles:
      enabled: true
      include: ["/scripts/hello.sh"]
    taskRunner:
      type: io.kestra.plugin.ee.kubernetes.runner.Kubernetes
      namespace: default
      pullPolicy: NEVER
      fileSidecar: {image: "sluice-test/busybox:1"}
    commands:
      - sh scripts/hello.sh
      - test ! -e scripts/secret.sh && echo only-what-was-asked
"#;
    let dir = folder("nsfiles-k8s", &[("in_pod", pod)]);
    let (server, _) = start_with(&dir, &[("KUBECONFIG", kubeconfig.as_str())]);
    let (exec, logs) = common::run_to_end(&server.base, "company.team", "in_pod", Duration::from_secs(120));
    assert_eq!(exec["state"]["current"], "SUCCESS", "{logs}\n{exec:#}");
    assert!(logs.contains("hello from a namespace file"), "{logs}");
    assert!(logs.contains("only-what-was-asked"), "{logs}");
}
