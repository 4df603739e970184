//! The walk of the task tree after each event: create what can start, close what has ended,
//! and end the execution when its branches are done.

use super::{NoSecrets, Pass, Status};
use crate::context::render_context;
use crate::event::Command;
use crate::execution::{Attempt, StateInfo, TaskRun, task_run_id};
use crate::retry;
use crate::state::State;
use serde_json::{Map, Value};
use sluice_flow::model::{Flowable, RetryBehavior, Task};
use std::time::Duration;

impl Pass<'_> {
    /// Creates what can start and closes what has finished, top down; the execution is then
    /// PAUSED while one of its Pause tasks is, as in Kestra.
    pub(super) fn advance(&mut self) {
        self.walk();
        if matches!(self.exec.state.current, State::Running | State::Paused) {
            let paused = self.exec.task_run_list.iter().any(|r| r.state.current == State::Paused);
            let now = self.now;
            self.exec
                .state
                .set(if paused { State::Paused } else { State::Running }, now);
        }
    }

    fn walk(&mut self) {
        let now = self.now;
        match self.exec.state.current {
            State::Killing => {
                self.close_flowables(State::Killed);
                if self.exec.task_run_list.iter().all(|r| r.state.current.is_terminal()) {
                    self.finish(State::Killed);
                }
                return;
            }
            State::Running | State::Paused => {}
            _ => return,
        }
        let flow = self.flow;
        self.reindex();
        if let Some(state) = self.exec.ending {
            return self.after_execution(state);
        }
        let main = self.list(&flow.tasks, None, None, false, 0);
        if let Some(state) = self.exit.take() {
            return self.exit(state);
        }
        if main == Status::Pending {
            return;
        }
        if main == Status::Failed
            && !flow.errors.is_empty()
            && self.list(&flow.errors, None, None, false, 0) == Status::Pending
        {
            return;
        }
        let last = self.list(&flow.finally, None, None, false, 0);
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

    /// An Exit task ends the execution in `state`; only KILLED stops what still runs, as in
    /// Kestra (other task runs' late events then find the execution ended).
    fn exit(&mut self, state: State) {
        if state == State::Killed {
            self.kill();
            return self.advance();
        }
        self.finish(state);
    }

    fn finish(&mut self, mut state: State) {
        if matches!(state, State::Success | State::Warning)
            && let Err(e) = self.render_outputs()
        {
            self.exec.error = Some(e);
            state = State::Failed;
        }
        if state != State::Killed && !self.flow.after_execution.is_empty() && self.exec.ending.is_none() {
            self.exec.ending = Some(state);
            return self.after_execution(state);
        }
        self.end(state);
    }

    /// Walks `afterExecution` while the execution's final state is known but not yet set; how
    /// its tasks end never changes that state, as in Kestra.
    fn after_execution(&mut self, state: State) {
        let flow = self.flow;
        if self.list(&flow.after_execution, None, None, false, 0) != Status::Pending {
            self.end(state);
        }
    }

    fn end(&mut self, state: State) {
        self.exec.ending = None;
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

    /// Rebuilds the position index of task runs (before a walk).
    fn reindex(&mut self) {
        self.index.clear();
        for (i, run) in self.exec.task_run_list.iter().enumerate() {
            self.index.insert(run.id.clone(), i);
        }
    }

    /// The task run of this id, found through the index.
    pub(super) fn run(&self, id: &str) -> Option<&TaskRun> {
        self.index.get(id).and_then(|&i| self.exec.task_run_list.get(i))
    }

    fn run_mut(&mut self, id: &str) -> Option<&mut TaskRun> {
        self.index.get(id).and_then(|&i| self.exec.task_run_list.get_mut(i))
    }

    /// The id of the run of `task_id` under `parent` for `value`, in the LoopUntil round being
    /// walked (the first round keeps the plain id).
    pub(super) fn child_id(&self, task_id: &str, parent: Option<&str>, value: Option<&str>) -> String {
        match self.iteration.filter(|&k| k > 1) {
            Some(k) => task_run_id(
                &self.exec.id,
                task_id,
                parent,
                Some(&format!("{}\0round {k}", value.unwrap_or(""))),
            ),
            None => task_run_id(&self.exec.id, task_id, parent, value),
        }
    }

    /// Walks a list of tasks under `parent` for the iteration `value`: in order (`parallel`
    /// false) or at once, at most `limit` (0: no limit).
    pub(super) fn list(
        &mut self,
        tasks: &[Task],
        parent: Option<&str>,
        value: Option<&str>,
        parallel: bool,
        limit: usize,
    ) -> Status {
        let mut worst = Status::Success;
        let mut pending = 0;
        for task in tasks {
            if self.exit.is_some() {
                // An Exit ends the execution: nothing more starts.
                return Status::Pending;
            }
            let exists = self.index.contains_key(&self.child_id(&task.id, parent, value));
            if parallel && !exists && (worst == Status::Failed || (limit > 0 && pending >= limit)) {
                if worst != Status::Failed {
                    pending += 1;
                }
                continue;
            }
            match self.task(task, parent, value) {
                Status::Pending if parallel => pending += 1,
                Status::Pending => return Status::Pending,
                Status::Failed if !parallel => return Status::Failed,
                s => worst = worst.max(s),
            }
        }
        if pending > 0 { Status::Pending } else { worst }
    }

    pub(super) fn task(&mut self, task: &Task, parent: Option<&str>, value: Option<&str>) -> Status {
        let id = self.child_id(&task.id, parent, value);
        if !self.index.contains_key(&id) {
            self.create(task, parent, value, id.clone());
        }
        let Some(run) = self.run(&id) else {
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
        let Some(kind) = task.flowable else {
            return Status::Pending;
        };
        let mut children = match self.children(task, kind, &id) {
            Status::Pending => return Status::Pending,
            s => s,
        };
        // A failed child runs the flowable's own `errors`; the flowable still fails, as in Kestra.
        if children == Status::Failed
            && let Some(errors) = task.branch("errors")
            && self.list(errors, Some(&id), None, false, 0) == Status::Pending
        {
            return Status::Pending;
        }
        if let Some(last) = task.branch("finally") {
            match self.list(last, Some(&id), None, false, 0) {
                Status::Pending => return Status::Pending,
                s => children = children.max(s),
            }
        }
        let (end, status) = match children {
            Status::Failed if kind == Flowable::AllowFailure => (State::Warning, Status::Warning),
            Status::Pending | Status::Success => (State::Success, Status::Success),
            Status::Warning => (State::Warning, Status::Warning),
            Status::Failed if task.allow_failure => (State::Failed, Status::Warning),
            Status::Failed => (State::Failed, Status::Failed),
        };
        let now = self.now;
        if let Some(run) = self.run_mut(&id) {
            run.state.set(end, now);
        }
        status
    }

    fn create(&mut self, task: &Task, parent: Option<&str>, value: Option<&str>, id: String) {
        let now = self.now;
        let mut run = TaskRun {
            id: id.clone(),
            execution_id: self.exec.id.clone(),
            task_id: task.id.clone(),
            parent_task_run_id: parent.map(str::to_string),
            value: value.map(str::to_string),
            iteration: self.iteration,
            state: StateInfo::new(State::Created, now),
            attempts: Vec::new(),
            outputs: Map::new(),
        };
        let condition = match (&task.run_if, task.disabled) {
            (_, true) => Err("disabled".to_string()),
            (Some(expr), false) => self.run_if(expr, &run),
            (None, false) => Ok(()),
        };
        let opened = match condition {
            Err(reason) if reason.starts_with("runIf could not be rendered") => Err(reason),
            Err(_) => {
                run.state.set(State::Skipped, now);
                Ok(())
            }
            Ok(()) if task.flowable.is_some() => self.open(task, &mut run).map(|()| {
                let state = match task.flowable {
                    Some(Flowable::Pause) => State::Paused,
                    Some(Flowable::Exit) => self.exit.unwrap_or(State::Success),
                    _ => State::Running,
                };
                run.state.set(state, now);
            }),
            Ok(()) => {
                run.attempts.push(Attempt::new(State::Created, now));
                self.commands.push(Command::Run {
                    task_run_id: id.clone(),
                    attempt: 1,
                });
                Ok(())
            }
        };
        if let Err(reason) = opened {
            // Kept as an attempt's reason, so the UI and `sluice execution` say why.
            run.attempts.push(Attempt {
                reason: Some(reason),
                ..Attempt::new(State::Failed, now)
            });
            run.state.set(State::Failed, now);
        }
        self.index.insert(id, self.exec.task_run_list.len());
        self.exec.task_run_list.push(run);
    }

    /// The flow's `outputs`, rendered into the execution's once its tasks succeeded; a lone
    /// expression keeps its type, as Kestra's typed outputs do.
    fn render_outputs(&mut self) -> Result<(), String> {
        if self.flow.outputs.is_empty() {
            return Ok(());
        }
        let context = render_context(self.flow, self.exec, None);
        let templates = &self.engine.templates;
        let mut rendered = Map::new();
        for (id, template) in &self.flow.outputs {
            let value = match template {
                Value::String(s) => templates
                    .render_value(s, &context, &NoSecrets)
                    .map_err(|e| format!("flow output `{id}` could not be rendered: {e}"))?,
                other => other.clone(),
            };
            rendered.insert(id.clone(), value);
        }
        self.exec.outputs = rendered;
        Ok(())
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
