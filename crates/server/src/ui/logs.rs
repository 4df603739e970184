//! The logs panel of an execution page: one page of lines (never more) read from the store, the
//! filters, and the links that page through the rest without JavaScript.
//!
//! With JavaScript, the script follows new lines live from the last line shown, pages through the
//! API instead of reloading, and keeps at most a few thousand lines in the page.

use super::format::{self, non_empty, query};
use serde::{Deserialize, Serialize};
use sluice_engine::Execution;
use sluice_store::{Level, LogQuery, Store, StoreError};

/// Lines read for one page.
pub(crate) const PAGE: u32 = 1000;

/// When more than this many lines follow the page shown, the script does not follow live from
/// there (it would stream them all): the page offers "later lines" and "last lines" instead.
const CATCH_UP: u64 = 20_000;

/// Query parameters of the logs panel.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct LogParams {
    /// Lowest level shown.
    level: Option<String>,
    /// Only lines of this task.
    task: Option<String>,
    /// Only lines of this attempt.
    attempt: Option<String>,
    /// Show lines after this sequence number.
    #[serde(rename = "afterSeq")]
    after_seq: Option<String>,
    /// Show the last page.
    tail: Option<String>,
}

/// One line as the page shows it.
#[derive(Debug, Serialize)]
struct LineView {
    seq: u64,
    time: String,
    iso: String,
    level: &'static str,
    task: String,
    attempt: String,
    message: String,
}

/// An option of a filter select.
#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    selected: bool,
}

/// Everything the logs panel shows.
#[derive(Debug, Serialize)]
pub(crate) struct LogPanel {
    lines: Vec<LineView>,
    /// Lines stored for the execution, unfiltered.
    count: u64,
    /// Sequence numbers of the first and last line shown (`first > last` when none is shown).
    first: u64,
    last: u64,
    /// Whether no line matching the filters followed the page when it was read.
    at_end: bool,
    /// Whether the script should follow new lines from `last`.
    follow: bool,
    levels: Vec<Choice>,
    tasks: Vec<Choice>,
    attempts: Vec<Choice>,
    /// Current filters, as the API names them (for the script).
    min_level: String,
    task_id: String,
    attempt: String,
    earlier_href: Option<String>,
    later_href: Option<String>,
    first_href: String,
    tail_href: String,
    download_href: String,
}

fn choices(values: impl IntoIterator<Item = String>, selected: &str) -> Vec<Choice> {
    values
        .into_iter()
        .map(|value| Choice {
            selected: value == selected,
            value,
        })
        .collect()
}

/// Reads one page of lines of `execution` as `params` ask, and the links around it.
pub(crate) async fn panel(
    store: &dyn Store,
    execution: &Execution,
    params: &LogParams,
) -> Result<LogPanel, StoreError> {
    let min_level = non_empty(&params.level).and_then(Level::parse);
    let task_id = non_empty(&params.task).map(str::to_string);
    let attempt = non_empty(&params.attempt).and_then(|a| a.parse::<u32>().ok());
    let count = store.log_count(&execution.id).await?;
    let after = if non_empty(&params.tail).is_some() {
        count.saturating_sub(u64::from(PAGE))
    } else {
        non_empty(&params.after_seq)
            .and_then(|a| a.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let stored = store
        .logs(&LogQuery {
            execution_id: execution.id.clone(),
            min_level,
            task_id: task_id.clone(),
            attempt,
            after_seq: Some(after),
            limit: PAGE,
        })
        .await?;
    let first = stored.first().map_or(after + 1, |l| l.seq);
    let last = stored.last().map_or(after, |l| l.seq);
    let at_end = stored.len() < PAGE as usize || last >= count;
    let follow = !execution.state.current.is_terminal() && (at_end || count.saturating_sub(last) <= CATCH_UP);

    let level_name = min_level.map(|l| l.as_str().to_string()).unwrap_or_default();
    let task_name = task_id.clone().unwrap_or_default();
    let attempt_name = attempt.map(|a| a.to_string()).unwrap_or_default();
    let filters = [
        ("level", level_name.clone()),
        ("task", task_name.clone()),
        ("attempt", attempt_name.clone()),
    ];
    let href = |extra: Option<(&'static str, String)>| {
        let mut pairs = filters.to_vec();
        pairs.extend(extra);
        format!("{}{}#logs", format::execution_href(&execution.id), query(&pairs))
    };
    let earlier_href = (first > 1).then(|| {
        let before = first.saturating_sub(u64::from(PAGE) + 1);
        href((before > 0).then(|| ("afterSeq", before.to_string())))
    });
    let later_href = (!at_end).then(|| href(Some(("afterSeq", last.to_string()))));

    let mut task_ids: Vec<String> = Vec::new();
    for run in &execution.task_run_list {
        if !task_ids.contains(&run.task_id) {
            task_ids.push(run.task_id.clone());
        }
    }
    let max_attempt = execution
        .task_run_list
        .iter()
        .map(|r| r.attempts.len())
        .max()
        .unwrap_or(0);

    let lines = stored
        .into_iter()
        .map(|l| LineView {
            seq: l.seq,
            time: format::time_of_day(l.at),
            iso: format::iso(l.at),
            level: l.level.as_str(),
            task: l.task_id.unwrap_or_default(),
            attempt: l.attempt.map(|a| a.to_string()).unwrap_or_default(),
            message: l.message,
        })
        .collect();
    Ok(LogPanel {
        lines,
        count,
        first,
        last,
        at_end,
        follow,
        levels: choices(Level::ALL.iter().map(|l| l.as_str().to_string()), &level_name),
        tasks: choices(task_ids, &task_name),
        attempts: choices((1..=max_attempt).map(|a| a.to_string()), &attempt_name),
        earlier_href,
        later_href,
        first_href: href(None),
        tail_href: href(Some(("tail", "1".to_string()))),
        download_href: format!(
            "/api/v1/logs/{}/download{}",
            format::encode(&execution.id),
            query(&[
                ("minLevel", level_name.clone()),
                ("taskId", task_name.clone()),
                ("attempt", attempt_name.clone()),
            ])
        ),
        min_level: level_name,
        task_id: task_name,
        attempt: attempt_name,
    })
}
