//! The flow list and a flow's page (source, topology, recent executions, run form, editor).

use super::error::UiError;
use super::executions::{ExecRow, row};
use super::format::{self, non_empty, short_type, state_class};
use super::inputs;
use super::render::{self, Nav};
use super::topology;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use minijinja::Value;
use serde::{Deserialize, Serialize};
use sluice_store::{ExecutionFilter, FlowRecord};

/// How many executions a flow's page lists.
const RECENT: u32 = 10;

/// Query parameters of the flow list.
#[derive(Debug, Deserialize)]
pub(crate) struct ListParams {
    /// Text the namespace or id must contain.
    q: Option<String>,
}

/// The latest execution of a flow, for the list.
#[derive(Debug, Serialize)]
struct Last {
    state: &'static str,
    class: String,
    href: String,
    start: String,
}

/// One row of the flow list.
#[derive(Debug, Serialize)]
struct FlowRow {
    namespace: String,
    id: String,
    href: String,
    revision: u32,
    triggers: Vec<String>,
    valid: bool,
    disabled: bool,
    description: String,
    last: Option<Last>,
    /// Lowercase `namespace.id`, for the script's filter.
    key: String,
}

/// `GET /ui/flows`: every flow, with its triggers and the state of its last execution.
pub(crate) async fn list(State(app): State<AppState>, Query(p): Query<ListParams>) -> Result<Html<String>, UiError> {
    let q = non_empty(&p.q).unwrap_or_default().to_lowercase();
    let flows = app.store.list_flows().await?;
    let total = flows.len();
    let mut rows = Vec::new();
    for record in flows {
        let key = format!("{}.{}", record.namespace, record.id).to_lowercase();
        if !q.is_empty() && !key.contains(&q) {
            continue;
        }
        let checked = app.validator.check(&record.source);
        let (triggers, description, disabled) = match &checked.flow {
            Some(flow) => (
                flow.triggers
                    .iter()
                    .map(|t| format!("{} ({})", t.id, short_type(&t.type_name)))
                    .collect(),
                flow.description.clone().unwrap_or_default(),
                flow.disabled,
            ),
            None => (Vec::new(), String::new(), false),
        };
        let last = app
            .store
            .list_executions(&ExecutionFilter {
                namespace: Some(record.namespace.clone()),
                flow_id: Some(record.id.clone()),
                page: 1,
                size: 1,
                ..ExecutionFilter::default()
            })
            .await?
            .results
            .into_iter()
            .next()
            .map(|s| Last {
                state: s.state.as_str(),
                class: state_class(s.state),
                href: format::execution_href(&s.id),
                start: format::maybe_timestamp(s.start),
            });
        rows.push(FlowRow {
            href: format::flow_href(&record.namespace, &record.id),
            namespace: record.namespace,
            id: record.id,
            revision: record.revision,
            triggers,
            valid: checked.flow.is_some(),
            disabled,
            description,
            last,
            key,
        });
    }
    let ctx = minijinja::context! { rows => render::ser(&rows), total, q => non_empty(&p.q).unwrap_or_default() };
    Ok(render::page("Flows", Nav::Flows, "flows.html", ctx)?)
}

/// A validation finding on the stored source.
#[derive(Debug, Serialize)]
struct DiagnosticView {
    line: u32,
    column: u32,
    severity: String,
    message: String,
    help: Option<String>,
}

/// `GET /ui/flows/{namespace}/{id}`.
pub(crate) async fn show(
    State(app): State<AppState>,
    Path((namespace, id)): Path<(String, String)>,
) -> Result<Html<String>, UiError> {
    let record: FlowRecord = app
        .store
        .get_flow(&namespace, &id, None)
        .await?
        .ok_or_else(|| UiError::NotFound(format!("Flow “{namespace}/{id}”")))?;
    let checked = app.validator.check(&record.source);
    let diagnostics: Vec<DiagnosticView> = checked
        .diagnostics
        .iter()
        .map(|d| DiagnosticView {
            line: d.pos.line,
            column: d.pos.column,
            severity: d.severity.to_string(),
            message: d.message.clone(),
            help: d.help.clone(),
        })
        .collect();
    let recent: Vec<ExecRow> = app
        .store
        .list_executions(&ExecutionFilter {
            namespace: Some(namespace.clone()),
            flow_id: Some(id.clone()),
            page: 1,
            size: RECENT,
            ..ExecutionFilter::default()
        })
        .await?
        .results
        .iter()
        .map(row)
        .collect();
    let flow = checked.flow.as_ref();
    let topology = match flow {
        Some(flow) => {
            let t = topology::layout(flow);
            (t.count > 0).then(|| render::render("topology.html", &t)).transpose()?
        }
        None => None,
    };
    let ns = format::encode(&namespace);
    let fid = format::encode(&id);
    let executions_href = format!(
        "/ui/executions{}",
        format::query(&[("namespace", namespace.clone()), ("flowId", id.clone())])
    );
    let ctx = minijinja::context! {
        namespace => namespace.clone(),
        id => id.clone(),
        revision => record.revision,
        created => format::timestamp(record.created),
        source => record.source,
        valid => flow.is_some(),
        diagnostics => render::ser(&diagnostics),
        description => flow.and_then(|f| f.description.clone()),
        disabled => flow.is_some_and(|f| f.disabled),
        labels => flow.map(|f| f.labels.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>()),
        triggers => render::ser(flow.map(|f| {
            f.triggers
                .iter()
                .map(|t| (t.id.clone(), short_type(&t.type_name).to_string(), t.type_name.clone(), t.disabled))
                .collect::<Vec<_>>()
        })),
        topology => topology.map(Value::from_safe_string),
        recent => render::ser(&recent),
        executions_href,
        fields => render::ser(flow.map(|f| inputs::fields(&f.inputs)).unwrap_or_default()),
        run_action => format!("/api/v1/executions/{ns}/{fid}"),
        save_action => format!("/api/v1/flows/{ns}/{fid}"),
    };
    Ok(render::page(
        &format!("{namespace}/{id}"),
        Nav::Flows,
        "flow.html",
        ctx,
    )?)
}
