//! [`LogStore`] on PostgreSQL, the hot path of the store.
//!
//! Each execution has a row in `log_streams` holding a small integer key and the last sequence
//! number handed out. An append stores each execution's lines with one statement: an upsert that
//! reserves a range of numbers (and locks the stream's row until the transaction ends, so appends
//! from several processes interleave without gaps or duplicates), feeding an
//! `INSERT … SELECT FROM unnest(…)` of every block (see [`crate::log_block`]). An append of one
//! execution's lines, the usual case, is that one statement and one round trip; several
//! executions take one transaction that locks their streams in execution-id order, so two appends
//! never deadlock.

use super::codec::{get, timestamp, to_i64, to_u32, to_u64};
use super::{PostgresStore, db};
use crate::log_block::{decode, encode_next};
use crate::{Level, LogLine, LogQuery, LogStore, Result, StoredLog};
use async_trait::async_trait;
use std::collections::BTreeMap;

/// Blocks read by the first query of a page; each further query reads four times as many, up to
/// [`MAX_BLOCKS_PER_READ`], so pages of many small blocks need few queries while a page of big
/// blocks (up to 256 KiB each) never holds much more than the page in memory.
const FIRST_BLOCKS_PER_READ: i64 = 16;

/// The most blocks one query reads.
const MAX_BLOCKS_PER_READ: i64 = 1024;

/// The most lines a block holds (see [`crate::log_block`]).
const MAX_BLOCK_LINES: i64 = 1024;

/// The widest window of sequence numbers one query looks at.
const MAX_WINDOW: i64 = 1 << 20;

/// Whether two lines come from the same attempt of the same task run (or both from the execution).
fn same_source(a: &LogLine, b: &LogLine) -> bool {
    a.task_run_id == b.task_run_id && a.task_id == b.task_id && a.attempt == b.attempt
}

/// The blocks of one execution's lines in one append, one array per column for `unnest`, with
/// sequence numbers relative to the append: its first line is 1.
#[derive(Default)]
struct Blocks {
    lines: i64,
    first: Vec<i64>,
    last: Vec<i64>,
    task_run_id: Vec<Option<String>>,
    task_id: Vec<Option<String>>,
    attempt: Vec<Option<i64>>,
    max_level: Vec<i16>,
    json: Vec<String>,
}

impl Blocks {
    /// Encodes the lines of one execution.
    fn of(lines: &[&LogLine]) -> Result<Blocks> {
        let mut blocks = Blocks::default();
        for run in lines.chunk_by(|a, b| same_source(a, b)) {
            let source = run[0];
            let mut rest = run;
            while !rest.is_empty() {
                let block = encode_next(&mut rest)?;
                blocks.first.push(blocks.lines + 1);
                blocks.lines += to_i64(block.lines as u64);
                blocks.last.push(blocks.lines);
                blocks.task_run_id.push(source.task_run_id.clone());
                blocks.task_id.push(source.task_id.clone());
                blocks.attempt.push(source.attempt.map(i64::from));
                blocks.max_level.push(i16::from(block.max_level));
                blocks.json.push(block.json);
            }
        }
        Ok(blocks)
    }
}

/// Reserves the next numbers of an execution's stream and stores its blocks, in one statement;
/// the stream's row stays locked until the transaction ends.
async fn append_execution<'c>(conn: impl sqlx::PgExecutor<'c>, execution_id: &str, lines: &[&LogLine]) -> Result<()> {
    let blocks = Blocks::of(lines)?;
    sqlx::query(
        "WITH stream AS (
             INSERT INTO log_streams (execution_id, last_seq) VALUES ($1, $2)
             ON CONFLICT (execution_id) DO UPDATE SET last_seq = log_streams.last_seq + excluded.last_seq
             RETURNING id, last_seq - $2 AS base
         )
         INSERT INTO log_blocks (stream, first_seq, last_seq, task_run_id, task_id, attempt, max_level, lines)
         SELECT stream.id, stream.base + b.first, stream.base + b.last, b.task_run_id, b.task_id, b.attempt,
                b.max_level, b.json::json
         FROM stream, unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::smallint[],
                             $9::text[]) AS b (first, last, task_run_id, task_id, attempt, max_level, json)",
    )
    .bind(execution_id)
    .bind(blocks.lines)
    .bind(&blocks.first)
    .bind(&blocks.last)
    .bind(&blocks.task_run_id)
    .bind(&blocks.task_id)
    .bind(&blocks.attempt)
    .bind(&blocks.max_level)
    .bind(&blocks.json)
    .execute(conn)
    .await
    .map_err(db("appending logs"))?;
    Ok(())
}

#[async_trait]
impl LogStore for PostgresStore {
    async fn append_logs(&self, lines: &[LogLine]) -> Result<()> {
        const ACTION: &str = "appending logs";
        // Lines of each execution, in the order given; executions sorted by id, so that appends
        // lock their streams in one order.
        let mut groups: BTreeMap<&str, Vec<&LogLine>> = BTreeMap::new();
        for line in lines {
            groups.entry(line.execution_id.as_str()).or_default().push(line);
        }
        if groups.len() == 1 {
            // The usual case: one statement, atomic by itself, in one round trip.
            if let Some((execution_id, lines)) = groups.first_key_value() {
                append_execution(&self.pool, execution_id, lines).await?;
            }
            return Ok(());
        }
        if groups.is_empty() {
            return Ok(());
        }
        let mut tx = self.write(ACTION).await?;
        for (execution_id, lines) in &groups {
            append_execution(&mut *tx, execution_id, lines).await?;
        }
        tx.commit().await.map_err(db(ACTION))
    }

    async fn logs(&self, query: &LogQuery) -> Result<Vec<StoredLog>> {
        const ACTION: &str = "reading logs";
        let stream: Option<(i64, i64)> = sqlx::query_as("SELECT id, last_seq FROM log_streams WHERE execution_id = $1")
            .bind(&query.execution_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db(ACTION))?;
        let Some((stream, end)) = stream else {
            return Ok(Vec::new());
        };
        let limit = query.limit as usize;
        let after = to_i64(query.after_seq.unwrap_or(0));
        let min_level = query.min_level.unwrap_or(Level::Trace);
        let mut out = Vec::with_capacity(limit.min(4096));
        // Each query looks only at blocks ending in a window of sequence numbers after `next`,
        // sized to what the page still needs: then whatever plan PostgreSQL picks (a fresh stream
        // has no statistics, and a bitmap scan of every later block would cost the whole rest of
        // the stream per page), a query never touches much more than the lines it returns. When
        // filters leave a window empty, the next one is four times wider.
        let mut next = after;
        let mut window = to_i64(limit as u64).saturating_add(MAX_BLOCK_LINES);
        let mut blocks = FIRST_BLOCKS_PER_READ;
        while out.len() < limit && next < end {
            let high = next.saturating_add(window);
            let rows = sqlx::query(
                "SELECT first_seq, last_seq, task_run_id, task_id, attempt, lines::text FROM log_blocks
                 WHERE stream = $1 AND last_seq > $2 AND last_seq <= $3
                   AND max_level >= $4
                   AND ($5::text IS NULL OR task_id = $5)
                   AND ($6::bigint IS NULL OR attempt = $6)
                 ORDER BY last_seq LIMIT $7",
            )
            .bind(stream)
            .bind(next)
            .bind(high)
            .bind(i16::from(min_level.rank()))
            .bind(query.task_id.as_deref())
            .bind(query.attempt.map(i64::from))
            .bind(blocks)
            .fetch_all(&self.pool)
            .await
            .map_err(db(ACTION))?;
            let found = out.len();
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
                // Every block of the window was read.
                next = high;
                if out.len() == found {
                    window = window.saturating_mul(4).min(MAX_WINDOW);
                }
            } else {
                blocks = (blocks * 4).min(MAX_BLOCKS_PER_READ);
            }
        }
        Ok(out)
    }

    async fn log_count(&self, execution_id: &str) -> Result<u64> {
        // Lines are numbered 1, 2, 3… without gaps and never deleted, so the last number is the count.
        let last: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM log_streams WHERE execution_id = $1")
            .bind(execution_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("counting logs"))?;
        to_u64(last.unwrap_or(0), "log stream")
    }
}
