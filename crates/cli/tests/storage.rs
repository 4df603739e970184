//! Internal storage end to end on a real `sluice server local` whose storage is a real
//! S3-compatible server (moto, from `scripts/s3-server`): a FILE input uploaded through the API,
//! output files stored under `kestra://` addresses, those addresses written straight into a
//! later task's commands — on a process and in a Docker container — and read by `read()`, and
//! the files served back by the API. Nothing lands in the data folder's storage.
//!
//! Kestra: <https://kestra.io/docs/concepts/storage> (internal storage, `kestra://` URIs in
//! script tasks), <https://kestra.io/docs/configuration#internal-storage>.

mod common;

use common::{get_json, http, scratch, start_with, wait_for};
use serde_json::Value;
use std::time::Duration;

const FLOW: &str = r#"id: files
namespace: company.team
inputs:
  - id: data
    type: FILE
tasks:
  - id: make
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    inputFiles:
      data.csv: "{{ inputs.data }}"
    outputFiles: ["out/*.txt"]
    commands:
      - mkdir -p out
      - tr a-z A-Z < data.csv > out/upper.txt
  - id: on_process
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    env:
      UPLOAD: "{{ inputs.data }}"
    commands:
      - cd /tmp
      - echo "process=$(cat {{ outputs.make.outputFiles['out/upper.txt'] }} | tr '\n' '+')"
      - echo "input=$(wc -c < "$UPLOAD")"
  - id: read
    type: io.kestra.plugin.core.log.Log
    message: "read={{ read(outputs.make.outputFiles['out/upper.txt']) | replace({'\n': '+'}) }}"
  - id: in_container
    type: io.kestra.plugin.scripts.shell.Script
    containerImage: sluice-test/busybox:1
    taskRunner:
      type: io.kestra.plugin.scripts.runner.docker.Docker
      pullPolicy: NEVER
    script: |
      echo "container=$(cat {{ outputs.make.outputFiles['out/upper.txt'] }} | tr '\n' '+')"
"#;

fn upload(base: &str, content: &str) -> (u16, String) {
    let boundary = "sluice-storage-3";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"rows.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    let kind = format!("multipart/form-data; boundary={boundary}");
    http(base, "POST", "/api/v1/executions/company.team/files", &kind, &body)
}

#[test]
fn files_live_in_s3_and_reach_every_runner_by_their_kestra_address() {
    let s3 = std::env::var("SLUICE_TEST_S3")
        .unwrap_or_else(|_| panic!("NO S3 SERVER: run scripts/s3-server and export what it prints (SLUICE_TEST_S3)"));
    let (bucket, query) = s3.split_once('?').unwrap();
    let storage = format!("{bucket}/e2e-{}?{query}", std::process::id());
    let dir = scratch("storage-s3");
    std::fs::write(dir.join("flows/files.yaml"), FLOW).unwrap();
    let env = [
        ("SLUICE_STORAGE", storage.as_str()),
        ("AWS_ACCESS_KEY_ID", "sluice"),
        ("AWS_SECRET_ACCESS_KEY", "sluice-s3cret"),
    ];
    let (server, _) = start_with(&dir, &env);
    let base = &server.base;

    let (status, body) = upload(base, "id,name\n1,ada\n");
    assert_eq!(status, 200, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for("the execution to end", Duration::from_secs(120), || {
        matches!(common::state_of(base, &id).as_str(), "SUCCESS" | "FAILED" | "WARNING")
    });
    let exec = get_json(base, &format!("/api/v1/executions/{id}"));
    let logs = get_json(base, &format!("/api/v1/logs/{id}")).to_string();
    assert_eq!(exec["state"]["current"], "SUCCESS", "{logs}\n{exec:#}");
    assert!(logs.contains("process=ID,NAME+1,ADA+"), "{logs}");
    assert!(logs.contains("input=14"), "{logs}");
    assert!(logs.contains("container=ID,NAME+1,ADA+"), "{logs}");
    assert!(logs.contains("read=ID,NAME+1,ADA+"), "{logs}");

    // The output file's address is Kestra's, and the API serves it from the bucket.
    let make = exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["taskId"] == "make")
        .unwrap();
    let uri = make["outputs"]["outputFiles"]["out/upper.txt"].as_str().unwrap();
    let expected = format!("kestra:///company/team/files/executions/{id}/tasks/make/");
    assert!(uri.starts_with(&expected) && uri.ends_with("/out/upper.txt"), "{uri}");
    let path = format!("/api/v1/executions/{id}/file?path={}", uri.replace('/', "%2F"));
    let (status, body) = http(base, "GET", &path, "text/plain", "");
    assert_eq!((status, body.as_str()), (200, "ID,NAME\n1,ADA\n"));
    let input = exec["inputs"]["data"].as_str().unwrap();
    let path = format!("/api/v1/executions/{id}/file?path={}", input.replace('/', "%2F"));
    let (status, body) = http(base, "GET", &path, "text/plain", "");
    assert_eq!((status, body.as_str()), (200, "id,name\n1,ada\n"));

    // Every file went to the bucket, none to the data folder.
    assert!(
        !dir.join("data/storage/company").exists(),
        "files were written to the data folder instead of S3"
    );
}

/// Kestra: <https://kestra.io/plugins/core#storage> (Write, Concat, Size, Reverse, Split, Delete,
/// PurgeCurrentExecutionFiles).
const TASKS: &str = r#"id: storage_tasks
namespace: company.team
tasks:
  - id: first
    type: io.kestra.plugin.core.storage.Write
    content: "c\nb\na\n"
    extension: .txt
  - id: second
    type: io.kestra.plugin.core.storage.Write
    content: "z\n"
  - id: joined
    type: io.kestra.plugin.core.storage.Concat
    files: ["{{ outputs.first.uri }}", "{{ outputs.second.uri }}"]
  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ outputs.joined.uri }}"
  - id: reversed
    type: io.kestra.plugin.core.storage.Reverse
    from: "{{ outputs.first.uri }}"
  - id: parts
    type: io.kestra.plugin.core.storage.Split
    from: "{{ outputs.joined.uri }}"
    rows: 3
  - id: show
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    commands:
      - echo "size={{ outputs.size.size }} reversed=$(tr '\n' '+' < {{ outputs.reversed.uri }}) parts={{ outputs.parts.uris | length }} last=$(cat {{ outputs.parts.uris | last }})"
  - id: delete
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.second.uri }}"
  - id: delete_again
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.second.uri }}"
  - id: purge
    type: io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles
"#;

#[test]
fn storage_tasks_write_join_cut_and_delete_stored_files() {
    let dir = scratch("storage-tasks");
    std::fs::write(dir.join("flows/storage_tasks.yaml"), TASKS).unwrap();
    let (server, _) = common::start(&dir);
    let base = &server.base;
    let (exec, logs) = common::run_to_end(base, "company.team", "storage_tasks", Duration::from_secs(60));
    assert_eq!(exec["state"]["current"], "SUCCESS", "{logs}\n{exec:#}");
    assert!(logs.contains("size=8 reversed=a+b+c+ parts=2 last=z"), "{logs}");
    let out = |task: &str| common::outputs_of(&exec, task);
    assert!(out("first")["uri"].as_str().unwrap().ends_with("/first.txt"));
    assert!(out("second")["uri"].as_str().unwrap().ends_with("/second.ion"));
    assert_eq!(out("delete")["deleted"], true);
    assert_eq!(out("delete_again")["deleted"], false);
    // Left before the purge: first, joined, reversed and the two parts.
    assert_eq!(out("purge")["uris"].as_array().unwrap().len(), 5, "{}", out("purge"));
    let first = out("first")["uri"].as_str().unwrap().to_string();
    let path = format!(
        "/api/v1/executions/{}/file?path={}",
        exec["id"].as_str().unwrap(),
        first.replace('/', "%2F")
    );
    let (status, _) = http(base, "GET", &path, "text/plain", "");
    assert_eq!(status, 404, "the purge deleted the execution's files");
}

/// A 1 GiB output file read by the next task, in its `inputFiles` and in its commands: stored
/// and fetched as files, never held in the server's memory.
#[test]
fn a_gibibyte_passes_between_two_tasks_in_bounded_memory() {
    const BIG: &str = r#"id: big
namespace: company.team
tasks:
  - id: make
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    outputFiles: [big.bin]
    commands:
      - head -c 1073741824 /dev/zero > big.bin
  - id: take
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    inputFiles:
      copy.bin: "{{ outputs.make.outputFiles['big.bin'] }}"
    commands:
      - echo "input=$(wc -c < copy.bin) command=$(wc -c < {{ outputs.make.outputFiles['big.bin'] }})"
"#;
    let dir = scratch("storage-big");
    std::fs::write(dir.join("flows/big.yaml"), BIG).unwrap();
    let (server, _) = common::start(&dir);
    let base = &server.base;
    let (exec, logs) = common::run_to_end(base, "company.team", "big", Duration::from_secs(300));
    assert_eq!(exec["state"]["current"], "SUCCESS", "{logs}\n{exec:#}");
    assert!(logs.contains("input=1073741824 command=1073741824"), "{logs}");
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    eprintln!("server peak resident memory: {} MiB", peak_kb / 1024);
    assert!(
        peak_kb < 100 * 1024,
        "the server peaked at {} MiB passing a 1 GiB file",
        peak_kb / 1024
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.filteritems>,
/// <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.deduplicateitems>.
const ITEMS: &str = r#"id: items
namespace: company.team
tasks:
  - id: records
    type: io.kestra.plugin.core.storage.Write
    content: |
      {id:1,name:"ada",amount:5}
      {id:2,name:"bob",amount:50}
      // a comment between records
      {id:1,name:"ada again",amount:12.5}
      {id:3,name:'carl',amount:null}
  - id: big
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ outputs.records.uri }}"
    filterCondition: " {{ value.amount > 10 }}"
    errorOrNullBehavior: EXCLUDE
  - id: unique
    type: io.kestra.plugin.core.storage.DeduplicateItems
    from: "{{ outputs.records.uri }}"
    expr: "{{ value.id }}"
  - id: show
    type: io.kestra.plugin.core.log.Log
    message: "big=[{{ read(outputs.big.uri) | trim | replace({'\n': ';'}) }}] unique=[{{ read(outputs.unique.uri) | trim | replace({'\n': ';'}) }}]"
  - id: strict
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ outputs.records.uri }}"
    filterCondition: "{{ value.amount }}"
"#;

#[test]
fn ion_records_are_filtered_and_deduplicated() {
    let dir = scratch("storage-items");
    std::fs::write(dir.join("flows/items.yaml"), ITEMS).unwrap();
    let (server, _) = common::start(&dir);
    let base = &server.base;
    let (exec, logs) = common::run_to_end(base, "company.team", "items", Duration::from_secs(60));
    let out = |task: &str| common::outputs_of(&exec, task);
    assert!(
        logs.contains(r#"big=[{id:2,name:\"bob\",amount:50};{id:1,name:\"ada again\",amount:12.5}]"#),
        "{logs}"
    );
    assert!(
        logs.contains(r#"unique=[{id:2,name:\"bob\",amount:50};{id:1,name:\"ada again\",amount:12.5};{id:3,name:\"carl\",amount:null}]"#),
        "{logs}"
    );
    assert_eq!(out("big")["processedItemsTotal"], 4);
    assert_eq!(out("big")["droppedItemsTotal"], 2);
    assert_eq!(out("unique")["numKeys"], 3);
    // Without errorOrNullBehavior, a condition that is null (carl's amount) fails the task.
    assert_eq!(exec["state"]["current"], "FAILED", "{logs}");
    assert!(logs.contains("`filterCondition` is null on record"), "{logs}");
}
