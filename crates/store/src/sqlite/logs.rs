//! [`LogStore`] on SQLite, the hot path of the store.
//!
//! Each execution has a row in `log_streams` holding a small integer key and the last sequence
//! number handed out. An append reserves a range of numbers with one upsert per execution inside
//! the write transaction (so appends from other processes interleave correctly), then inserts the
//! lines with multi-row `INSERT`s of a few fixed sizes whose prepared statements stay cached.
//! Strings repeated line after line (task run, task) are bound by reference, not copied.

use super::codec::{get, nanos, timestamp, to_i64, to_u32, to_u64};
use super::{SqliteStore, db};
use crate::{Level, LogLine, LogQuery, LogStore, Result, StoreError, StoredLog};
use async_trait::async_trait;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, AssertSqlSafe, Encode, SqlSafeStr, SqlStr, Sqlite, SqliteConnection, Type};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Rows per `INSERT`, largest first; a run of lines is cut greedily into pieces of these sizes,
/// so only this many distinct statements are ever prepared.
const CHUNK_ROWS: [usize; 5] = [4096, 512, 64, 8, 1];

/// Parameters bound per row (time, level, message); the stream, first sequence number, task run,
/// task and attempt are bound once per statement. Every parameter is an anonymous `?`: numbered
/// ones (`?1`) make SQLite look each parameter's name up in a list, which costs time quadratic in
/// the row count. 4096 × 3 stays below SQLite's limit of 32766 parameters.
const PARAMS_PER_ROW: usize = 3;

/// The `INSERT` text for each size of [`CHUNK_ROWS`], built once.
fn insert_sql(size_index: usize) -> SqlStr {
    static SQL: OnceLock<Vec<SqlStr>> = OnceLock::new();
    let all = SQL.get_or_init(|| {
        CHUNK_ROWS
            .iter()
            .map(|&rows| {
                let mut sql = String::from(
                    "INSERT INTO logs (stream, seq, task_run_id, task_id, attempt, at, level, message) \
                     SELECT ?, ? + v.column1, ?, ?, ?, v.column2, v.column3, v.column4 FROM (VALUES ",
                );
                for i in 0..rows {
                    if i > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!("({i},?,?,?)"));
                }
                sql.push_str(") AS v");
                // Only placeholders and row numbers are in this text, never data.
                AssertSqlSafe(Arc::<str>::from(sql)).into_sql_str()
            })
            .collect()
    });
    all[size_index].clone()
}

/// Adds one bound value.
fn add<'q, T: Encode<'q, Sqlite> + Type<Sqlite>>(args: &mut SqliteArguments, value: T) -> Result<()> {
    args.add(value)
        .map_err(|e| StoreError::Database { action: "appending logs", source: sqlx::Error::Encode(e) })
}

/// Whether two lines come from the same attempt of the same task run (or both from the execution).
fn same_source(a: &LogLine, b: &LogLine) -> bool {
    a.task_run_id == b.task_run_id && a.task_id == b.task_id && a.attempt == b.attempt
}

/// Inserts the lines of one execution, numbered from `first_seq`, inside a write transaction.
async fn insert_lines(conn: &mut SqliteConnection, stream: i64, first_seq: i64, lines: &[&LogLine]) -> Result<()> {
    let mut seq = first_seq;
    for run in lines.chunk_by(|a, b| same_source(a, b)) {
        let source = run[0];
        let task_run_id = source.task_run_id.as_deref().map(Arc::<str>::from);
        let task_id = source.task_id.as_deref().map(Arc::<str>::from);
        let mut rest = run;
        while !rest.is_empty() {
            let Some(size_index) = CHUNK_ROWS.iter().position(|&rows| rows <= rest.len()) else {
                break;
            };
            let (chunk, tail) = rest.split_at(CHUNK_ROWS[size_index]);
            let mut args = SqliteArguments::default();
            args.reserve(5 + chunk.len() * PARAMS_PER_ROW, 0);
            add(&mut args, stream)?;
            add(&mut args, seq)?;
            add(&mut args, task_run_id.clone())?;
            add(&mut args, task_id.clone())?;
            add(&mut args, source.attempt)?;
            for line in chunk {
                add(&mut args, nanos(line.at)?)?;
                add(&mut args, i64::from(line.level.rank()))?;
                add(&mut args, Arc::<str>::from(line.message.as_str()))?;
            }
            sqlx::query_with(insert_sql(size_index), args)
                .execute(&mut *conn)
                .await
                .map_err(db("appending logs"))?;
            seq += to_i64(chunk.len() as u64);
            rest = tail;
        }
    }
    Ok(())
}

#[async_trait]
impl LogStore for SqliteStore {
    async fn append_logs(&self, lines: &[LogLine]) -> Result<()> {
        const ACTION: &str = "appending logs";
        if lines.is_empty() {
            return Ok(());
        }
        // Lines of each execution, in the order given; executions in order of first appearance.
        let mut groups: Vec<(&str, Vec<&LogLine>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for line in lines {
            let i = *index.entry(line.execution_id.as_str()).or_insert_with(|| {
                groups.push((line.execution_id.as_str(), Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push(line);
        }

        let mut tx = self.write(ACTION).await?;
        for (execution_id, lines) in &groups {
            let count = to_i64(lines.len() as u64);
            let (stream, last_seq): (i64, i64) = sqlx::query_as(
                "INSERT INTO log_streams (execution_id, last_seq) VALUES (?, ?)
                 ON CONFLICT (execution_id) DO UPDATE SET last_seq = last_seq + excluded.last_seq
                 RETURNING id, last_seq",
            )
            .bind(*execution_id)
            .bind(count)
            .fetch_one(&mut *tx)
            .await
            .map_err(db(ACTION))?;
            insert_lines(&mut tx, stream, last_seq - count + 1, lines).await?;
        }
        tx.commit().await.map_err(db(ACTION))
    }

    async fn logs(&self, query: &LogQuery) -> Result<Vec<StoredLog>> {
        let rows = sqlx::query(
            "SELECT seq, task_run_id, task_id, attempt, at, level, message FROM logs
             WHERE stream = (SELECT id FROM log_streams WHERE execution_id = ?1)
               AND seq > ?2
               AND (?3 IS NULL OR level >= ?3)
               AND (?4 IS NULL OR task_id = ?4)
               AND (?5 IS NULL OR attempt = ?5)
             ORDER BY seq LIMIT ?6",
        )
        .bind(&query.execution_id)
        .bind(to_i64(query.after_seq.unwrap_or(0)))
        .bind(query.min_level.map(|l| i64::from(l.rank())))
        .bind(query.task_id.as_deref())
        .bind(query.attempt)
        .bind(query.limit)
        .fetch_all(&self.reader)
        .await
        .map_err(db("reading logs"))?;
        rows.iter()
            .map(|row| {
                let seq: i64 = get(row, 0, "log line")?;
                let what = format!("log line {seq} of execution {}", query.execution_id);
                let attempt: Option<i64> = get(row, 3, &what)?;
                let level: i64 = get(row, 5, &what)?;
                Ok(StoredLog {
                    seq: to_u64(seq, &what)?,
                    execution_id: query.execution_id.clone(),
                    task_run_id: get(row, 1, &what)?,
                    task_id: get(row, 2, &what)?,
                    attempt: attempt.map(|a| to_u32(a, &what)).transpose()?,
                    at: timestamp(get(row, 4, &what)?, &what)?,
                    level: Level::from_rank(level)
                        .ok_or_else(|| StoreError::corrupt_value(what.clone(), format!("unknown level {level}")))?,
                    message: get(row, 6, &what)?,
                })
            })
            .collect()
    }

    async fn log_count(&self, execution_id: &str) -> Result<u64> {
        // Lines are numbered 1, 2, 3… without gaps and never deleted, so the last number is the count.
        let last: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM log_streams WHERE execution_id = ?")
            .bind(execution_id)
            .fetch_optional(&self.reader)
            .await
            .map_err(db("counting logs"))?;
        to_u64(last.unwrap_or(0), "log stream")
    }
}
