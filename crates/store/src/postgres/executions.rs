//! [`ExecutionStore`] on PostgreSQL: the execution document (`json`) with indexed columns, and the
//! step commit that writes it with its jobs, timers and acks in one transaction.

use super::codec::{get, nanos, nanos_saturating, timestamp, to_i64, to_u64};
use super::concurrency::release_slot;
use super::events::{delete_events, insert_event};
use super::queue::{cancel_jobs, insert_job};
use super::timers::{cancel_timers, insert_timer};
use super::{PostgresStore, db};
use crate::{ExecutionFilter, ExecutionStore, ExecutionSummary, Page, Result, StepCommit, StoreError};
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::{Event, Execution, State};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder};

/// The indexed columns and document of an execution, ready to bind.
struct Columns {
    state: &'static str,
    start: Option<i64>,
    end: Option<i64>,
    now: i64,
    document: String,
}

impl Columns {
    fn of(execution: &Execution) -> Result<Columns> {
        Ok(Columns {
            state: execution.state.current.as_str(),
            start: execution.state.start().map(nanos).transpose()?,
            end: execution.state.end().map(nanos).transpose()?,
            now: nanos(Timestamp::now())?,
            document: crate::task_runs::head_json(execution)?,
        })
    }
}

/// Stores a new execution and its first event inside a transaction; returns the event id.
pub(super) async fn insert_new(
    conn: &mut PgConnection,
    execution: &Execution,
    event: &Event,
    at: Timestamp,
) -> Result<i64> {
    save(conn, execution, false).await?;
    insert_event(conn, &execution.id, event, at).await
}

crate::task_runs::task_run_rows!(PgConnection);

/// Inserts an execution, or replaces the stored one with the same id (`upsert`), inside a
/// transaction. Without `upsert`, an execution with the same id is [`StoreError::AlreadyExists`].
async fn save(conn: &mut PgConnection, execution: &Execution, upsert: bool) -> Result<()> {
    const ACTION: &str = "saving an execution";
    let columns = Columns::of(execution)?;
    let sql = if upsert {
        "INSERT INTO executions (id, namespace, flow_id, state, start_at, end_at, created, updated, document)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8::json)
         ON CONFLICT (id) DO UPDATE SET namespace = excluded.namespace, flow_id = excluded.flow_id,
             state = excluded.state, start_at = excluded.start_at, end_at = excluded.end_at,
             updated = excluded.updated, document = excluded.document, revision = executions.revision + 1"
    } else {
        "INSERT INTO executions (id, namespace, flow_id, state, start_at, end_at, created, updated, document)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8::json)"
    };
    sqlx::query(sql)
        .bind(&execution.id)
        .bind(&execution.namespace)
        .bind(&execution.flow_id)
        .bind(columns.state)
        .bind(columns.start)
        .bind(columns.end)
        .bind(columns.now)
        .bind(columns.document)
        .execute(&mut *conn)
        .await
        .map_err(|source| match &source {
            sqlx::Error::Database(e) if e.is_unique_violation() => StoreError::AlreadyExists {
                what: "execution",
                id: execution.id.clone(),
            },
            _ => StoreError::Database { action: ACTION, source },
        })?;
    write_task_runs(conn, execution, None).await
}

/// Replaces a stored execution that is still at revision `expected`, moving it to the next
/// revision and ending any executor's hold, inside a transaction; [`StoreError::Conflict`] when
/// it is at another revision (a concurrent commit waits for this row's lock, then finds the
/// revision moved on).
async fn replace_at(
    conn: &mut PgConnection,
    execution: &Execution,
    expected: u64,
    previous: Option<&Execution>,
) -> Result<()> {
    const ACTION: &str = "saving an execution";
    let columns = Columns::of(execution)?;
    let updated = sqlx::query(
        "UPDATE executions SET namespace = $2, flow_id = $3, state = $4, start_at = $5, end_at = $6,
             updated = $7, document = $8::json, revision = revision + 1, executor = NULL, executor_until = NULL
         WHERE id = $1 AND revision = $9",
    )
    .bind(&execution.id)
    .bind(&execution.namespace)
    .bind(&execution.flow_id)
    .bind(columns.state)
    .bind(columns.start)
    .bind(columns.end)
    .bind(columns.now)
    .bind(columns.document)
    .bind(to_i64(expected))
    .execute(&mut *conn)
    .await
    .map_err(db(ACTION))?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::Conflict {
            id: execution.id.clone(),
            expected,
        });
    }
    write_task_runs(conn, execution, previous).await
}

/// Adds the `WHERE` clause of a filter to a query.
fn push_filter(query: &mut QueryBuilder<Postgres>, filter: &ExecutionFilter) {
    query.push(" WHERE true");
    if let Some(namespace) = &filter.namespace {
        query.push(" AND namespace = ").push_bind(namespace.clone());
    }
    if let Some(flow_id) = &filter.flow_id {
        query.push(" AND flow_id = ").push_bind(flow_id.clone());
    }
    if let Some(states) = &filter.state {
        // `= ANY` of an empty array matches nothing, as an empty list of states should.
        let states: Vec<&'static str> = states.iter().map(|s| s.as_str()).collect();
        query.push(" AND state = ANY(").push_bind(states).push(")");
    }
    if let Some(from) = filter.from {
        query.push(" AND start_at >= ").push_bind(nanos_saturating(from));
    }
    if let Some(to) = filter.to {
        query.push(" AND start_at < ").push_bind(nanos_saturating(to));
    }
}

/// Reads a row of `id, namespace, flow_id, state, start_at, end_at`.
fn summary(row: &PgRow) -> Result<ExecutionSummary> {
    let id: String = get(row, 0, "execution")?;
    let what = format!("execution {id}");
    let state: String = get(row, 3, &what)?;
    let state = State::parse(&state)
        .ok_or_else(|| StoreError::corrupt_value(what.clone(), format!("unknown state {state:?}")))?;
    let start: Option<i64> = get(row, 4, &what)?;
    let end: Option<i64> = get(row, 5, &what)?;
    let start = start.map(|n| timestamp(n, &what)).transpose()?;
    let end = end.map(|n| timestamp(n, &what)).transpose()?;
    Ok(ExecutionSummary {
        namespace: get(row, 1, &what)?,
        flow_id: get(row, 2, &what)?,
        state,
        duration: start.zip(end).map(|(start, end)| end.duration_since(start)),
        start,
        end,
        id,
    })
}

#[async_trait]
impl ExecutionStore for PostgresStore {
    async fn create_execution(&self, execution: &Execution, initial_event: &Event, at: Timestamp) -> Result<i64> {
        const ACTION: &str = "creating an execution";
        let mut tx = self.write(ACTION).await?;
        let event = insert_new(&mut tx, execution, initial_event, at).await?;
        tx.commit().await.map_err(db(ACTION))?;
        Ok(event)
    }

    async fn get_execution(&self, id: &str) -> Result<Option<Execution>> {
        const ACTION: &str = "reading an execution";
        let mut tx = self.pool.begin().await.map_err(db(ACTION))?;
        // One snapshot for the document and its task runs.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(db(ACTION))?;
        let document: Option<String> = sqlx::query_scalar("SELECT document::text FROM executions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::ColumnDecode { .. } => StoreError::corrupt(format!("execution {id}"), e),
                e => StoreError::Database {
                    action: ACTION,
                    source: e,
                },
            })?;
        let Some(document) = document else { return Ok(None) };
        let runs = read_task_runs(&mut *tx, id).await?;
        tx.rollback().await.map_err(db(ACTION))?;
        crate::task_runs::assemble(id, &document, &runs).map(Some)
    }

    async fn list_executions(&self, filter: &ExecutionFilter) -> Result<Page<ExecutionSummary>> {
        const ACTION: &str = "listing executions";
        // One snapshot for the page and the total.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(db(ACTION))?;

        let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM executions");
        push_filter(&mut count, filter);
        let total: i64 = count
            .build_query_scalar()
            .fetch_one(&mut *tx)
            .await
            .map_err(db(ACTION))?;

        let mut page =
            QueryBuilder::<Postgres>::new("SELECT id, namespace, flow_id, state, start_at, end_at FROM executions");
        push_filter(&mut page, filter);
        let offset = u64::from(filter.page.max(1) - 1) * u64::from(filter.size);
        // NULLS LAST: SQLite puts executions without a start after all others, newest first.
        page.push(" ORDER BY start_at DESC NULLS LAST, seq DESC LIMIT ")
            .push_bind(i64::from(filter.size))
            .push(" OFFSET ")
            .push_bind(i64::try_from(offset).unwrap_or(i64::MAX));
        let rows = page.build().fetch_all(&mut *tx).await.map_err(db(ACTION))?;
        tx.rollback().await.map_err(db(ACTION))?;

        Ok(Page {
            results: rows.iter().map(summary).collect::<Result<_>>()?,
            total: to_u64(total, "execution count")?,
        })
    }

    async fn commit(&self, commit: &StepCommit<'_>) -> Result<()> {
        const ACTION: &str = "committing a step";
        let execution = commit.execution;
        let mut tx = self.write(ACTION).await?;
        match commit.revision {
            Some(expected) => replace_at(&mut tx, execution, expected, commit.previous).await?,
            None => save(&mut tx, execution, true).await?,
        }
        delete_events(&mut tx, &commit.acked_events).await?;
        cancel_jobs(&mut tx, &execution.id, &commit.cancel_jobs_for).await?;
        cancel_timers(&mut tx, &execution.id, &commit.cancel_jobs_for).await?;
        for job in &commit.enqueue {
            insert_job(&mut tx, job).await?;
        }
        for timer in &commit.timers {
            insert_timer(&mut tx, timer).await?;
        }
        if commit.release_slot {
            let at = execution.state.histories.last().map_or_else(Timestamp::now, |h| h.date);
            release_slot(&mut tx, &execution.id, &execution.namespace, &execution.flow_id, at).await?;
        }
        for started in &commit.starts {
            let at = started.state.start().unwrap_or_else(Timestamp::now);
            insert_new(&mut tx, started, &Event::Start, at).await?;
        }
        tx.commit().await.map_err(db(ACTION))
    }
}
