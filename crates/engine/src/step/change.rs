//! Reopening an ended execution: a restart of its failed task runs, or a user's change of one
//! task run's state, after which the walk goes on from there.
//!
//! Kestra: <https://kestra.io/docs/concepts/replay>

use super::{Pass, in_branch};
use crate::state::State;

impl Pass<'_> {
    /// Sets task run `id` to `state` and opens again the flowables it sits under, so the walk
    /// takes the new state into account; the end branches run again.
    pub(super) fn change_state(&mut self, id: &str, state: State) {
        let now = self.now;
        let flow = self.flow;
        if !self.exec.state.current.is_terminal() || self.exec.task_run(id).is_none() {
            return;
        }
        let mut ancestors = Vec::new();
        let mut next = self.exec.task_run(id).and_then(|r| r.parent_task_run_id.clone());
        while let Some(parent) = next.filter(|p| !ancestors.contains(p) && ancestors.len() < 256) {
            next = self.exec.task_run(&parent).and_then(|r| r.parent_task_run_id.clone());
            ancestors.push(parent);
        }
        for run in &mut self.exec.task_run_list {
            if run.id == id {
                run.state.set(state, now);
            } else if ancestors.contains(&run.id) {
                run.state.set(State::Running, now);
            }
        }
        self.exec
            .task_run_list
            .retain(|r| r.id == id || ancestors.contains(&r.id) || !in_branch(flow, &r.task_id));
        self.reopen();
    }

    /// The execution runs again: RESTARTED, then RUNNING, no final state decided.
    pub(super) fn reopen(&mut self) {
        let now = self.now;
        self.exec.ending = None;
        self.exec.error = None;
        self.exec.state.set(State::Restarted, now);
        self.exec.state.set(State::Running, now);
    }
}
