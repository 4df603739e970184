//! [`LogStore`] on SQLite, the hot path of the store.
//!
//! Each execution has a row in `log_streams` holding a small integer key and the last sequence
//! number handed out. An append reserves a range of numbers with one upsert per execution inside
//! the write transaction (so appends from several processes interleave without gaps or
//! duplicates), then stores the lines as blocks (see [`super::log_block`]): one row per block of
//! up to 1024 lines rather than one per line, because SQLite's per-row cost alone would cap
//! appends well below a million lines a second.

use super::codec::{get, timestamp, to_i64, to_u32, to_u64};
use super::{SqliteStore, db};
use crate::log_block::{decode, encode_next};
use crate::{Level, LogLine, LogQuery, LogStore, Result, StoredLog};
use async_trait::async_trait;
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// Blocks read by the first query that fills a page; each further query reads four times as many,
/// up to [`MAX_BLOCKS_PER_READ`], so pages of many small blocks need few queries while a page of
/// big blocks (up to 256 KiB each) never holds more than a few MiB in memory.
const FIRST_BLOCKS_PER_READ: i64 = 4;

/// The most blocks one query reads.
const MAX_BLOCKS_PER_READ: i64 = 64;

/// Whether two lines come from the same attempt of the same task run (or both from the execution).
fn same_source(a: &LogLine, b: &LogLine) -> bool {
    a.task_run_id == b.task_run_id && a.task_id == b.task_id && a.attempt == b.attempt
}

/// Stores the lines of one execution, numbered from `first_seq`, inside a write transaction.
async fn insert_lines(conn: &mut SqliteConnection, stream: i64, first_seq: i64, lines: &[&LogLine]) -> Result<()> {
    let mut seq = first_seq;
    for run in lines.chunk_by(|a, b| same_source(a, b)) {
        let source = run[0];
        let mut rest = run;
        while !rest.is_empty() {
            let block = encode_next(&mut rest)?;
            let last_seq = seq + to_i64(block.lines as u64) - 1;
            sqlx::query(
                "INSERT INTO log_blocks (stream, first_seq, last_seq, task_run_id, task_id, attempt, max_level, lines)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(stream)
            .bind(seq)
            .bind(last_seq)
            .bind(source.task_run_id.as_deref())
            .bind(source.task_id.as_deref())
            .bind(source.attempt)
            .bind(block.max_level)
            .bind(block.json)
            .execute(&mut *conn)
            .await
            .map_err(db("appending logs"))?;
            seq = last_seq + 1;
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
        let mut current = usize::MAX;
        for line in lines {
            // Consecutive lines mostly share their execution: compare before hashing.
            if groups.get(current).is_none_or(|(id, _)| *id != line.execution_id) {
                current = *index.entry(line.execution_id.as_str()).or_insert_with(|| {
                    groups.push((line.execution_id.as_str(), Vec::new()));
                    groups.len() - 1
                });
            }
            groups[current].1.push(line);
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
        const ACTION: &str = "reading logs";
        let stream: Option<i64> = sqlx::query_scalar("SELECT id FROM log_streams WHERE execution_id = ?")
            .bind(&query.execution_id)
            .fetch_optional(&self.reader)
            .await
            .map_err(db(ACTION))?;
        let Some(stream) = stream else { return Ok(Vec::new()) };
        let limit = query.limit as usize;
        let after = to_i64(query.after_seq.unwrap_or(0));
        let min_level = query.min_level.unwrap_or(Level::Trace);
        let mut out = Vec::with_capacity(limit.min(4096));
        let mut next = after;
        let mut blocks = FIRST_BLOCKS_PER_READ;
        while out.len() < limit {
            let rows = sqlx::query(
                "SELECT first_seq, last_seq, task_run_id, task_id, attempt, lines FROM log_blocks
                 WHERE stream = ?1 AND last_seq > ?2
                   AND max_level >= ?3
                   AND (?4 IS NULL OR task_id = ?4)
                   AND (?5 IS NULL OR attempt = ?5)
                 ORDER BY last_seq LIMIT ?6",
            )
            .bind(stream)
            .bind(next)
            .bind(min_level.rank())
            .bind(query.task_id.as_deref())
            .bind(query.attempt)
            .bind(blocks)
            .fetch_all(&self.reader)
            .await
            .map_err(db(ACTION))?;
            for row in &rows {
                let first: i64 = get(row, 0, "log block")?;
                let what = format!("log block {first} of execution {}", query.execution_id);
                let last: i64 = get(row, 1, &what)?;
                let task_run_id: Option<String> = get(row, 2, &what)?;
                let task_id: Option<String> = get(row, 3, &what)?;
                let attempt: Option<i64> = get(row, 4, &what)?;
                let attempt = attempt.map(|a| to_u32(a, &what)).transpose()?;
                let json: &str = get(row, 5, &what)?;
                for (seq, (at, level, message)) in (first..).zip(decode(json, last - first + 1, &what)?) {
                    if seq <= after || level < min_level {
                        continue;
                    }
                    out.push(StoredLog {
                        seq: to_u64(seq, &what)?,
                        execution_id: query.execution_id.clone(),
                        task_run_id: task_run_id.clone(),
                        task_id: task_id.clone(),
                        attempt,
                        at: timestamp(at, &what)?,
                        level,
                        message,
                    });
                    if out.len() == limit {
                        return Ok(out);
                    }
                }
                next = last;
            }
            if (rows.len() as i64) < blocks {
                break;
            }
            blocks = (blocks * 4).min(MAX_BLOCKS_PER_READ);
        }
        Ok(out)
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
