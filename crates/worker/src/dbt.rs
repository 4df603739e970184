//! After a DbtCLI attempt: dbt's `run_results.json` (and `manifest.json`) become one child task
//! run per dbt node, with its times, state, log lines and metrics, as Kestra shows them.

use jiff::Timestamp;
use serde_json::{Map, Value, json};
use sluice_engine::{ChildRun, State, task_run_id};
use sluice_runners::OutputFile;
use sluice_store::{Level, LogLine, Metric, MetricKind, Store, StoreError};
use sluice_tasks::dbt::{self, DbtPost, NodeResult, NodeState, Summary};

/// What the dbt results of one attempt say.
#[derive(Default)]
pub struct DbtReport {
    /// One ended child task run per node.
    pub children: Vec<ChildRun>,
    /// The nodes' verdict; `None` when there were no results to read.
    pub summary: Option<Summary>,
}

/// The attempt whose results these are.
pub struct Parent<'a> {
    /// Execution id.
    pub execution_id: &'a str,
    /// The DbtCLI task run.
    pub task_run_id: &'a str,
    /// Its attempt.
    pub attempt: u32,
}

/// Reads the results among `files`, stores the nodes' logs and metrics, and returns the nodes.
/// Unreadable results are said in a warning line and give an empty report.
pub async fn report(
    store: &dyn Store,
    parent: &Parent<'_>,
    post: &DbtPost,
    files: &[OutputFile],
) -> Result<DbtReport, StoreError> {
    if !post.parse_run_results {
        return Ok(DbtReport::default());
    }
    let read = |name: &str| {
        let path = files.iter().find(|f| f.name == name).map(|f| f.path.clone());
        async move {
            match path {
                Some(path) => tokio::fs::read(&path).await.ok(),
                None => None,
            }
        }
    };
    let Some(results) = read(&post.run_results_path).await else {
        warn(
            store,
            parent,
            format!(
                "dbt wrote no {}; no node is shown as its own task run",
                post.run_results_path
            ),
        )
        .await?;
        return Ok(DbtReport::default());
    };
    let mut nodes = match dbt::parse_run_results(&results) {
        Ok(nodes) => nodes,
        Err(e) => {
            warn(store, parent, e.to_string()).await?;
            return Ok(DbtReport::default());
        }
    };
    if let Some(manifest) = read(&post.manifest_path).await {
        match dbt::parse_manifest(&manifest) {
            Ok(manifest) => nodes.iter_mut().for_each(|n| n.apply_manifest(&manifest)),
            Err(e) => warn(store, parent, e.to_string()).await?,
        }
    }
    let now = Timestamp::now();
    let mut lines = Vec::new();
    let mut children = Vec::with_capacity(nodes.len());
    for node in &nodes {
        let id = task_run_id(parent.execution_id, &node.unique_id, Some(parent.task_run_id), None);
        let at = node.ended_at.or(node.started_at).unwrap_or(now);
        lines.extend(node.log_lines().into_iter().map(|(level, message)| LogLine {
            execution_id: parent.execution_id.to_owned(),
            task_run_id: Some(id.clone()),
            task_id: Some(node.unique_id.clone()),
            attempt: Some(1),
            at,
            level: Level::parse(level.as_str()).unwrap_or(Level::Info),
            message,
        }));
        let metrics = node_metrics(node);
        if !metrics.is_empty() {
            store.add_metrics(parent.execution_id, &id, &metrics).await?;
        }
        children.push(child(node, now));
    }
    store.append_logs(&lines).await?;
    let totals: Vec<Metric> = dbt::node_metrics(&nodes)
        .into_iter()
        .map(|m| Metric {
            name: m.name,
            kind: MetricKind::parse(&m.kind).unwrap_or(MetricKind::Counter),
            value: m.value,
            tags: m.tags,
        })
        .collect();
    if !totals.is_empty() {
        store
            .add_metrics(parent.execution_id, parent.task_run_id, &totals)
            .await?;
    }
    Ok(DbtReport {
        summary: Some(dbt::summarize(&nodes)),
        children,
    })
}

fn child(node: &NodeResult, now: Timestamp) -> ChildRun {
    let state = match node.state {
        NodeState::Success => State::Success,
        NodeState::Warning => State::Warning,
        NodeState::Failed => State::Failed,
        NodeState::Skipped => State::Skipped,
    };
    let mut outputs = Map::new();
    outputs.insert("resourceType".into(), json!(node.resource_type));
    outputs.insert("name".into(), json!(node.name));
    outputs.insert("status".into(), json!(node.status));
    let optional = [
        ("relation", node.relation_name.as_ref().map(|r| json!(r))),
        ("rowsAffected", node.rows_affected.map(|n| json!(n))),
        ("bytesProcessed", node.bytes_processed.map(|n| json!(n))),
        ("failures", node.failures.map(|n| json!(n))),
        ("executionTime", node.execution_time.map(|t| json!(t))),
    ];
    outputs.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))));
    ChildRun {
        task_id: node.unique_id.clone(),
        state,
        created: node.started_at.unwrap_or(now),
        started: node.execute_started_at.or(node.started_at),
        ended: node.ended_at,
        reason: node.message.clone(),
        outputs,
    }
}

fn node_metrics(node: &NodeResult) -> Vec<Metric> {
    let counter = |name: &str, value: i64| Metric {
        name: name.to_owned(),
        kind: MetricKind::Counter,
        value: value as f64,
        tags: Map::<String, Value>::new(),
    };
    let mut metrics = Vec::new();
    if let Some(rows) = node.rows_affected {
        metrics.push(counter("rows.affected", rows));
    }
    if let Some(bytes) = node.bytes_processed {
        metrics.push(counter("bytes.processed", bytes));
    }
    metrics
}

async fn warn(store: &dyn Store, parent: &Parent<'_>, message: String) -> Result<(), StoreError> {
    store
        .append_logs(&[LogLine {
            execution_id: parent.execution_id.to_owned(),
            task_run_id: Some(parent.task_run_id.to_owned()),
            task_id: None,
            attempt: Some(parent.attempt),
            at: Timestamp::now(),
            level: Level::Warn,
            message,
        }])
        .await
}
