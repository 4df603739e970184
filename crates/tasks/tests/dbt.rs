//! dbt's outputs, read from files recorded by running the test project (tests/dbt, recorded by
//! tests/fixtures/dbt/record.sh) with dbt 1.10 and 1.8.

use sluice_tasks::dbt::{
    DbtError, Level, NodeResult, NodeState, node_metrics, parse_log_line, parse_manifest, parse_run_results, summarize,
};

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/dbt/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn nodes(variant: &str) -> Vec<NodeResult> {
    let mut nodes = parse_run_results(fixture(&format!("{variant}/run_results.json"))).expect("parses");
    let manifest = parse_manifest(fixture(&format!("{variant}/manifest.json"))).expect("parses");
    nodes.iter_mut().for_each(|n| n.apply_manifest(&manifest));
    nodes
}

fn by_id<'a>(nodes: &'a [NodeResult], id: &str) -> &'a NodeResult {
    nodes
        .iter()
        .find(|n| n.unique_id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn count(nodes: &[NodeResult], state: NodeState) -> usize {
    nodes.iter().filter(|n| n.state == state).count()
}

#[test]
fn success_run_has_every_node_with_times_and_one_warning() {
    let nodes = nodes("success");
    assert_eq!(nodes.len(), 20);
    assert_eq!(count(&nodes, NodeState::Success), 19);
    assert_eq!(count(&nodes, NodeState::Warning), 1);

    let seed = by_id(&nodes, "seed.sluice_shop.raw_customers");
    assert_eq!(
        (seed.resource_type.as_str(), seed.name.as_str()),
        ("seed", "raw_customers")
    );
    assert_eq!(seed.status, "success");
    assert_eq!(seed.rows_affected, Some(4));
    assert_eq!(seed.bytes_processed, None);
    assert_eq!(seed.message.as_deref(), Some("INSERT 4"));
    let (start, run, end) = (
        seed.started_at.unwrap(),
        seed.execute_started_at.unwrap(),
        seed.ended_at.unwrap(),
    );
    assert!(start <= run && run < end, "{start} {run} {end}");
    assert!(seed.execution_time.unwrap() > 0.0);

    let model = by_id(&nodes, "model.sluice_shop.customer_orders");
    assert_eq!(
        (model.resource_type.as_str(), model.name.as_str()),
        ("model", "customer_orders")
    );
    assert_eq!(model.state, NodeState::Success);
    assert_eq!(
        model.relation_name.as_deref(),
        Some(r#""sluice_shop"."main"."customer_orders""#)
    );

    let warn = nodes.iter().find(|n| n.state == NodeState::Warning).unwrap();
    assert_eq!(warn.resource_type, "test");
    assert_eq!(warn.name, "not_null_stg_customers_last_name");
    assert_eq!(warn.status, "warn");
    assert_eq!(warn.failures, Some(1));
    assert_eq!(
        warn.log_lines()[1],
        (Level::Warn, "Got 1 result, configured to warn if != 0".to_string())
    );
    assert!(
        warn.log_lines()[0]
            .1
            .starts_with("test.sluice_shop.not_null_stg_customers_last_name.fa1ab1e186 => warn in "),
        "{:?}",
        warn.log_lines()
    );
    assert!(warn.log_lines()[0].1.ends_with("s (1 failure)"));

    let summary = summarize(&nodes);
    assert_eq!(summary.state, NodeState::Warning);
    assert_eq!(summary.warned_nodes, ["not_null_stg_customers_last_name"]);
    assert_eq!(
        summary.message(),
        "dbt: 1 of 20 nodes warned (not_null_stg_customers_last_name)"
    );

    let metrics = node_metrics(&nodes);
    assert_eq!(metrics.len(), 1);
    assert_eq!((metrics[0].name.as_str(), metrics[0].value), ("rows.affected", 17.0));
}

#[test]
fn failed_test_fails_the_run_and_skips_downstream_nodes() {
    let nodes = nodes("fail");
    assert_eq!(nodes.len(), 21);
    let failed = by_id(&nodes, "test.sluice_shop.assert_payments_below_limit");
    assert_eq!(failed.state, NodeState::Failed);
    assert_eq!(failed.status, "fail");
    assert_eq!(failed.failures, Some(2));
    assert_eq!(failed.state.log_level(), Level::Error);
    let skipped = by_id(&nodes, "model.sluice_shop.customer_orders");
    assert_eq!(skipped.state, NodeState::Skipped);
    assert_eq!(
        (skipped.started_at, skipped.execute_started_at, skipped.ended_at),
        (None, None, None)
    );
    assert_eq!(skipped.log_lines().len(), 1, "no message");
    assert_eq!(count(&nodes, NodeState::Skipped), 4);

    let summary = summarize(&nodes);
    assert_eq!(summary.state, NodeState::Failed);
    assert_eq!(summary.failed_nodes, ["assert_payments_below_limit"]);
    assert_eq!(
        (summary.succeeded, summary.warned, summary.failed, summary.skipped),
        (15, 1, 1, 4)
    );
    assert_eq!(
        summary.message(),
        "dbt: 1 of 21 nodes failed (assert_payments_below_limit); 1 warned (not_null_stg_customers_last_name), 4 skipped"
    );
}

#[test]
fn model_error_carries_the_database_message() {
    let nodes = nodes("error");
    let failed = by_id(&nodes, "model.sluice_shop.stg_orders");
    assert_eq!(failed.status, "error");
    assert_eq!(failed.state, NodeState::Failed);
    let message = failed.message.as_deref().unwrap();
    assert!(message.contains("no_such_column"), "{message}");
    assert_eq!(count(&nodes, NodeState::Skipped), 8);
    assert_eq!(summarize(&nodes).failed_nodes, ["stg_orders"]);
}

#[test]
fn dbt_1_8_results_read_the_same() {
    let nodes = parse_run_results(fixture("dbt-1.8/run_results.json")).unwrap();
    assert_eq!(nodes.len(), 21);
    let summary = summarize(&nodes);
    assert_eq!(summary.state, NodeState::Failed);
    assert_eq!(summary.failed_nodes, ["assert_payments_below_limit"]);
    // Without the manifest, names come from the ids.
    let test = by_id(&nodes, "test.sluice_shop.not_null_stg_customers_last_name.fa1ab1e186");
    assert_eq!(
        (test.resource_type.as_str(), test.name.as_str()),
        ("test", "not_null_stg_customers_last_name")
    );
    assert!(test.ended_at.is_some());
}

#[test]
fn manifest_has_nodes_and_dependencies() {
    let manifest = parse_manifest(fixture("fail/manifest.json")).unwrap();
    assert_eq!(manifest.adapter_type.as_deref(), Some("duckdb"));
    assert_eq!(manifest.project_name.as_deref(), Some("sluice_shop"));
    assert!(manifest.dbt_version.as_deref().unwrap().starts_with("1.10."));
    let mart = &manifest.nodes["model.sluice_shop.customer_orders"];
    assert_eq!(mart.resource_type, "model");
    assert_eq!(mart.schema.as_deref(), Some("main"));
    assert_eq!(mart.alias.as_deref(), Some("customer_orders"));
    assert_eq!(
        mart.original_file_path.as_deref(),
        Some("models/marts/customer_orders.sql")
    );
    let mut deps = mart.depends_on.clone();
    deps.sort();
    assert_eq!(
        deps,
        [
            "model.sluice_shop.stg_customers",
            "model.sluice_shop.stg_orders",
            "model.sluice_shop.stg_payments"
        ]
    );
    assert_eq!(manifest.nodes.len(), 21);
}

#[test]
fn json_log_lines_become_leveled_messages() {
    let text = String::from_utf8(fixture("fail/build.jsonl")).unwrap();
    let parsed: Vec<(Level, String)> = text
        .lines()
        .map(|l| parse_log_line(l).unwrap_or_else(|| panic!("a dbt line: {l}")))
        .collect();
    assert_eq!(parsed[0], (Level::Info, "Running with dbt=1.10.23".to_string()));
    assert!(parsed.iter().all(|(_, m)| !m.contains('\u{1b}') && !m.starts_with('{')));
    let warn = parsed.iter().find(|(l, _)| *l == Level::Warn).expect("a warning");
    assert!(
        warn.1.contains("WARN 1 not_null_stg_customers_last_name .") && warn.1.contains(". [WARN 1 in 0.0"),
        "{warn:?}"
    );
    let errors: Vec<&String> = parsed
        .iter()
        .filter(|(l, _)| *l == Level::Error)
        .map(|(_, m)| m)
        .collect();
    assert!(errors[0].contains("FAIL 2 assert_payments_below_limit"), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|m| m.contains("Got 2 results, configured to fail if != 0"))
    );
    // dbt's blank separator lines stay blank lines.
    assert!(parsed.iter().any(|(l, m)| *l == Level::Info && m.is_empty()));

    for file in [
        "success/build.jsonl",
        "success/deps.jsonl",
        "error/build.jsonl",
        "dbt-1.8/build.jsonl",
    ] {
        let text = String::from_utf8(fixture(file)).unwrap();
        assert!(text.lines().all(|l| parse_log_line(l).is_some()), "{file}");
    }
}

#[test]
fn empty_and_odd_results() {
    assert_eq!(parse_run_results(r#"{"results": []}"#).unwrap(), []);
    let nodes = parse_run_results(
        r#"{"results": [
            {"unique_id": "model.p.a", "status": "exploded"},
            {"unique_id": "model.p.b", "status": "success", "timing": "later",
             "adapter_response": {"rows_affected": "12", "bytes_processed": 1e3}, "failures": "x",
             "execution_time": "fast", "message": 7},
            {"unique_id": "snapshot.p.c", "status": "success",
             "timing": [{"name": "execute", "started_at": null, "completed_at": "2024-05-01T10:00:00Z"},
                        {"name": "compile", "started_at": "2024-05-01T09:59:59"}]},
            {"status": "success"},
            {"unique_id": ""},
            42,
            {"node": {"unique_id": "seed.p.old"}, "status": "pass"}
        ], "elapsed_time": 1}"#,
    )
    .unwrap();
    let ids: Vec<&str> = nodes.iter().map(|n| n.unique_id.as_str()).collect();
    assert_eq!(ids, ["model.p.a", "model.p.b", "snapshot.p.c", "seed.p.old"]);
    assert_eq!(nodes[0].state, NodeState::Warning, "an unknown status is looked at");
    assert_eq!(nodes[0].status, "exploded");
    assert_eq!(nodes[1].rows_affected, Some(12));
    assert_eq!(nodes[1].bytes_processed, Some(1000));
    assert_eq!(nodes[1].failures, None);
    assert_eq!(nodes[1].execution_time, None);
    assert_eq!(nodes[1].message.as_deref(), Some("7"));
    assert_eq!(nodes[1].started_at, None);
    let snapshot = &nodes[2];
    assert_eq!(snapshot.resource_type, "snapshot");
    assert_eq!(snapshot.started_at.unwrap().to_string(), "2024-05-01T09:59:59Z");
    assert_eq!(snapshot.execute_started_at, None);
    assert_eq!(snapshot.ended_at.unwrap().to_string(), "2024-05-01T10:00:00Z");
    assert_eq!(nodes[3].state, NodeState::Success);

    let metrics = node_metrics(&nodes);
    assert_eq!(metrics.len(), 2);
    assert_eq!(metrics[1].name, "bytes.processed");
    assert!(node_metrics(&[]).is_empty());
    let summary = summarize(&[]);
    assert_eq!(summary.state, NodeState::Success);
    assert_eq!(summary.message(), "dbt: 0 nodes succeeded");
}

#[test]
fn unreadable_files_are_errors_not_panics() {
    for bad in ["", "{", "not json", "{\"results\": [1,"] {
        let err = parse_run_results(bad).unwrap_err();
        assert!(matches!(err, DbtError::Json { .. }), "{bad}: {err}");
        assert!(
            err.to_string().starts_with("run_results.json is not valid JSON"),
            "{err}"
        );
    }
    for odd in ["[]", "{}", "{\"results\": {}}", "{\"results\": null}", "3"] {
        let err = parse_run_results(odd).unwrap_err();
        assert!(matches!(err, DbtError::Shape { .. }), "{odd}: {err}");
    }
    assert!(matches!(parse_manifest("{").unwrap_err(), DbtError::Json { .. }));
    assert!(matches!(parse_manifest("[1]").unwrap_err(), DbtError::Shape { .. }));
    assert!(matches!(parse_manifest("[1").unwrap_err(), DbtError::Json { .. }));
    assert!(matches!(parse_manifest("").unwrap_err(), DbtError::Json { .. }));
    assert!(matches!(
        parse_manifest(r#"{"nodes": 1"#).unwrap_err(),
        DbtError::Json { .. }
    ));
    let manifest = parse_manifest(r#"{"nodes": null, "sources": [1], "metadata": 3}"#).unwrap();
    assert!(manifest.nodes.is_empty());
    let manifest = parse_manifest(
        r#"{"sources": {"source.p.raw.orders": {"resource_type": "source", "source_name": "raw", "name": "orders"}},
            "nodes": {"model.p.x": {"depends_on": {"nodes": ["source.p.raw.orders", 5]}}, "model.p.y": 1}}"#,
    )
    .unwrap();
    assert_eq!(manifest.nodes["source.p.raw.orders"].name, "raw.orders");
    assert_eq!(manifest.nodes["model.p.x"].resource_type, "model");
    assert_eq!(manifest.nodes["model.p.x"].depends_on, ["source.p.raw.orders"]);
    assert_eq!(manifest.nodes.len(), 2);
}

#[test]
fn many_failures_are_counted_not_all_named() {
    let results: Vec<String> = (0..12)
        .map(|i| format!(r#"{{"unique_id": "model.p.m{i}", "status": "error"}}"#))
        .collect();
    let nodes = parse_run_results(format!(r#"{{"results": [{}]}}"#, results.join(","))).unwrap();
    assert_eq!(
        summarize(&nodes).message(),
        "dbt: 12 of 12 nodes failed (m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, and 2 more)"
    );
}
