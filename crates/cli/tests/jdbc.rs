//! Kestra's PostgreSQL tasks against the real PostgreSQL the test script starts
//! (<https://kestra.io/plugins/plugin-jdbc-postgres>): Queries, Query with each `fetchType`,
//! CopyIn and CopyOut, with the connection given once in `pluginDefaults` as Kestra's
//! blueprints do.

mod common;

use common::pg::{Database, database_url};
use common::{http, outputs_of, run_to_end, scratch, start};
use serde_json::json;
use std::time::Duration;

fn stored(base: &str, id: &str, uri: &str) -> String {
    let path = format!("/api/v1/executions/{id}/file?path={}", uri.replace('/', "%2F"));
    let (status, body) = http(base, "GET", &path, "text/plain", "");
    assert_eq!(status, 200, "{path}: {body}");
    body
}

const FLOW: &str = r#"
id: pg
namespace: dev
pluginDefaults:
  - type: io.kestra.plugin.jdbc.postgresql
    values:
      url: "jdbc:postgresql://HOSTPORT/DATABASE"
      username: postgres
tasks:
  - id: init
    type: io.kestra.plugin.jdbc.postgresql.Queries
    sql: |
      CREATE TABLE products(id SERIAL PRIMARY KEY, name varchar(100), price numeric(8,2), tags jsonb, active boolean);
      INSERT INTO products(name, price, tags, active) VALUES ('lamp', 12.50, '["home"]', true), ('desk', 120, '{"size": "L"}', false);
  - id: csv
    type: io.kestra.plugin.core.storage.Write
    extension: .csv
    content: "name,price\nchair,45.00\nshelf,80.10\n"
  - id: load
    type: io.kestra.plugin.jdbc.postgresql.CopyIn
    from: "{{ outputs.csv.uri }}"
    table: products
    columns: [name, price]
    format: CSV
    header: true
  - id: one
    type: io.kestra.plugin.jdbc.postgresql.Query
    sql: SELECT name, price, tags, active FROM products WHERE name = 'lamp'
    fetchType: FETCH_ONE
  - id: all
    type: io.kestra.plugin.jdbc.postgresql.Query
    sql: SELECT id, name FROM products ORDER BY id
    fetchType: FETCH
  - id: stored
    type: io.kestra.plugin.jdbc.postgresql.Query
    sql: SELECT name FROM products ORDER BY id
    fetchType: STORE
  - id: out
    type: io.kestra.plugin.jdbc.postgresql.CopyOut
    table: products
    columns: [name]
    format: CSV
    header: true
  - id: both
    type: io.kestra.plugin.jdbc.postgresql.Queries
    sql: "SELECT 1 AS a; SELECT 'x' AS b, 2 AS c;"
    fetchType: FETCH
  - id: broken
    type: io.kestra.plugin.jdbc.postgresql.Query
    sql: SELECT * FROM nope
    allowFailure: true
"#;

#[test]
fn queries_fetch_types_copy_in_and_copy_out_on_real_postgresql() {
    let Some(admin) = database_url() else { return };
    let db = Database::create(&admin);
    let host_port = db
        .url
        .split('@')
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_string();
    let dir = scratch("jdbc-pg");
    let flow = FLOW.replace("HOSTPORT", &host_port).replace("DATABASE", &db.name);
    std::fs::write(dir.join("flows/pg.yaml"), flow).unwrap();
    let (server, _) = start(&dir);
    let (exec, logs) = run_to_end(&server.base, "dev", "pg", Duration::from_secs(60));
    assert_eq!(exec["state"]["current"], "WARNING", "{exec}\n{logs}");
    let id = exec["id"].as_str().unwrap();
    assert_eq!(outputs_of(&exec, "load")["rowCount"], 2);
    assert_eq!(
        outputs_of(&exec, "one")["row"],
        json!({"name": "lamp", "price": 12.5, "tags": ["home"], "active": true})
    );
    let all = outputs_of(&exec, "all");
    assert_eq!(all["size"], 4, "{all}");
    assert_eq!(all["rows"][2], json!({"id": 3, "name": "chair"}));
    let file = stored(&server.base, id, outputs_of(&exec, "stored")["uri"].as_str().unwrap());
    assert_eq!(file.lines().count(), 4, "{file}");
    assert!(file.contains("name:\"shelf\""), "{file}");
    let out = outputs_of(&exec, "out");
    assert_eq!(
        stored(&server.base, id, out["uri"].as_str().unwrap()),
        "name\nlamp\ndesk\nchair\nshelf\n"
    );
    let both = outputs_of(&exec, "both");
    assert_eq!(both["outputs"][1]["rows"][0], json!({"b": "x", "c": 2}), "{both}");
    assert_eq!(
        both["rows"], both["outputs"][1]["rows"],
        "the last statement's rows are the task's own"
    );
    assert_eq!(both["size"], 2);
    let broken = exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["taskId"] == "broken")
        .unwrap();
    let reason = broken["attempts"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("nope"), "{reason}");
}
