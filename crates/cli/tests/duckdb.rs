//! Kestra's DuckDB tasks (<https://kestra.io/plugins/plugin-jdbc-duckdb>) run by DuckDB from
//! PyPI (the wheel in the test venv, `SLUICE_DUCKDB_PYTHON`): files from `inputFiles` read
//! from `{{ workingDir }}`, rows handed back with FETCH and STORE, as the blueprints do.

mod common;

use common::{http, outputs_of, run_to_end, scratch, start_with};
use serde_json::json;
use std::time::Duration;

const FLOW: &str = r#"
id: duck
namespace: dev
tasks:
  - id: products
    type: io.kestra.plugin.core.storage.Write
    extension: .csv
    content: "brand,price\nacme,10\nacme,20\nzeta,5\n"
  - id: avg
    type: io.kestra.plugin.jdbc.duckdb.Query
    inputFiles:
      in.csv: "{{ outputs.products.uri }}"
    sql: |
      SELECT brand, round(avg(price), 2) AS avg_price
      FROM read_csv_auto('{{ workingDir }}/in.csv', header=True)
      GROUP BY brand
      ORDER BY avg_price DESC;
    fetchType: FETCH
  - id: stored
    type: io.kestra.plugin.jdbc.duckdb.Queries
    sql: |
      CREATE TABLE t AS SELECT * FROM range(3) r(n);
      SELECT n, n * 2 AS twice FROM t ORDER BY n;
    fetchType: STORE
  - id: one
    type: io.kestra.plugin.jdbc.duckdb.Query
    sql: SELECT DATE '2024-01-31' AS day, 'x' AS s
    fetchType: FETCH_ONE
  - id: broken
    type: io.kestra.plugin.jdbc.duckdb.Query
    sql: SELECT * FROM nope
    allowFailure: true
"#;

fn duckdb_python() -> String {
    std::env::var("SLUICE_DUCKDB_PYTHON").unwrap_or_else(|_| {
        let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/dbt-venv/bin/python");
        assert!(
            std::path::Path::new(venv).exists(),
            "no Python with duckdb: run scripts/dbt-env (the test command does), or set SLUICE_DUCKDB_PYTHON"
        );
        venv.to_string()
    })
}

#[test]
fn duckdb_reads_input_files_and_fetches_and_stores_rows() {
    let python = duckdb_python();
    let dir = scratch("duckdb");
    std::fs::write(dir.join("flows/duck.yaml"), FLOW).unwrap();
    let (server, _) = start_with(&dir, &[("SLUICE_DUCKDB_PYTHON", &python)]);
    let (exec, logs) = run_to_end(&server.base, "dev", "duck", Duration::from_secs(90));
    assert_eq!(exec["state"]["current"], "WARNING", "{exec}\n{logs}");
    let avg = outputs_of(&exec, "avg");
    assert_eq!(
        avg["rows"],
        json!([{"brand": "acme", "avg_price": 15.0}, {"brand": "zeta", "avg_price": 5.0}]),
        "{avg}"
    );
    assert_eq!(avg["size"], 2);
    assert!(avg.get("vars").is_none(), "results are outputs of their own: {avg}");
    let one = outputs_of(&exec, "one");
    assert_eq!(one["row"], json!({"day": "2024-01-31", "s": "x"}));
    let stored = outputs_of(&exec, "stored");
    assert_eq!(stored["size"], 3, "{stored}");
    let uri = stored["uri"].as_str().unwrap();
    let id = exec["id"].as_str().unwrap();
    let path = format!("/api/v1/executions/{id}/file?path={}", uri.replace('/', "%2F"));
    let (status, body) = http(&server.base, "GET", &path, "text/plain", "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.lines().count(), 3, "{body}");
    assert!(body.contains("\"twice\": 4"), "{body}");
    let broken = exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["taskId"] == "broken")
        .unwrap();
    assert_eq!(broken["state"]["current"], "FAILED");
    assert!(logs.contains("nope"), "DuckDB's error is in the logs: {logs}");
}
