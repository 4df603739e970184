//! Replay from a chosen task run, as Kestra's replay with a `taskRunId` does: the new execution
//! keeps every task run created before the chosen one (states, attempts, outputs), opens again
//! the flowable task runs the chosen one sits under, and runs the chosen task and everything
//! after it again.
//!
//! Kestra: <https://kestra.io/docs/concepts/replay>

use crate::execution::{Execution, StateInfo, TaskRun, task_run_id};
use crate::state::State;
use jiff::Timestamp;
use std::collections::{HashMap, HashSet};

/// Fills `new` (a fresh execution of the same flow) with what `old` had before its task run
/// `from`; `Err` says why it cannot be replayed from there.
pub fn replay_from(old: &Execution, new: &mut Execution, from: &str, now: Timestamp) -> Result<(), String> {
    let Some(cut) = old.task_run_list.iter().position(|r| r.id == from) else {
        return Err(format!(
            "execution {} has no task run `{from}`; its task runs are listed in `taskRunList`",
            old.id
        ));
    };
    let by_id: HashMap<&str, &TaskRun> = old.task_run_list.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut ancestors = HashSet::new();
    let mut next = old.task_run_list[cut].parent_task_run_id.as_deref();
    while let Some(id) = next.filter(|id| ancestors.insert(id.to_string())) {
        next = by_id.get(id).and_then(|r| r.parent_task_run_id.as_deref());
    }
    let mut ids: HashMap<String, String> = HashMap::new();
    for run in &old.task_run_list[..cut] {
        let parent = run.parent_task_run_id.as_ref().and_then(|p| ids.get(p)).cloned();
        if run.parent_task_run_id.is_some() && parent.is_none() {
            continue;
        }
        let key = match run.iteration.filter(|&k| k > 1) {
            Some(k) => Some(format!("{}\0round {k}", run.value.as_deref().unwrap_or(""))),
            None => run.value.clone(),
        };
        let id = task_run_id(&new.id, &run.task_id, parent.as_deref(), key.as_deref());
        ids.insert(run.id.clone(), id.clone());
        let mut copy = run.clone();
        copy.id = id;
        copy.execution_id = new.id.clone();
        copy.parent_task_run_id = parent;
        if ancestors.contains(&run.id) {
            // Open again, so the walk goes on under it from the chosen task.
            copy.state = StateInfo::new(State::Running, now);
        }
        new.task_run_list.push(copy);
    }
    new.variables = old.variables.clone();
    new.trigger = old.trigger.clone();
    Ok(())
}
