//! Dag: each task starts once every task it `dependsOn` ended well (SUCCESS, WARNING, SKIPPED,
//! or a failure it allows), at most `concurrent` at a time (0: no limit). After a failure no new
//! task starts; the Dag fails once what runs has ended.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.dag>

use super::{Pass, Status};
use crate::state::State;
use serde_json::Value;
use sluice_flow::model::Task;

impl Pass<'_> {
    /// Walks the Dag task run `id`.
    pub(super) fn dag(&mut self, task: &Task, id: &str) -> Status {
        let limit = task.properties.get("concurrent").and_then(Value::as_u64).unwrap_or(0) as usize;
        let run_id = |pass: &Self, t: &Task| pass.child_id(&t.id, Some(id), None);
        let mut worst = Status::Success;
        let mut running = 0;
        // What already started goes on first, so the limit counts it.
        for child in &task.tasks {
            if self.index.contains_key(&run_id(self, child)) {
                match self.task(child, Some(id), None) {
                    Status::Pending => running += 1,
                    s => worst = worst.max(s),
                }
            }
        }
        if worst == Status::Failed {
            return if running > 0 { Status::Pending } else { Status::Failed };
        }
        let mut waiting = 0;
        for child in &task.tasks {
            if self.index.contains_key(&run_id(self, child)) {
                continue;
            }
            let ready = child.depends_on.iter().all(|dep| {
                let Some(dep_task) = task.tasks.iter().find(|t| &t.id == dep) else {
                    return true;
                };
                self.run(&run_id(self, dep_task))
                    .is_some_and(|r| match r.state.current {
                        State::Success | State::Warning | State::Skipped => true,
                        s => s.is_terminal() && dep_task.allow_failure,
                    })
            });
            if !ready || (limit > 0 && running >= limit) {
                waiting += 1;
                continue;
            }
            match self.task(child, Some(id), None) {
                Status::Pending => running += 1,
                s => worst = worst.max(s),
            }
        }
        if running > 0 || (waiting > 0 && worst != Status::Failed) {
            Status::Pending
        } else {
            worst
        }
    }
}
