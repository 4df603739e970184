//! Kestra's serdes conversions on a real server, each cited from its page
//! (<https://kestra.io/plugins/plugin-serdes>): CSV → Ion → JSON → Ion → CSV gives the CSV back.

mod common;

use common::{http, outputs_of, run_to_end, scratch, start};
use std::time::Duration;

const FLOW: &str = r#"
id: round_trip
namespace: dev
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    extension: .csv
    content: |
      id,name,note
      1,Ada,"likes ""quotes"""
      2,Bob,"a, b"
  - id: to_ion
    type: io.kestra.plugin.serdes.csv.CsvToIon
    from: "{{ outputs.write.uri }}"
  - id: to_json
    type: io.kestra.plugin.serdes.json.IonToJson
    from: "{{ outputs.to_ion.uri }}"
    newLine: false
  - id: back_to_ion
    type: io.kestra.plugin.serdes.json.JsonToIon
    from: "{{ outputs.to_json.uri }}"
    newLine: false
  - id: to_csv
    type: io.kestra.plugin.serdes.csv.IonToCsv
    from: "{{ outputs.back_to_ion.uri }}"
  - id: count
    type: io.kestra.plugin.core.log.Log
    message: "{{ read(outputs.to_json.uri) | length }} characters"
  - id: bad
    type: io.kestra.plugin.serdes.json.JsonToIon
    from: "{{ outputs.write.uri }}"
    allowFailure: true
"#;

fn stored(base: &str, id: &str, uri: &str) -> String {
    let path = format!("/api/v1/executions/{id}/file?path={}", uri.replace('/', "%2F"));
    let (status, body) = http(base, "GET", &path, "text/plain", "");
    assert_eq!(status, 200, "{path}: {body}");
    body
}

#[test]
fn csv_ion_and_json_convert_into_each_other_and_back() {
    let dir = scratch("serdes");
    std::fs::write(dir.join("flows/round_trip.yaml"), FLOW).unwrap();
    let (server, _) = start(&dir);
    let (exec, logs) = run_to_end(&server.base, "dev", "round_trip", Duration::from_secs(60));
    assert_eq!(exec["state"]["current"], "WARNING", "{exec}\n{logs}");
    let id = exec["id"].as_str().unwrap();
    let file = |task: &str| stored(&server.base, id, outputs_of(&exec, task)["uri"].as_str().unwrap());
    let json: serde_json::Value = serde_json::from_str(&file("to_json")).unwrap();
    assert_eq!(json[0]["note"], "likes \"quotes\"", "{json}");
    assert_eq!(json[1]["name"], "Bob");
    assert_eq!(json[1]["note"], "a, b");
    assert_eq!(
        file("to_csv"),
        "id,name,note\n1,Ada,\"likes \"\"quotes\"\"\"\n2,Bob,\"a, b\"\n",
        "the CSV comes back as it was"
    );
    let bad = exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["taskId"] == "bad")
        .unwrap();
    let reason = bad["attempts"][0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("is not JSON") && reason.contains("newLine: false"),
        "{reason}"
    );
}
