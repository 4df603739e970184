//! The Subflow task on a worker: the child execution is created once (its id derives from the
//! parent's task run and attempt, so a re-claimed attempt finds it), then followed through the
//! store until it ends. A waiting attempt does not hold one of the worker's slots, so subflows
//! that call subflows cannot starve the children they wait for; a kill of the parent kills the
//! child.

use super::Worker;
use crate::RuntimeError;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use sluice_engine::{AttemptResult, Event, Execution, Label, State, TaskRun};
use sluice_store::Job as QueuedJob;
use sluice_tasks::catalog::core::flow::subflow::SubflowCall;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often a waiting Subflow looks at its child.
const POLL: Duration = Duration::from_millis(200);

/// Counts an attempt as waiting (not holding a slot) while it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Waiting(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The child's id: the same parent task run and attempt always give the same id.
pub fn child_id(parent: &Execution, run: &TaskRun, attempt: u32) -> String {
    sluice_engine::task_run_id(&parent.id, "subflow", Some(&run.id), Some(&attempt.to_string()))
}

impl Worker {
    /// Starts the child (unless this attempt already did) and, with `wait`, follows it to its end.
    pub(crate) async fn subflow(
        &self,
        job: &QueuedJob,
        parent: &Execution,
        run: &TaskRun,
        call: &SubflowCall,
        cancel: &CancellationToken,
    ) -> Result<AttemptResult, RuntimeError> {
        let id = child_id(parent, run, job.attempt);
        if let Some(failed) = self.start_child(&id, parent, run, call, &call.inputs).await? {
            return Ok(failed);
        }
        let mut outputs = Map::new();
        outputs.insert("executionId".into(), Value::String(id.clone()));
        if !call.wait {
            return Ok(AttemptResult {
                outputs,
                ..AttemptResult::new(State::Success, format!("started execution {id}"))
            });
        }
        let child = match self.follow(job, std::slice::from_ref(&id), cancel).await? {
            Followed::Ended(mut children) => children.remove(0),
            Followed::Stopped(result) => return Ok(AttemptResult { outputs, ..result }),
        };
        let state = child.state.current;
        outputs.insert("state".into(), Value::String(state.as_str().into()));
        outputs.insert("outputs".into(), Value::Object(child.outputs.clone()));
        let ended = match state {
            State::Success | State::Warning => state,
            _ if !call.transmit_failed => State::Success,
            _ => State::Failed,
        };
        Ok(AttemptResult {
            outputs,
            ..AttemptResult::new(ended, format!("execution {id} ended {state}"))
        })
    }

    /// Creates the child execution `id` of `call` with `inputs`, unless it exists; `Some` is
    /// the attempt's end when it cannot be created (no such flow, inputs it refuses).
    pub(super) async fn start_child(
        &self,
        id: &str,
        parent: &Execution,
        run: &TaskRun,
        call: &SubflowCall,
        given: &Map<String, Value>,
    ) -> Result<Option<AttemptResult>, RuntimeError> {
        let store = self.store.as_ref();
        if store.get_execution(id).await?.is_some() {
            return Ok(None);
        }
        let Some(record) = store.get_flow(&call.namespace, &call.flow_id, call.revision).await? else {
            let which = call.revision.map(|r| format!(" revision {r}")).unwrap_or_default();
            return Ok(Some(AttemptResult::new(
                State::Failed,
                format!(
                    "the subflow {}.{}{which} does not exist; deploy it first (`sluice flow validate` checks it)",
                    call.namespace, call.flow_id
                ),
            )));
        };
        let flow = self
            .flows
            .get(store, &call.namespace, &call.flow_id, record.revision)
            .await?;
        let mut child = Execution::new(id.to_string(), &flow, Map::new(), Timestamp::now());
        child.flow_revision = record.revision;
        let context = sluice_engine::render_context(&flow, &child, None);
        match sluice_flow::inputs::resolve(&flow.inputs, given, &context, self.secrets.as_ref()) {
            Ok(inputs) => child.inputs = inputs,
            Err(problems) => {
                let lines: Vec<String> = problems.iter().map(|p| format!("{}; {}", p.message, p.help)).collect();
                return Ok(Some(
                    AttemptResult::new(
                        State::Failed,
                        format!(
                            "the inputs of subflow {}.{}: {}",
                            call.namespace,
                            call.flow_id,
                            lines.join("; ")
                        ),
                    )
                    .final_failure(),
                ));
            }
        }
        if call.inherit_labels {
            child.labels.extend(parent.labels.iter().cloned());
        }
        for (key, value) in &call.labels {
            child.labels.retain(|l| &l.key != key);
            child.labels.push(Label {
                key: key.clone(),
                value: value.clone(),
            });
        }
        child.trigger = Some(json!({
            "id": run.task_id,
            "type": "io.kestra.plugin.core.flow.Subflow",
            "executionId": parent.id,
            "namespace": parent.namespace,
            "flowId": parent.flow_id,
            "flowRevision": parent.flow_revision,
            "taskRunId": run.id,
        }));
        store.create_execution(&child, &Event::Start, Timestamp::now()).await?;
        self.wakers.executor.notify_one();
        Ok(None)
    }

    /// Follows the children `ids` until all ended, holding no slot; a kill of the parent kills
    /// them all.
    pub(super) async fn follow(
        &self,
        job: &QueuedJob,
        ids: &[String],
        cancel: &CancellationToken,
    ) -> Result<Followed, RuntimeError> {
        let store = self.store.as_ref();
        let _waiting = Waiting::new(&self.waiting);
        self.wakers.workers.notify_one();
        let mut ended: Vec<Option<Execution>> = vec![None; ids.len()];
        loop {
            tokio::select! {
                () = cancel.cancelled() => {
                    for (id, done) in ids.iter().zip(&ended) {
                        if done.is_none() {
                            store.push_event(id, &Event::Kill, Timestamp::now()).await?;
                        }
                    }
                    self.wakers.executor.notify_one();
                    let which = if ids.len() == 1 { format!("execution {}", ids[0]) } else { format!("its {} executions", ids.len()) };
                    return Ok(Followed::Stopped(AttemptResult::new(State::Killed, format!("killed; {which} killed too"))));
                }
                () = tokio::time::sleep(POLL) => {}
                never = self.heartbeat(job) => match never {},
            }
            for (id, slot) in ids.iter().zip(ended.iter_mut()) {
                if slot.is_some() {
                    continue;
                }
                match store.get_execution(id).await? {
                    Some(child) if child.state.current.is_terminal() => *slot = Some(child),
                    Some(_) => {}
                    None => {
                        return Ok(Followed::Stopped(AttemptResult::new(
                            State::Failed,
                            format!("the subflow execution {id} vanished from the store"),
                        )));
                    }
                }
            }
            if ended.iter().all(Option::is_some) {
                return Ok(Followed::Ended(ended.into_iter().flatten().collect()));
            }
        }
    }
}

/// How following children ended.
pub(super) enum Followed {
    /// Every child ended; in the order asked.
    Ended(Vec<Execution>),
    /// The attempt ended first (a kill, a vanished child).
    Stopped(AttemptResult),
}
