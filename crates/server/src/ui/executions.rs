//! The execution list, an execution's page, and the live part of that page (state, Gantt chart,
//! task runs) that the script re-fetches while the execution runs.

use super::error::UiError;
use super::format::{self, non_empty, query, state_class};
use super::gantt::{self, Gantt};
use super::logs::{self, LogParams};
use super::render::{self, Nav};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use jiff::Timestamp;
use minijinja::Value;
use serde::{Deserialize, Serialize};
use sluice_engine::{Execution, State as RunState};
use sluice_store::{ExecutionFilter, ExecutionSummary, MetricKind, StoredMetric};

/// Largest page of the execution list.
const MAX_PAGE_SIZE: u32 = 200;

/// One row of an execution table.
#[derive(Debug, Serialize)]
pub(crate) struct ExecRow {
    id: String,
    href: String,
    namespace: String,
    flow_id: String,
    flow_href: String,
    state: &'static str,
    class: String,
    start: String,
    start_iso: String,
    duration: String,
}

/// The table row of an execution summary.
pub(crate) fn row(s: &ExecutionSummary) -> ExecRow {
    ExecRow {
        href: format::execution_href(&s.id),
        id: s.id.clone(),
        flow_href: format::flow_href(&s.namespace, &s.flow_id),
        namespace: s.namespace.clone(),
        flow_id: s.flow_id.clone(),
        state: s.state.as_str(),
        class: state_class(s.state),
        start: format::maybe_timestamp(s.start),
        start_iso: s.start.map(format::iso).unwrap_or_default(),
        duration: match s.duration {
            Some(d) => format::duration(d),
            None => format::elapsed(s.start, None),
        },
    }
}

/// Query parameters of the execution list.
#[derive(Debug, Deserialize)]
pub(crate) struct ListParams {
    namespace: Option<String>,
    #[serde(rename = "flowId")]
    flow_id: Option<String>,
    state: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    size: Option<String>,
}

#[derive(Serialize)]
struct StateChoice {
    value: &'static str,
    selected: bool,
}

/// `GET /ui/executions`: executions filtered by namespace, flow, state and start time, paged.
pub(crate) async fn list(State(app): State<AppState>, Query(p): Query<ListParams>) -> Result<Html<String>, UiError> {
    let mut problems = Vec::new();
    let mut time = |name: &str, value: &Option<String>| {
        let text = non_empty(value)?;
        let t = format::parse_time(text);
        if t.is_none() {
            problems.push(format!(
                "“{text}” is not a time for “{name}”: write it like 2026-05-01T10:00 (UTC). It was ignored."
            ));
        }
        t
    };
    let from = time("from", &p.from);
    let to = time("to", &p.to);
    let state = non_empty(&p.state).and_then(RunState::parse);
    if let (Some(text), None) = (non_empty(&p.state), state) {
        problems.push(format!("“{text}” is not a state. It was ignored."));
    }
    let page = non_empty(&p.page)
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1)
        .max(1);
    let size = non_empty(&p.size)
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(25)
        .clamp(1, MAX_PAGE_SIZE);
    let filter = ExecutionFilter {
        namespace: non_empty(&p.namespace).map(str::to_string),
        flow_id: non_empty(&p.flow_id).map(str::to_string),
        state: state.map(|s| vec![s]),
        from,
        to,
        page,
        size,
    };
    let found = app.store.list_executions(&filter).await?;
    let flows = app.store.list_flows().await?;
    let mut namespaces: Vec<String> = flows.iter().map(|f| f.namespace.clone()).collect();
    namespaces.dedup();
    let mut flow_ids: Vec<String> = flows.into_iter().map(|f| f.id).collect();
    flow_ids.sort();
    flow_ids.dedup();

    let keep = |page: u32| {
        query(&[
            ("namespace", non_empty(&p.namespace).unwrap_or_default().to_string()),
            ("flowId", non_empty(&p.flow_id).unwrap_or_default().to_string()),
            ("state", state.map(|s| s.as_str().to_string()).unwrap_or_default()),
            ("from", from.map(format::datetime_local).unwrap_or_default()),
            ("to", to.map(format::datetime_local).unwrap_or_default()),
            ("size", if size == 25 { String::new() } else { size.to_string() }),
            ("page", if page == 1 { String::new() } else { page.to_string() }),
        ])
    };
    let pages = found.total.div_ceil(u64::from(size)).max(1);
    let ctx = minijinja::context! {
        rows => render::ser(found.results.iter().map(row).collect::<Vec<_>>()),
        total => found.total,
        page,
        pages,
        prev_href => (page > 1).then(|| format!("/ui/executions{}", keep(page - 1))),
        next_href => (u64::from(page) < pages).then(|| format!("/ui/executions{}", keep(page + 1))),
        namespace => non_empty(&p.namespace).unwrap_or_default(),
        flow_id => non_empty(&p.flow_id).unwrap_or_default(),
        states => render::ser(
            RunState::ALL
                .iter()
                .map(|s| StateChoice { value: s.as_str(), selected: Some(*s) == state })
                .collect::<Vec<_>>(),
        ),
        from => from.map(format::datetime_local).unwrap_or_default(),
        to => to.map(format::datetime_local).unwrap_or_default(),
        size,
        namespaces,
        flow_ids,
        problems,
    };
    Ok(render::page("Executions", Nav::Executions, "executions.html", ctx)?)
}

/// One attempt of a task run, as the task run table shows it.
#[derive(Debug, Serialize)]
struct AttemptView {
    number: usize,
    state: &'static str,
    class: String,
    start: String,
    duration: String,
    exit_code: Option<i32>,
    reason: Option<String>,
    handle: Option<String>,
}

/// A metric of a task run.
#[derive(Debug, Serialize)]
struct MetricView {
    name: String,
    kind: &'static str,
    value: String,
    tags: String,
}

/// A task run, as the task run table shows it.
#[derive(Debug, Serialize)]
struct RunView {
    id: String,
    task_id: String,
    value: Option<String>,
    parent: Option<String>,
    state: &'static str,
    class: String,
    start: String,
    duration: String,
    attempts: Vec<AttemptView>,
    outputs: Option<String>,
    files: Vec<super::files::FileLink>,
    metrics: Vec<MetricView>,
}

fn metric_view(m: &StoredMetric) -> MetricView {
    let value = match m.metric.kind {
        MetricKind::Timer => format::duration(jiff::SignedDuration::from_secs_f64(m.metric.value.max(0.0))),
        MetricKind::Counter if m.metric.value.fract() == 0.0 && m.metric.value.abs() < 1e15 => {
            format!("{}", m.metric.value as i64)
        }
        MetricKind::Counter => m.metric.value.to_string(),
    };
    let tags = m
        .metric
        .tags
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    MetricView {
        name: m.metric.name.clone(),
        kind: m.metric.kind.as_str(),
        value,
        tags,
    }
}

fn json_block(map: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    (!map.is_empty()).then(|| serde_json::to_string_pretty(map).unwrap_or_default())
}

/// Renders the live part of an execution page: state, actions, Gantt chart, task runs.
async fn render_live(app: &AppState, execution: &Execution) -> Result<String, UiError> {
    let metrics = app.store.metrics(&execution.id).await?;
    let now = Timestamp::now();
    let state = execution.state.current;
    let gantt: Gantt = gantt::layout(execution, now);
    let runs: Vec<RunView> = execution
        .task_run_list
        .iter()
        .map(|run| RunView {
            id: run.id.clone(),
            task_id: run.task_id.clone(),
            value: run.value.clone(),
            parent: run
                .parent_task_run_id
                .as_deref()
                .and_then(|p| execution.task_run(p))
                .map(|p| p.task_id.clone()),
            state: run.state.current.as_str(),
            class: state_class(run.state.current),
            start: format::maybe_timestamp(run.state.start()),
            duration: format::elapsed(run.state.start(), run.state.end()),
            attempts: run
                .attempts
                .iter()
                .enumerate()
                .map(|(i, a)| AttemptView {
                    number: i + 1,
                    state: a.state.current.as_str(),
                    class: state_class(a.state.current),
                    start: format::maybe_timestamp(a.state.start()),
                    duration: format::elapsed(a.state.start(), a.state.end()),
                    exit_code: a.exit_code,
                    reason: a.reason.clone(),
                    handle: a.handle.clone(),
                })
                .collect(),
            outputs: json_block(&run.outputs),
            files: {
                let mut files = Vec::new();
                super::files::links(
                    &execution.id,
                    &serde_json::Value::Object(run.outputs.clone()),
                    &mut files,
                );
                files
            },
            metrics: metrics
                .iter()
                .filter(|m| m.task_run_id == run.id)
                .map(metric_view)
                .collect(),
        })
        .collect();
    let id = format::encode(&execution.id);
    let ctx = minijinja::context! {
        id => execution.id.clone(),
        state => state.as_str(),
        class => state_class(state),
        terminal => state.is_terminal(),
        start => format::maybe_timestamp(execution.state.start()),
        end => format::maybe_timestamp(execution.state.end()),
        duration => format::elapsed(execution.state.start(), execution.state.end()),
        gantt => Value::from_safe_string(render::render("gantt.html", &gantt)?),
        runs => render::ser(&runs),
        outputs => json_block(&execution.outputs),
        can_kill => !state.is_terminal(),
        can_resume => state == RunState::Paused,
        can_restart => matches!(state, RunState::Failed | RunState::Killed),
        can_replay => state.is_terminal(),
        kill_action => format!("/api/v1/executions/{id}/kill"),
        resume_action => format!("/api/v1/executions/{id}/resume"),
        restart_action => format!("/api/v1/executions/{id}/restart"),
        replay_action => format!("/api/v1/executions/{id}/replay"),
        state_action => format!("/api/v1/executions/{id}/state"),
        fragment_href => format!("/ui/executions/{id}/gantt"),
        follow_url => format!("/api/v1/executions/{id}/follow"),
    };
    Ok(render::render("live.html", ctx)?)
}

async fn load(app: &AppState, id: &str) -> Result<Execution, UiError> {
    app.store
        .get_execution(id)
        .await?
        .ok_or_else(|| UiError::NotFound(format!("Execution “{id}”")))
}

/// `GET /ui/executions/{id}`: state, Gantt chart, task runs, and a page of logs.
pub(crate) async fn show(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<LogParams>,
) -> Result<Html<String>, UiError> {
    let execution = load(&app, &id).await?;
    let live = render_live(&app, &execution).await?;
    let logs = logs::panel(app.store.as_ref(), &execution, &params).await?;
    let labels: Vec<String> = execution
        .labels
        .iter()
        .map(|l| format!("{}: {}", l.key, l.value))
        .collect();
    let ctx = minijinja::context! {
        id => execution.id.clone(),
        namespace => execution.namespace.clone(),
        flow_id => execution.flow_id.clone(),
        flow_href => format::flow_href(&execution.namespace, &execution.flow_id),
        revision => execution.flow_revision,
        attempt_number => execution.attempt_number,
        original => render::ser(execution.original_id.as_ref().map(|o| (o.clone(), format::execution_href(o)))),
        labels,
        inputs => json_block(&execution.inputs),
        live => Value::from_safe_string(live),
        logs => render::ser(&logs),
        log_api => format!("/api/v1/logs/{}", format::encode(&execution.id)),
        terminal => execution.state.current.is_terminal(),
    };
    let title = format!(
        "Execution {} · {}/{}",
        execution.id, execution.namespace, execution.flow_id
    );
    Ok(render::page(&title, Nav::Executions, "execution.html", ctx)?)
}

/// `GET /ui/executions/{id}/gantt`: the live part of the execution page alone, as an HTML fragment.
/// Not cached: the script fetches it again and again while the execution runs.
pub(crate) async fn live(State(app): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, UiError> {
    let execution = load(&app, &id).await?;
    let html = Html(render_live(&app, &execution).await?);
    Ok(([(header::CACHE_CONTROL, "no-store")], html))
}
