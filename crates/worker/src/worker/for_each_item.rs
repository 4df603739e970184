//! ForEachItem on a worker: the items file cut into batch files (stored beside the task run's
//! other files), one child execution per batch (ids derived from the task run, attempt and
//! batch, so a re-claimed attempt finds the children it started), then, with `wait`, every
//! child followed to its end and their outputs gathered into one Ion file.

use super::Worker;
use super::subflow::Followed;
use crate::{RuntimeError, files};
use serde_json::{Map, Value, json};
use sluice_engine::{AttemptResult, Execution, State, TaskRun};
use sluice_store::Job as QueuedJob;
use sluice_tasks::PlanContext;
use sluice_tasks::catalog::core::flow::subflow::{Batch, Items, SubflowCall};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// The child of batch `n` (from 1): the same parent task run, attempt and batch give the same id.
fn batch_child_id(parent: &Execution, run: &TaskRun, attempt: u32, n: usize) -> String {
    sluice_engine::task_run_id(&parent.id, "subflow", Some(&run.id), Some(&format!("{attempt}/{n}")))
}

impl Worker {
    /// Runs ForEachItem's children, one per batch of `items`, and with `wait` follows them.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn for_each_item(
        &self,
        job: &QueuedJob,
        parent: &Execution,
        run: &TaskRun,
        call: &SubflowCall,
        items: &Items,
        cx: &PlanContext<'_>,
        cancel: &CancellationToken,
    ) -> Result<AttemptResult, RuntimeError> {
        let failed = |reason: String| {
            Ok(AttemptResult::new(
                State::Failed,
                format!("task `{}`: {reason}", run.task_id),
            ))
        };
        let dir = files::attempt_dir(&self.config.data_dir, &parent.id, &run.id, job.attempt).join("batches");
        let _cleanup = files::Scratch(dir.clone());
        let storage = &self.config.storage;
        let local =
            match sluice_store::files::readable(storage, &parent.namespace, &items.uri, &dir.join("items")).await {
                Ok(path) => path,
                Err(e) => return failed(format!("`items`: {e}")),
            };
        let extension = Path::new(&items.uri)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let batches = match split(&local, items, &dir, &extension).await {
            Ok(batches) => batches,
            Err(e) => return failed(format!("cannot cut `{}` into batches: {e}", items.uri)),
        };
        let mut ids = Vec::with_capacity(batches.len());
        for (i, path) in batches.iter().enumerate() {
            let n = i + 1;
            let name = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let uri = sluice_flow::storage::task_file_uri(
                &parent.namespace,
                &parent.flow_id,
                &parent.id,
                &run.task_id,
                &run.id,
                &name,
            );
            if let Err(e) = storage.put_file(&uri, path).await {
                return failed(format!("cannot store batch {n}: {e}"));
            }
            let mut variables = cx.variables.clone();
            variables["taskrun"]["items"] = Value::String(uri);
            variables["taskrun"]["iteration"] = json!(n);
            let raw = Value::Object(items.raw_inputs.clone());
            let inputs = match cx.renderer.value(&run.task_id, "inputs", &raw, &variables) {
                Ok(Value::Object(map)) => map,
                Ok(_) => Map::new(),
                Err(e) => return Ok(AttemptResult::new(State::Failed, e.to_string()).final_failure()),
            };
            let id = batch_child_id(parent, run, job.attempt, n);
            if let Some(end) = self.start_child(&id, parent, run, call, &inputs).await? {
                return Ok(end);
            }
            ids.push(id);
        }
        let mut outputs = Map::new();
        outputs.insert("numberOfBatches".into(), json!(ids.len()));
        if !call.wait || ids.is_empty() {
            let message = format!(
                "started {} executions of {}.{}",
                ids.len(),
                call.namespace,
                call.flow_id
            );
            return Ok(AttemptResult {
                outputs,
                ..AttemptResult::new(State::Success, message)
            });
        }
        let children = match self.follow(job, &ids, cancel).await? {
            Followed::Ended(children) => children,
            Followed::Stopped(result) => return Ok(AttemptResult { outputs, ..result }),
        };
        let mut iterations: BTreeMap<String, u64> = BTreeMap::new();
        let mut merged = String::new();
        for child in &children {
            *iterations.entry(child.state.current.as_str().to_string()).or_default() += 1;
            merged.push_str(&sluice_flow::ion::write(&Value::Object(child.outputs.clone())));
            merged.push('\n');
        }
        let merged_path = dir.join("outputs.ion");
        let uri = sluice_flow::storage::task_file_uri(
            &parent.namespace,
            &parent.flow_id,
            &parent.id,
            &run.task_id,
            &run.id,
            "outputs.ion",
        );
        let stored = match tokio::fs::write(&merged_path, merged).await {
            Ok(()) => storage.put_file(&uri, &merged_path).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = stored {
            return failed(format!("cannot store the children's outputs: {e}"));
        }
        outputs.insert("iterations".into(), json!(iterations));
        outputs.insert("uri".into(), Value::String(uri.clone()));
        outputs.insert("subflowOutputs".into(), Value::String(uri));
        let bad = children
            .iter()
            .filter(|c| !matches!(c.state.current, State::Success | State::Warning))
            .count();
        let state = if bad > 0 && call.transmit_failed {
            State::Failed
        } else {
            State::Success
        };
        let message = format!(
            "{} executions ended, {bad} of them neither SUCCESS nor WARNING",
            children.len()
        );
        Ok(AttemptResult {
            outputs,
            ..AttemptResult::new(state, message)
        })
    }
}

/// Cuts the file at `source` into batch files in `dir` (`batch-1.ion`…), as `items` says.
async fn split(source: &Path, items: &Items, dir: &Path, extension: &str) -> std::io::Result<Vec<PathBuf>> {
    let separator = items.separator.as_bytes();
    let lines = match items.batch {
        Batch::Partitions(_) => count_lines(source, separator).await?,
        _ => 0,
    };
    let mut reader = LineReader::open(source, separator).await?;
    let mut batches = Vec::new();
    let mut current: Option<(tokio::io::BufWriter<tokio::fs::File>, u64, u64)> = None;
    while let Some(line) = reader.next().await? {
        let full = match (&current, items.batch) {
            (None, _) => true,
            (Some((_, rows, _)), Batch::Rows(n)) => *rows >= n,
            (Some((_, _, bytes)), Batch::Bytes(n)) => bytes + line.len() as u64 > n,
            (Some((_, rows, _)), Batch::Partitions(n)) => *rows >= lines.div_ceil(n.max(1)),
        };
        if full {
            if let Some((mut file, _, _)) = current.take() {
                file.flush().await?;
            }
            let path = dir.join(format!("batch-{}{extension}", batches.len() + 1));
            current = Some((tokio::io::BufWriter::new(tokio::fs::File::create(&path).await?), 0, 0));
            batches.push(path);
        }
        if let Some((file, rows, bytes)) = current.as_mut() {
            file.write_all(&line).await?;
            *rows += 1;
            *bytes += line.len() as u64;
        }
    }
    if let Some((mut file, _, _)) = current {
        file.flush().await?;
    }
    Ok(batches)
}

/// How many lines the file has.
async fn count_lines(source: &Path, separator: &[u8]) -> std::io::Result<u64> {
    let mut reader = LineReader::open(source, separator).await?;
    let mut n = 0;
    while reader.next().await?.is_some() {
        n += 1;
    }
    Ok(n)
}

/// Reads a file one line at a time (each with its separator), whatever the separator.
struct LineReader {
    inner: tokio::io::BufReader<tokio::fs::File>,
    separator: Vec<u8>,
}

impl LineReader {
    async fn open(path: &Path, separator: &[u8]) -> std::io::Result<Self> {
        Ok(LineReader {
            inner: tokio::io::BufReader::new(tokio::fs::File::open(path).await?),
            separator: separator.to_vec(),
        })
    }

    /// The next line, empty lines skipped; `None` at the end.
    async fn next(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let Some(&last) = self.separator.last() else {
            return Ok(None);
        };
        loop {
            let mut line = Vec::new();
            loop {
                let read = self.inner.read_until(last, &mut line).await?;
                if read == 0 || line.ends_with(&self.separator) {
                    break;
                }
            }
            if line.is_empty() {
                return Ok(None);
            }
            if line != self.separator {
                return Ok(Some(line));
            }
        }
    }
}
