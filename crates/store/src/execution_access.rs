//! [`sluice_tasks::executions::ExecutionAccess`] over any store, for Resume and log.Fetch.

use crate::{Level, LogQuery, Store};
use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use sluice_engine::Event;
use sluice_tasks::executions::{ExecutionAccess, ExecutionRef, LogRecord};
use sluice_tasks::kv::StateError;
use std::sync::Arc;

/// Lines read per store call.
const PAGE: u32 = 10_000;

/// A store's executions, as Resume and log.Fetch see them.
pub struct StoreExecutions(pub Arc<dyn Store>);

#[async_trait]
impl ExecutionAccess for StoreExecutions {
    async fn find(&self, id: &str) -> Result<Option<ExecutionRef>, StateError> {
        Ok(self.0.get_execution(id).await?.map(|e| ExecutionRef {
            namespace: e.namespace,
            flow_id: e.flow_id,
            state: e.state.current.as_str().to_string(),
        }))
    }

    async fn resume(&self, id: &str, inputs: Map<String, Value>) -> Result<(), StateError> {
        self.0
            .push_event(id, &Event::Resume { inputs }, Timestamp::now())
            .await?;
        Ok(())
    }

    async fn logs(&self, id: &str, min_level: &str, task_ids: &[String]) -> Result<Vec<LogRecord>, StateError> {
        let mut query = LogQuery::new(id, PAGE);
        query.min_level = Some(Level::parse(min_level).unwrap_or(Level::Info));
        if let [only] = task_ids {
            query.task_id = Some(only.clone());
        }
        let mut out = Vec::new();
        loop {
            let page = self.0.logs(&query).await?;
            let Some(last) = page.last() else { break };
            query.after_seq = Some(last.seq);
            let full = page.len() == PAGE as usize;
            for line in page {
                if !task_ids.is_empty() && !line.task_id.as_ref().is_some_and(|t| task_ids.contains(t)) {
                    continue;
                }
                let record = json!({
                    "executionId": line.execution_id,
                    "taskId": line.task_id,
                    "taskRunId": line.task_run_id,
                    "attemptNumber": line.attempt,
                    "timestamp": line.at.to_string(),
                    "level": line.level.as_str(),
                    "message": line.message,
                });
                if let Value::Object(map) = record {
                    out.push(map);
                }
            }
            if !full {
                break;
            }
        }
        Ok(out)
    }
}
