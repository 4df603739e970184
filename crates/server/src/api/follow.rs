//! Server-Sent Events: an execution as it changes, and its log lines as they come.
//!
//! Both poll the store (every [`POLL`]) rather than listen to the executor, so they work the same
//! whichever process runs the execution. The log stream numbers each event with the line's `seq`,
//! so a client that reconnects with `Last-Event-ID` resumes without a gap or a duplicate.

use super::error::{ApiResult, INTERNAL_MESSAGE, chain};
use super::executions::find_execution;
use super::extract::{ApiPath, Params};
use super::logs::{LogFilter, LogReader, entry_json};
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde_json::json;
use sluice_engine::Execution;
use sluice_store::StoredLog;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

/// How often the store is asked for changes.
pub const POLL: Duration = Duration::from_millis(250);

/// Log lines read from the store at once while following.
const BATCH: u32 = 1000;

/// The event sent when the store fails mid-stream; the stream ends after it.
fn error_event() -> Event {
    Event::default()
        .event("error")
        .data(json!({ "message": INTERNAL_MESSAGE }).to_string())
}

/// `GET /api/v1/executions/{executionId}/follow`: an `execution` event with the execution's JSON
/// each time it changes, ending after a terminal state.
pub async fn execution(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    find_execution(&state, &id).await?;
    let start = (state, id, None::<String>, false);
    let stream = futures_util::stream::unfold(start, |(state, id, last, done)| async move {
        if done {
            return None;
        }
        loop {
            let execution = match state.store.get_execution(&id).await {
                Ok(Some(execution)) => execution,
                Ok(None) => return None,
                Err(e) => {
                    tracing::error!(error = %chain(&e), "following an execution failed");
                    return Some((Ok(error_event()), (state, id, last, true)));
                }
            };
            let text = serde_json::to_string(&execution).unwrap_or_default();
            if last.as_deref() != Some(text.as_str()) {
                let done = execution.state.current.is_terminal();
                let event = Event::default().event("execution").data(text.clone());
                return Some((Ok(event), (state, id, Some(text), done)));
            }
            if execution.state.current.is_terminal() {
                return None;
            }
            tokio::time::sleep(POLL).await;
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// Where a log stream is.
struct LogFollow {
    state: AppState,
    execution: Execution,
    reader: LogReader,
    buffer: VecDeque<StoredLog>,
    finished: bool,
}

/// `GET /api/v1/logs/{executionId}/follow`: every line as a `log` event (id = `seq`), from
/// `Last-Event-ID` or `afterSeq` on, with `minLevel`, `taskId`, `taskRunId`, `attempt`; ends once
/// the execution has ended and every line is sent.
pub async fn logs(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    params: Params,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let execution = find_execution(&state, &id).await?;
    let mut filter = LogFilter::from_params(&params)?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if resume.is_some() {
        filter.after_seq = resume;
    }
    let reader = LogReader::new(state.store.clone(), &execution, filter);
    let start = LogFollow {
        state,
        execution,
        reader,
        buffer: VecDeque::new(),
        finished: false,
    };
    let stream = futures_util::stream::unfold(start, |mut f| async move {
        loop {
            if let Some(line) = f.buffer.pop_front() {
                let event = Event::default()
                    .event("log")
                    .id(line.seq.to_string())
                    .data(entry_json(&f.execution, &line).to_string());
                return Some((Ok(event), f));
            }
            if f.finished {
                return None;
            }
            // The state is read before the lines: once it is terminal, every line is stored.
            let terminal = match f.state.store.get_execution(&f.execution.id).await {
                Ok(Some(execution)) => execution.state.current.is_terminal(),
                Ok(None) => true,
                Err(e) => {
                    tracing::error!(error = %chain(&e), "following logs failed");
                    f.finished = true;
                    return Some((Ok(error_event()), f));
                }
            };
            match f.reader.next(BATCH).await {
                Ok(batch) => {
                    f.buffer.extend(batch.lines);
                    if batch.exhausted && f.buffer.is_empty() {
                        if terminal {
                            f.finished = true;
                        } else {
                            tokio::time::sleep(POLL).await;
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(error = %chain(&e), "following logs failed");
                    f.finished = true;
                    return Some((Ok(error_event()), f));
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
