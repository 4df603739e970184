//! The walk of the task tree after each event: create what can start, close what has ended,
//! and end the execution when its branches are done.

use super::{NoSecrets, Pass, Status};
use crate::context::render_context;
use crate::event::Command;
use crate::execution::{Attempt, StateInfo, TaskRun, task_run_id};
use crate::retry;
use crate::state::State;
use serde_json::Map;
use sluice_flow::model::{Flowable, RetryBehavior, Task};
use std::time::Duration;

impl Pass<'_> {
    /// Creates what can start and closes what has finished, top down.
    pub(super) fn advance(&mut self) {
        let now = self.now;
        match self.exec.state.current {
            State::Killing => {
                self.close_flowables(State::Killed);
                if self.exec.task_run_list.iter().all(|r| r.state.current.is_terminal()) {
                    self.finish(State::Killed);
                }
                return;
            }
            State::Running => {}
            _ => return,
        }
        let flow = self.flow;
        let main = self.list(&flow.tasks, None, false, 0);
        if main == Status::Pending {
            return;
        }
        if main == Status::Failed
            && !flow.errors.is_empty()
            && self.list(&flow.errors, None, false, 0) == Status::Pending
        {
            return;
        }
        let last = self.list(&flow.finally, None, false, 0);
        if last == Status::Pending {
            return;
        }
        let state = match main.max(last) {
            Status::Failed => State::Failed,
            Status::Warning => State::Warning,
            _ => State::Success,
        };
        if state == State::Failed
            && let Some(policy) = flow
                .retry
                .as_ref()
                .filter(|r| r.behavior == RetryBehavior::CreateNewExecution)
        {
            let since = self.exec.state.start().map_or(Duration::ZERO, |s| {
                Duration::try_from(now.duration_since(s)).unwrap_or(Duration::ZERO)
            });
            let delay = retry::delay(
                policy,
                self.exec.attempt_number + 1,
                u64::from(self.exec.attempt_number),
            );
            if retry::allows(policy, self.exec.attempt_number, since, delay) {
                self.commands.push(Command::Retry {
                    at: now.checked_add(delay).unwrap_or(now),
                });
                self.finish(State::Retried);
                return;
            }
        }
        self.finish(state);
    }

    fn finish(&mut self, state: State) {
        self.exec.state.set(state, self.now);
        self.commands.push(Command::Ended { state });
    }

    /// Flowable task runs still open once all their children ended get `state` (on kill).
    pub(super) fn close_flowables(&mut self, state: State) {
        loop {
            let open: Option<String> = self
                .exec
                .task_run_list
                .iter()
                .filter(|r| !r.state.current.is_terminal() && r.attempts.is_empty())
                .find(|r| {
                    !self.exec.task_run_list.iter().any(|c| {
                        c.parent_task_run_id.as_deref() == Some(r.id.as_str()) && !c.state.current.is_terminal()
                    })
                })
                .map(|r| r.id.clone());
            let Some(id) = open else { return };
            if let Some(run) = self.exec.task_run_mut(&id) {
                run.state.set(state, self.now);
            }
        }
    }

    /// Walks a list of tasks: in order (`parallel` false) or at once, at most `limit` (0: no limit).
    fn list(&mut self, tasks: &[Task], parent: Option<&str>, parallel: bool, limit: usize) -> Status {
        let mut worst = Status::Success;
        let mut pending = 0;
        for task in tasks {
            let exists = self.exec.find_run(&task.id, parent).is_some();
            if parallel && !exists && (worst == Status::Failed || (limit > 0 && pending >= limit)) {
                if worst != Status::Failed {
                    pending += 1;
                }
                continue;
            }
            match self.task(task, parent) {
                Status::Pending if parallel => pending += 1,
                Status::Pending => return Status::Pending,
                Status::Failed if !parallel => return Status::Failed,
                s => worst = worst.max(s),
            }
        }
        if pending > 0 { Status::Pending } else { worst }
    }

    fn task(&mut self, task: &Task, parent: Option<&str>) -> Status {
        let id = task_run_id(&self.exec.id, &task.id, parent);
        if self.exec.task_run(&id).is_none() {
            self.create(task, parent, id.clone());
        }
        let Some(run) = self.exec.task_run(&id) else {
            return Status::Failed;
        };
        let state = run.state.current;
        if state.is_terminal() {
            return match state {
                State::Success | State::Skipped => Status::Success,
                State::Warning => Status::Warning,
                _ if task.allow_failure => Status::Warning,
                _ => Status::Failed,
            };
        }
        if task.tasks.is_empty() {
            return Status::Pending;
        }
        let parallel = task.flowable == Some(Flowable::Parallel);
        let limit = task.properties.get("concurrent").and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        let children = self.list(&task.tasks, Some(&id), parallel, limit);
        let (end, status) = match children {
            Status::Pending => return Status::Pending,
            Status::Success => (State::Success, Status::Success),
            Status::Warning => (State::Warning, Status::Warning),
            Status::Failed => (
                State::Failed,
                if task.allow_failure {
                    Status::Warning
                } else {
                    Status::Failed
                },
            ),
        };
        if let Some(run) = self.exec.task_run_mut(&id) {
            run.state.set(end, self.now);
        }
        status
    }

    fn create(&mut self, task: &Task, parent: Option<&str>, id: String) {
        let now = self.now;
        let mut run = TaskRun {
            id: id.clone(),
            execution_id: self.exec.id.clone(),
            task_id: task.id.clone(),
            parent_task_run_id: parent.map(str::to_string),
            value: None,
            state: StateInfo::new(State::Created, now),
            attempts: Vec::new(),
            outputs: Map::new(),
        };
        let condition = match (&task.run_if, task.disabled) {
            (_, true) => Err("disabled".to_string()),
            (Some(expr), false) => self.run_if(expr, &run),
            (None, false) => Ok(()),
        };
        match condition {
            Err(reason) if reason.starts_with("runIf could not be rendered") => {
                run.attempts.push(Attempt {
                    reason: Some(reason),
                    ..Attempt::new(State::Failed, now)
                });
                run.state.set(State::Failed, now);
            }
            Err(_) => run.state.set(State::Skipped, now),
            Ok(()) if !task.tasks.is_empty() => run.state.set(State::Running, now),
            Ok(()) => {
                run.attempts.push(Attempt::new(State::Created, now));
                self.commands.push(Command::Run {
                    task_run_id: id,
                    attempt: 1,
                });
            }
        }
        self.exec.task_run_list.push(run);
    }

    /// `Ok` when the task should run; `Err` says why not.
    fn run_if(&self, expr: &str, run: &TaskRun) -> Result<(), String> {
        let context = render_context(self.flow, self.exec, Some(run));
        match self.engine.templates.render(expr, &context, &NoSecrets) {
            Ok(text) => match text.trim() {
                "" | "false" | "False" | "FALSE" | "0" | "null" | "none" | "None" => Err("runIf is false".into()),
                _ => Ok(()),
            },
            Err(e) => Err(format!("runIf could not be rendered: {e}")),
        }
    }
}
