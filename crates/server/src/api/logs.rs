//! Logs of an execution: a page as JSON, or the whole log as a streamed text download.
//!
//! Lines are read from the store in bounded batches after a sequence number, so neither a page
//! nor a download of a million lines ever holds more than one batch in memory.

use super::error::{ApiError, ApiResult, chain};
use super::executions::find_execution;
use super::extract::Params;
use crate::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sluice_engine::Execution;
use sluice_store::{Level, LogQuery, Store, StoreError, StoredLog};
use std::fmt::Write as _;
use std::sync::Arc;

/// Lines of a page when `size` is not given.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

/// Most lines of one page.
pub const MAX_PAGE_SIZE: u32 = 10_000;

/// Lines read from the store at once.
const BATCH: u32 = 10_000;

/// Which lines to read: Kestra's `minLevel`, `taskId`, `taskRunId`, `attempt`, and where to start.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// Only lines at least this severe.
    pub min_level: Option<Level>,
    /// Only lines of this task.
    pub task_id: Option<String>,
    /// Only lines of this task run.
    pub task_run_id: Option<String>,
    /// Only lines of this attempt (1-based).
    pub attempt: Option<u32>,
    /// Only lines after this sequence number.
    pub after_seq: Option<u64>,
}

impl LogFilter {
    /// The filter of a request's parameters (`afterSeq` included).
    pub fn from_params(params: &Params) -> ApiResult<Self> {
        let min_level = params
            .raw("minLevel")
            .map(|name| {
                Level::parse(name).ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "`{name}` is not a log level; levels are TRACE, DEBUG, INFO, WARN, ERROR"
                    ))
                })
            })
            .transpose()?;
        Ok(LogFilter {
            min_level,
            task_id: params.get("taskId").map(str::to_string),
            task_run_id: params.get("taskRunId").map(str::to_string),
            attempt: params.parse("attempt", "an attempt number (1 for the first)")?,
            after_seq: params.parse("afterSeq", "a sequence number")?,
        })
    }

    /// Whether any filter besides the start is set.
    fn narrows(&self) -> bool {
        self.min_level.is_some() || self.task_id.is_some() || self.task_run_id.is_some() || self.attempt.is_some()
    }
}

/// One batch read by a [`LogReader`].
pub struct Batch {
    /// The matching lines.
    pub lines: Vec<StoredLog>,
    /// True when the store had no more lines after this batch (for now).
    pub exhausted: bool,
}

/// Reads the lines of one execution that match a filter, batch after batch.
pub struct LogReader {
    store: Arc<dyn Store>,
    query: LogQuery,
    task_run_id: Option<String>,
}

impl LogReader {
    /// A reader of `execution`'s lines; a `taskRunId` narrows the store query to its task.
    pub fn new(store: Arc<dyn Store>, execution: &Execution, filter: LogFilter) -> Self {
        let mut query = LogQuery::new(execution.id.clone(), BATCH);
        query.min_level = filter.min_level;
        query.attempt = filter.attempt;
        query.after_seq = filter.after_seq;
        query.task_id = filter.task_id;
        if let Some(run) = filter.task_run_id.as_deref().and_then(|id| execution.task_run(id)) {
            // The store filters by task id; the task run is checked line by line.
            if query.task_id.as_ref().is_none_or(|t| *t == run.task_id) {
                query.task_id = Some(run.task_id.clone());
            }
        }
        LogReader {
            store,
            query,
            task_run_id: filter.task_run_id,
        }
    }

    /// The next batch of at most `limit` store lines after the last one read.
    pub async fn next(&mut self, limit: u32) -> Result<Batch, StoreError> {
        self.query.limit = limit.clamp(1, BATCH);
        let lines = self.store.logs(&self.query).await?;
        let exhausted = lines.len() < self.query.limit as usize;
        if let Some(last) = lines.last() {
            self.query.after_seq = Some(last.seq);
        }
        let lines = match &self.task_run_id {
            Some(id) => lines
                .into_iter()
                .filter(|l| l.task_run_id.as_deref() == Some(id))
                .collect(),
            None => lines,
        };
        Ok(Batch { lines, exhausted })
    }
}

/// A line in Kestra's LogEntry shape, plus its `seq`.
pub fn entry_json(execution: &Execution, line: &StoredLog) -> Value {
    json!({
        "namespace": execution.namespace,
        "flowId": execution.flow_id,
        "executionId": line.execution_id,
        "taskId": line.task_id,
        "taskRunId": line.task_run_id,
        "attemptNumber": line.attempt,
        "timestamp": line.at,
        "level": line.level,
        "message": line.message,
        "seq": line.seq,
    })
}

/// `GET /api/v1/logs/{executionId}`: a JSON array of at most `size` lines (default 1000, at most
/// 10000) after `afterSeq`, or the `page`-th page of matching lines.
pub async fn list(
    State(state): State<AppState>,
    super::extract::ApiPath(id): super::extract::ApiPath<String>,
    params: Params,
) -> ApiResult<Json<Vec<Value>>> {
    let execution = find_execution(&state, &id).await?;
    let mut filter = LogFilter::from_params(&params)?;
    let size = params.number("size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)?;
    let page = params.number("page", 1, 1, u32::MAX)?;
    let mut skip = u64::from(page - 1) * u64::from(size);
    if skip > 0 && filter.after_seq.is_none() && !filter.narrows() {
        // Unfiltered lines are numbered 1, 2, 3… without gaps: jump straight to the page.
        filter.after_seq = Some(skip);
        skip = 0;
    }
    let mut reader = LogReader::new(state.store.clone(), &execution, filter);
    let mut out = Vec::with_capacity(size as usize);
    loop {
        let batch = reader
            .next(BATCH.min(size.saturating_add(u32::try_from(skip).unwrap_or(BATCH))))
            .await?;
        for line in batch.lines {
            if skip > 0 {
                skip -= 1;
            } else if out.len() < size as usize {
                out.push(entry_json(&execution, &line));
            }
        }
        if batch.exhausted || out.len() >= size as usize {
            break;
        }
    }
    Ok(Json(out))
}

/// One line of a downloaded log: `timestamp LEVEL [taskId] message`.
fn text_line(out: &mut String, line: &StoredLog) {
    let _ = write!(out, "{} {:<5} ", line.at, line.level.as_str());
    if let Some(task) = &line.task_id {
        let _ = write!(out, "[{task}] ");
    }
    out.push_str(&line.message);
    out.push('\n');
}

/// `GET /api/v1/logs/{executionId}/download`: the log as text, streamed batch by batch.
pub async fn download(
    State(state): State<AppState>,
    super::extract::ApiPath(id): super::extract::ApiPath<String>,
    params: Params,
) -> ApiResult<Response> {
    let execution = find_execution(&state, &id).await?;
    let filter = LogFilter::from_params(&params)?;
    let reader = LogReader::new(state.store.clone(), &execution, filter);
    let stream = futures_util::stream::unfold(Some(reader), |reader| async move {
        let mut reader = reader?;
        loop {
            match reader.next(BATCH).await {
                Ok(batch) => {
                    let mut text = String::new();
                    for line in &batch.lines {
                        text_line(&mut text, line);
                    }
                    let next = if batch.exhausted { None } else { Some(reader) };
                    if !text.is_empty() || next.is_none() {
                        return Some((Ok::<_, std::io::Error>(Bytes::from(text)), next));
                    }
                    reader = next?;
                }
                Err(e) => {
                    tracing::error!(error = %chain(&e), "log download failed");
                    return Some((Err(std::io::Error::other("the log could not be read")), None));
                }
            }
        }
    });
    let disposition = format!("attachment; filename=\"{id}.log\"");
    Ok((
        [
            (CONTENT_TYPE, "text/plain; charset=utf-8".to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
