//! The scheduler: fires the `io.kestra.plugin.core.trigger.Schedule` triggers of stored flows.
//!
//! Each trigger's next fire time is stored. A tick that finds it due creates the execution and
//! moves the time on in one compare-and-set transaction, so a tick fires once even with several
//! schedulers on one store, and a restart neither loses nor repeats a fire (durable waits).

mod schedule;

pub use schedule::{Missed, Schedule};

use jiff::Timestamp;
use sluice_engine::{Event, Execution};
use sluice_flow::{Flow, Validator};
use sluice_store::{Store, StoreError, TriggerKey};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Parsed flow revisions (`None`: the revision does not validate).
type FlowCache = HashMap<(String, String, u32), Option<Arc<Flow>>>;

/// Fires schedules.
pub struct Scheduler {
    store: Arc<dyn Store>,
    executor_wake: Arc<Notify>,
    validator: Validator,
    flows: std::sync::Mutex<FlowCache>,
}

impl Scheduler {
    /// A scheduler over `store`; `executor_wake` is notified when it starts an execution.
    pub fn new(store: Arc<dyn Store>, executor_wake: Arc<Notify>) -> Self {
        Scheduler {
            store,
            executor_wake,
            validator: sluice_tasks::validator(),
            flows: Default::default(),
        }
    }

    /// Ticks every half second until `shutdown`. A store out of reach for a while (a database
    /// restarting) is waited for: the stored next fire times make the ticks it missed fire (or be
    /// skipped, per `recoverMissedSchedules`) once it is back. Only errors that would repeat stop it.
    pub async fn run(&self, shutdown: CancellationToken) -> Result<(), StoreError> {
        let mut store_down = false;
        loop {
            match self.tick(Timestamp::now()).await {
                Ok(_) => {
                    if std::mem::take(&mut store_down) {
                        tracing::warn!("the scheduler reaches the store again");
                    }
                }
                Err(e) if e.is_transient() => {
                    if !store_down {
                        tracing::warn!(error = %e, "the scheduler cannot reach the store; retrying");
                    }
                    store_down = true;
                }
                Err(e) => return Err(e),
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
                () = shutdown.cancelled() => return Ok(()),
            }
        }
    }

    fn flow(&self, namespace: &str, id: &str, revision: u32, source: &str) -> Option<Arc<Flow>> {
        let key = (namespace.to_string(), id.to_string(), revision);
        let mut cache = self.flows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
            .entry(key)
            .or_insert_with(|| self.validator.check(source).flow.map(Arc::new))
            .clone()
    }

    /// Fires every due schedule; returns the executions started.
    pub async fn tick(&self, now: Timestamp) -> Result<Vec<String>, StoreError> {
        let states: HashMap<TriggerKey, _> = self
            .store
            .trigger_states()
            .await?
            .into_iter()
            .map(|s| (s.key.clone(), s))
            .collect();
        let mut live = HashSet::new();
        let mut started = Vec::new();
        for record in self.store.list_flows().await? {
            let Some(flow) = self.flow(&record.namespace, &record.id, record.revision, &record.source) else {
                continue;
            };
            if flow.disabled {
                continue;
            }
            for trigger in flow.triggers.iter().filter(|t| !t.disabled) {
                let schedule = match Schedule::from_trigger(trigger) {
                    Ok(Some(s)) => s,
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::warn!(flow = %flow.id, trigger = %trigger.id, error = %e, "schedule skipped");
                        continue;
                    }
                };
                let key = TriggerKey {
                    namespace: flow.namespace.clone(),
                    flow_id: flow.id.clone(),
                    trigger_id: trigger.id.clone(),
                };
                live.insert(key.clone());
                let Some(state) = states.get(&key) else {
                    if let Some(next) = schedule.next_after(now) {
                        self.store.fire_trigger(&key, None, next, None, now).await?;
                    }
                    continue;
                };
                if state.next_fire_at > now {
                    continue;
                }
                let due = state.next_fire_at;
                let Some(next) = schedule.following(due, now) else {
                    continue;
                };
                let start = if schedule.should_fire(due, now) && conditions_hold(&flow, trigger, &schedule, due) {
                    match execution(
                        &flow,
                        record.revision,
                        trigger,
                        &schedule,
                        due,
                        next,
                        state.last_fired_at,
                        now,
                    ) {
                        Ok(exec) => Some(exec),
                        Err(message) => {
                            tracing::warn!(flow = %flow.id, trigger = %trigger.id, %message, "schedule could not start an execution");
                            None
                        }
                    }
                } else {
                    tracing::warn!(
                        flow = %format!("{}.{}", flow.namespace, flow.id),
                        trigger = %trigger.id,
                        due = %due,
                        "a fire was missed while the scheduler was down and is skipped; set `recoverMissedSchedules: LAST` (once) or `ALL` (each) to run missed fires"
                    );
                    None
                };
                let fired = self
                    .store
                    .fire_trigger(&key, Some(due), next, start.as_ref().map(|e| (e, &Event::Start)), now)
                    .await?;
                if fired && let Some(exec) = start {
                    started.push(exec.id);
                    self.executor_wake.notify_one();
                }
            }
        }
        for key in states.keys().filter(|k| !live.contains(*k)) {
            self.store.delete_trigger(key).await?;
        }
        Ok(started)
    }
}

/// Whether the trigger's `conditions` hold for the fire at `due` (its date as `trigger.date`).
/// A condition that cannot be tested (a date that does not parse) skips the fire, with a warning.
fn conditions_hold(flow: &Flow, trigger: &sluice_flow::model::Trigger, schedule: &Schedule, due: Timestamp) -> bool {
    if trigger.conditions.is_empty() {
        return true;
    }
    let variables = serde_json::json!({
        "trigger": {"date": schedule.local(due)},
        "flow": {"id": flow.id, "namespace": flow.namespace},
    });
    let cx = sluice_tasks::condition::ConditionContext {
        variables: &variables,
        execution: None,
        secrets: &sluice_flow::template::NoSecrets,
        now: due,
    };
    match sluice_tasks::catalog::core::condition::all_hold(&trigger.conditions, &cx) {
        Ok(holds) => holds,
        Err(message) => {
            tracing::warn!(flow = %flow.id, trigger = %trigger.id, %message, "the schedule's conditions could not be tested; this fire is skipped");
            false
        }
    }
}

/// The execution a schedule starts: the fire's dates as `trigger`, the trigger's `inputs` over
/// the flow's defaults.
#[allow(clippy::too_many_arguments)]
fn execution(
    flow: &Flow,
    revision: u32,
    trigger: &sluice_flow::model::Trigger,
    schedule: &Schedule,
    due: Timestamp,
    next: Timestamp,
    previous: Option<Timestamp>,
    now: Timestamp,
) -> Result<Execution, String> {
    let start = sluice_engine::Start {
        id: sluice_store::new_execution_id(),
        revision,
        variables: serde_json::json!({
            "id": trigger.id,
            "type": trigger.type_name,
            "date": schedule.local(due),
            "next": schedule.local(next),
            "previous": previous.map(|p| schedule.local(p)),
        }),
        inputs: trigger.properties.get("inputs").and_then(|v| v.as_object()),
        at: now,
    };
    sluice_engine::triggered_execution(flow, start, &sluice_flow::template::NoSecrets)
}
