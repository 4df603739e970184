//! The Gantt chart of an execution: one row per task run, nested under its parent task run, with
//! one bar segment per attempt coloured by the attempt's state.
//!
//! This module only computes geometry; `gantt.html` draws it as inline SVG.

use super::format::{self, state_class};
use jiff::Timestamp;
use serde::Serialize;
use sluice_engine::{Execution, StateInfo, TaskRun};
use std::collections::HashMap;

const WIDTH: f64 = 1000.0;
/// Width of the task names column.
const LABEL_W: f64 = 230.0;
/// Where the time axis starts and ends.
const CHART_X: f64 = 240.0;
const CHART_END: f64 = 920.0;
const ROW_H: f64 = 26.0;
const BAR_H: f64 = 14.0;
/// Room above the rows for the time axis.
const AXIS_H: f64 = 24.0;
const INDENT: f64 = 14.0;
const TICKS: usize = 5;

/// One bar: an attempt, or the span of a task run without attempts (a flowable task).
#[derive(Debug, Serialize)]
pub(crate) struct Segment {
    x: f64,
    w: f64,
    /// CSS class suffix of the state.
    state: String,
    /// `attempt` or `span`.
    kind: &'static str,
    /// Tooltip: what, state, times, duration.
    title: String,
}

/// One row: a task run.
#[derive(Debug, Serialize)]
pub(crate) struct Row {
    y: f64,
    /// Where the bar's vertical middle is.
    mid: f64,
    label_x: f64,
    /// The task id (and value), shortened to fit the names column.
    label: String,
    /// The whole label, for the tooltip.
    full_label: String,
    task_run_id: String,
    /// The page of the execution this task run started (Subflow), if any.
    child_href: Option<String>,
    state: String,
    /// A thin line over the task run's whole span (retry delays included), behind the attempts.
    run_x: f64,
    run_w: f64,
    segments: Vec<Segment>,
    /// Duration text right of the bars.
    duration: String,
    stripe: bool,
}

/// A tick of the time axis.
#[derive(Debug, Serialize)]
pub(crate) struct Tick {
    x: f64,
    label: String,
}

/// The whole chart.
#[derive(Debug, Serialize)]
pub(crate) struct Gantt {
    width: f64,
    height: f64,
    label_w: f64,
    chart_x: f64,
    duration_x: f64,
    bar_h: f64,
    row_h: f64,
    axis_y: f64,
    rows: Vec<Row>,
    ticks: Vec<Tick>,
}

/// Task runs in tree order: each parent followed by its children, with their depth.
fn tree_order(execution: &Execution) -> Vec<(&TaskRun, usize)> {
    let ids: HashMap<&str, ()> = execution.task_run_list.iter().map(|t| (t.id.as_str(), ())).collect();
    let mut children: HashMap<Option<&str>, Vec<&TaskRun>> = HashMap::new();
    for run in &execution.task_run_list {
        // A parent that is not in the list (should not happen) makes the run a root.
        let parent = run.parent_task_run_id.as_deref().filter(|p| ids.contains_key(p));
        children.entry(parent).or_default().push(run);
    }
    let mut out = Vec::with_capacity(execution.task_run_list.len());
    let mut stack: Vec<(&TaskRun, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|r| (*r, 0)).collect())
        .unwrap_or_default();
    while let Some((run, depth)) = stack.pop() {
        out.push((run, depth));
        if out.len() > execution.task_run_list.len() {
            break; // a cycle of parents: stop rather than loop
        }
        if let Some(kids) = children.get(&Some(run.id.as_str())) {
            stack.extend(grouped_by_value(kids).into_iter().rev().map(|k| (k, depth + 1)));
        }
    }
    out
}

/// A loop's children with the task runs of each value together, values in the order they
/// started (ForEach with `concurrencyLimit` above 1 starts them interleaved).
fn grouped_by_value<'a>(kids: &[&'a TaskRun]) -> Vec<&'a TaskRun> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, kid) in kids.iter().enumerate() {
        if let Some(value) = kid.value.as_deref() {
            first.entry(value).or_insert(i);
        }
    }
    let mut ordered: Vec<(usize, usize, &TaskRun)> = kids
        .iter()
        .enumerate()
        .map(|(i, kid)| {
            (
                kid.value.as_deref().and_then(|v| first.get(v)).copied().unwrap_or(i),
                i,
                *kid,
            )
        })
        .collect();
    ordered.sort_by_key(|(group, i, _)| (*group, *i));
    ordered.into_iter().map(|(_, _, kid)| kid).collect()
}

/// Start and end of a state history; an unfinished one ends at `now`.
fn span(state: &StateInfo, now: Timestamp) -> Option<(Timestamp, Timestamp)> {
    let start = state.start()?;
    Some((start, state.end().unwrap_or(now).max(start)))
}

fn describe(what: &str, state: &StateInfo, (start, end): (Timestamp, Timestamp)) -> String {
    let until = if state.current.is_terminal() {
        format::time_of_day(end)
    } else {
        "now".to_string()
    };
    format!(
        "{what}: {} — {} → {} UTC ({})",
        state.current,
        format::time_of_day(start),
        until,
        format::duration(end.duration_since(start))
    )
}

/// Lays out the chart of an execution, as of `now` for what is still running.
pub(crate) fn layout(execution: &Execution, now: Timestamp) -> Gantt {
    let runs = tree_order(execution);
    let mut t0 = execution.state.start().unwrap_or(now);
    let mut t1 = execution.state.end().unwrap_or(now);
    for (run, _) in &runs {
        for h in run
            .state
            .histories
            .iter()
            .chain(run.attempts.iter().flat_map(|a| &a.state.histories))
        {
            t0 = t0.min(h.date);
            t1 = t1.max(h.date);
        }
    }
    let total = t1.duration_since(t0).as_secs_f64().max(0.001);
    let scale = (CHART_END - CHART_X) / total;
    let x_of = |t: Timestamp| CHART_X + t.duration_since(t0).as_secs_f64().max(0.0) * scale;
    let bar = |(start, end): (Timestamp, Timestamp)| {
        let x = x_of(start);
        (round(x), round((x_of(end) - x).max(2.0)))
    };

    let mut rows = Vec::with_capacity(runs.len());
    for (i, (run, depth)) in runs.iter().enumerate() {
        let y = AXIS_H + i as f64 * ROW_H;
        let run_span = span(&run.state, now);
        let mut label = run.task_id.clone();
        if let Some(value) = &run.value {
            label.push_str(&format!(" [{value}]"));
        }
        let mut segments = Vec::new();
        for (n, attempt) in run.attempts.iter().enumerate() {
            // An attempt still open in a task run that has ended ends with it.
            let end_now = if run.state.current.is_terminal() {
                run.state.end().unwrap_or(now)
            } else {
                now
            };
            if let Some(s) = span(&attempt.state, end_now) {
                let (x, w) = bar(s);
                let mut title = describe(&format!("{label}, attempt {}", n + 1), &attempt.state, s);
                if let Some(reason) = &attempt.reason {
                    title.push_str(&format!(" — {reason}"));
                }
                segments.push(Segment {
                    x,
                    w,
                    state: state_class(attempt.state.current),
                    kind: "attempt",
                    title,
                });
            }
        }
        if segments.is_empty()
            && let Some(s) = run_span
        {
            let (x, w) = bar(s);
            segments.push(Segment {
                x,
                w,
                state: state_class(run.state.current),
                kind: "span",
                title: describe(&label, &run.state, s),
            });
        }
        let (run_x, run_w) = run_span.map(bar).unwrap_or((CHART_X, 0.0));
        let duration = run_span
            .map(|(s, e)| format::duration(e.duration_since(s)))
            .unwrap_or_default();
        let label_x = (8.0 + *depth as f64 * INDENT).min(LABEL_W / 2.0);
        rows.push(Row {
            y,
            mid: y + ROW_H / 2.0,
            label_x,
            label: fit(&label, LABEL_W - label_x),
            full_label: label,
            task_run_id: run.id.clone(),
            child_href: run
                .outputs
                .get("executionId")
                .and_then(|v| v.as_str())
                .map(super::format::execution_href),
            state: state_class(run.state.current),
            run_x,
            run_w,
            segments,
            duration,
            stripe: i % 2 == 1,
        });
    }

    let ticks = (0..=TICKS)
        .map(|i| {
            let fraction = i as f64 / TICKS as f64;
            let offset = jiff::SignedDuration::from_secs_f64(total * fraction);
            Tick {
                x: round(CHART_X + (CHART_END - CHART_X) * fraction),
                label: if i == 0 {
                    "0".to_string()
                } else {
                    format!("+{}", format::duration(offset))
                },
            }
        })
        .collect();
    Gantt {
        width: WIDTH,
        height: AXIS_H + rows.len().max(1) as f64 * ROW_H + 4.0,
        label_w: LABEL_W,
        chart_x: CHART_X,
        duration_x: CHART_END + 8.0,
        bar_h: BAR_H,
        row_h: ROW_H,
        axis_y: AXIS_H - 8.0,
        rows,
        ticks,
    }
}

/// Shortens a label to fit `width` (at about 7 units a character), with an ellipsis.
fn fit(text: &str, width: f64) -> String {
    let max = (width / 7.0).floor().max(4.0) as usize;
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
