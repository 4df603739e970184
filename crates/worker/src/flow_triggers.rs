//! Flow triggers: the executions an execution's new state starts in other flows.
//!
//! The executor asks in the step that changes an execution's state, and stores what comes back
//! in that step's commit ([`sluice_store::StepCommit::starts`]), so a step committed once starts
//! each downstream execution once. The flows that have Flow triggers are read from the store at
//! most every [`REFRESH`]: a flow saved just now reacts from the next refresh on.

use crate::RuntimeError;
use jiff::Timestamp;
use sluice_engine::Execution;
use sluice_flow::Flow;
use sluice_flow::template::NoSecrets;
use sluice_store::Store;
use sluice_tasks::catalog::core::trigger::flow as flow_trigger;
use sluice_tasks::condition::{ConditionContext, Upstream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long the list of flows with Flow triggers is trusted before it is read again.
pub const REFRESH: Duration = Duration::from_secs(2);

/// Flows with an enabled Flow trigger, each with its stored revision.
type Listening = Arc<Vec<(u32, Arc<Flow>)>>;

/// The stored flows that have an enabled Flow trigger, read now and then.
#[derive(Default)]
pub struct FlowTriggers {
    cached: Mutex<Option<(Instant, Listening)>>,
}

impl FlowTriggers {
    async fn listening(&self, store: &dyn Store, flows: &crate::Flows) -> Result<Listening, RuntimeError> {
        if let Some((at, list)) = &*self.cached.lock().unwrap_or_else(PoisonError::into_inner)
            && at.elapsed() < REFRESH
        {
            return Ok(list.clone());
        }
        let mut list = Vec::new();
        for record in store.list_flows().await? {
            if !record.source.contains(flow_trigger::FLOW.name)
                && !flow_trigger::FLOW.aliases.iter().any(|a| record.source.contains(a))
            {
                continue;
            }
            let Ok(flow) = flows.get(store, &record.namespace, &record.id, record.revision).await else {
                continue;
            };
            if !flow.disabled
                && flow
                    .triggers
                    .iter()
                    .any(|t| !t.disabled && t.type_name == flow_trigger::FLOW.name)
            {
                list.push((record.revision, flow));
            }
        }
        let list = Arc::new(list);
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), list.clone()));
        Ok(list)
    }

    /// The executions that `upstream`, having just moved to its current state, starts. A trigger
    /// whose conditions cannot be tested, or whose inputs do not fit, starts nothing and says why
    /// in the log.
    pub async fn starts(
        &self,
        store: &dyn Store,
        flows: &crate::Flows,
        upstream: &Execution,
        now: Timestamp,
    ) -> Result<Vec<Execution>, RuntimeError> {
        let listening = self.listening(store, flows).await?;
        if listening.is_empty() {
            return Ok(Vec::new());
        }
        let view = upstream_view(upstream);
        let mut out = Vec::new();
        for (revision, flow) in listening.iter() {
            for trigger in flow
                .triggers
                .iter()
                .filter(|t| !t.disabled && t.type_name == flow_trigger::FLOW.name)
            {
                let variables = flow_trigger::variables(trigger, &view);
                let context = serde_json::json!({
                    "trigger": variables,
                    "flow": {"id": flow.id, "namespace": flow.namespace, "revision": revision},
                    "execution": {"id": view.id, "namespace": view.namespace, "flowId": view.flow_id, "state": view.state, "outputs": view.outputs},
                    "labels": view.labels.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
                });
                let cx = ConditionContext {
                    variables: &context,
                    execution: Some(&view),
                    secrets: &NoSecrets,
                    now,
                };
                match flow_trigger::fires(trigger, &flow.namespace, &flow.id, &view, &cx) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(message) => {
                        tracing::warn!(flow = %format!("{}.{}", flow.namespace, flow.id), trigger = %trigger.id, upstream = %upstream.id, %message, "the Flow trigger could not be tested; it does not fire");
                        continue;
                    }
                }
                let start = sluice_engine::Start {
                    id: sluice_store::new_execution_id(),
                    revision: *revision,
                    variables,
                    inputs: trigger.properties.get("inputs").and_then(|v| v.as_object()),
                    at: now,
                };
                match sluice_engine::triggered_execution(flow, start, &NoSecrets) {
                    Ok(exec) => out.push(exec),
                    Err(message) => {
                        tracing::warn!(flow = %format!("{}.{}", flow.namespace, flow.id), trigger = %trigger.id, upstream = %upstream.id, %message, "the Flow trigger fired but its execution could not be created");
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The upstream execution as conditions see it.
fn upstream_view(e: &Execution) -> Upstream {
    Upstream {
        id: e.id.clone(),
        namespace: e.namespace.clone(),
        flow_id: e.flow_id.clone(),
        flow_revision: e.flow_revision,
        state: e.state.current.as_str().to_string(),
        labels: e.labels.iter().map(|l| (l.key.clone(), l.value.clone())).collect(),
        outputs: e.outputs.clone(),
        retried_states: e
            .task_run_list
            .iter()
            .filter(|r| r.attempts.len() > 1)
            .map(|r| r.state.current.as_str().to_string())
            .collect(),
    }
}
