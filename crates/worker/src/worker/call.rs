//! A task's own work (Sleep, HTTP, notifications): started with a folder for its files and,
//! when it asks, a summary of an execution; run under the task's timeout and kill switch while
//! the lease is renewed.

use super::*;
use sluice_engine::Execution;
use sluice_tasks::{Call, CallContext, ExecutionSummary};

/// Where a call runs: its execution, task run and, inside a WorkingDirectory, its folder.
pub(super) struct Place<'a> {
    pub exec: &'a Execution,
    pub run: &'a sluice_engine::TaskRun,
    pub working_dir: Option<std::path::PathBuf>,
}

impl Worker {
    /// Runs a call to its end, its timeout or a kill.
    pub(super) async fn call(
        &self,
        job: &QueuedJob,
        place: &Place<'_>,
        masker: &Arc<Masker>,
        task_id: &str,
        call: Call,
        cancel: &CancellationToken,
    ) -> Result<AttemptResult, RuntimeError> {
        let (exec, run) = (place.exec, place.run);
        let summary = match &call.summary_of {
            Some(id) if *id == exec.id => Some(self.summary(exec)),
            Some(id) => self.store.get_execution(id).await?.map(|e| self.summary(&e)),
            None => None,
        };
        let mut readable = std::collections::BTreeMap::new();
        let scratch = files::attempt_dir(&self.config.data_dir, &exec.id, &run.id, job.attempt).join("read");
        for uri in &call.reads {
            match sluice_store::files::readable(&self.config.storage, &exec.namespace, uri, &scratch).await {
                Ok(path) => {
                    readable.insert(uri.clone(), path);
                }
                Err(e) => {
                    let reason = format!("task `{task_id}`: {e}");
                    self.log(job, masker, task_id, Level::Error, vec![reason.clone()])
                        .await?;
                    return Ok(AttemptResult::new(State::Failed, reason));
                }
            }
        }
        let cx = CallContext {
            files_dir: files::attempt_dir(&self.config.data_dir, &exec.id, &run.id, job.attempt),
            summary: summary.map(|s| serde_json::to_value(s).unwrap_or_default()),
            files: readable,
            kv: sluice_tasks::kv::KvHandle(self.store.clone()),
            namespace_files: sluice_tasks::namespace_files::NamespaceFilesHandle(self.store.clone()),
            flows: sluice_tasks::flows::FlowsHandle(std::sync::Arc::new(sluice_store::StoreFlows(self.store.clone()))),
            executions: sluice_tasks::executions::ExecutionsHandle(std::sync::Arc::new(sluice_store::StoreExecutions(
                self.store.clone(),
            ))),
            storage: sluice_tasks::storage::StorageHandle(std::sync::Arc::new(self.config.storage.clone())),
            working_dir: place.working_dir.clone(),
        };
        let limit = call
            .timeout
            .unwrap_or(Duration::MAX)
            .min(Duration::from_secs(u64::from(u32::MAX)));
        let work = (call.start)(cx);
        tokio::select! {
            done = work => self.finished(job, masker, task_id, done).await,
            () = tokio::time::sleep(limit) => {
                let reason = format!("timed out after {}", sluice_flow::duration::format_duration(limit));
                self.log(job, masker, task_id, Level::Error, vec![reason.clone()]).await?;
                Ok(AttemptResult::new(State::Failed, reason))
            }
            () = cancel.cancelled() => Ok(AttemptResult::new(State::Killed, "killed")),
            never = self.heartbeat(job) => match never {},
        }
    }

    /// What the `*Execution` notifications say about `exec`.
    fn summary(&self, exec: &Execution) -> ExecutionSummary {
        let start = exec.state.start().unwrap_or_else(Timestamp::now);
        let end = exec.state.end().unwrap_or_else(Timestamp::now);
        let elapsed = end.duration_since(start).unsigned_abs();
        let failed = exec
            .task_run_list
            .iter()
            .find(|r| matches!(r.state.current, State::Failed | State::Killed));
        ExecutionSummary {
            id: exec.id.clone(),
            namespace: exec.namespace.clone(),
            flow_id: exec.flow_id.clone(),
            state: exec.state.current.to_string(),
            start_date: start.to_string(),
            duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            failed_task: failed.map(|r| r.task_id.clone()),
            failed_reason: failed.and_then(|r| r.attempts.last()).and_then(|a| a.reason.clone()),
            last_task: exec.task_run_list.last().map(|r| r.task_id.clone()),
            labels: exec.labels.iter().map(|l| (l.key.clone(), l.value.clone())).collect(),
            link: self
                .config
                .public_url
                .as_ref()
                .map(|url| format!("{}/ui/executions/{}", url.trim_end_matches('/'), exec.id)),
        }
    }
}
