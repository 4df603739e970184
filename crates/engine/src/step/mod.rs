//! The state machine: one event in, the execution moved on, commands out.
//!
//! This file applies events; [`walk`] walks the task tree afterwards.
//!
//! After applying the event, [`Engine::step`] walks the flow's task tree from the top and creates
//! whatever can start now. The walk is idempotent: running it twice creates nothing twice, which
//! is what makes replaying events after a crash safe.

mod change;
mod dag;
mod edit;
mod flowable;
mod loop_until;
mod walk;

use crate::event::{AttemptResult, ChildRun, Command, Event};
use crate::execution::{Attempt, Execution, StateInfo, TaskRun, task_run_id};
use crate::retry;
use crate::state::State;
use jiff::Timestamp;
use sluice_flow::Flow;
use sluice_flow::model::{RetryBehavior, Task};
use sluice_flow::template::{NoSecrets, TemplateEngine};
use std::collections::HashMap;
use std::time::Duration;

/// How far a list of tasks has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    /// Ended well.
    Success,
    /// Ended with a warning (or an allowed failure).
    Warning,
    /// Ended badly.
    Failed,
    /// Still going.
    Pending,
}

/// The execution engine. Holds only the template engine (for `runIf`); cheap to share.
#[derive(Default)]
pub struct Engine {
    templates: TemplateEngine,
}

struct Pass<'a> {
    engine: &'a Engine,
    flow: &'a Flow,
    exec: &'a mut Execution,
    now: Timestamp,
    commands: Vec<Command>,
    /// Position of each task run in `exec.task_run_list`, rebuilt before each walk, so a walk
    /// over a ForEach of thousands of values stays linear.
    index: HashMap<String, usize>,
    /// The state an Exit task asked the execution to end in, during this walk.
    exit: Option<State>,
    /// The LoopUntil round whose tasks are being walked, if any: part of their ids.
    iteration: Option<u32>,
}

impl Engine {
    /// A new engine.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `event`, which happened at `now`, to `exec` and returns what must be done next.
    ///
    /// Stale or duplicate events (an attempt that already ended, a timer for a task run that was
    /// killed) change nothing, except that a late start of a finished task run asks for a kill.
    pub fn step(&self, flow: &Flow, exec: &mut Execution, now: Timestamp, event: Event) -> Vec<Command> {
        if exec.state.current.is_terminal() {
            return match event {
                Event::AttemptStarted { task_run_id, .. } => vec![Command::Kill { task_run_id }],
                Event::ChangeTaskRunState { task_run_id, state } => {
                    let mut pass = Pass::new(self, flow, exec, now);
                    pass.change_state(&task_run_id, state);
                    pass.advance();
                    pass.commands
                }
                Event::Restart if exec.state.current.is_failure() => {
                    let mut pass = Pass::new(self, flow, exec, now);
                    pass.restart();
                    pass.advance();
                    pass.commands
                }
                _ => Vec::new(),
            };
        }
        let mut pass = Pass::new(self, flow, exec, now);
        match event {
            Event::Start => {
                if matches!(pass.exec.state.current, State::Created | State::Queued) {
                    pass.exec.state.set(State::Running, now);
                }
            }
            Event::AttemptStarted {
                task_run_id,
                attempt,
                handle,
            } => pass.started(&task_run_id, attempt, handle),
            Event::AttemptEnded {
                task_run_id,
                attempt,
                result,
            } => pass.ended(&task_run_id, attempt, result),
            Event::TimerFired { task_run_id, attempt } => pass.timer(&task_run_id, attempt),
            Event::Kill => pass.kill(),
            Event::Resume { inputs } => pass.resume(inputs),
            Event::Restart | Event::ChangeTaskRunState { .. } => {}
        }
        pass.advance();
        pass.commands
    }
}

fn find_task<'f>(tasks: &'f [Task], id: &str) -> Option<&'f Task> {
    tasks.iter().find_map(|t| {
        if t.id == id {
            Some(t)
        } else {
            t.child_lists().find_map(|l| find_task(l, id))
        }
    })
}

/// Whether `task_id` sits in the flow's `errors`, `finally` or `afterExecution`: branches that
/// run again at the end after a restart.
fn in_branch(flow: &Flow, task_id: &str) -> bool {
    [&flow.errors, &flow.finally, &flow.after_execution]
        .iter()
        .any(|list| find_task(list, task_id).is_some())
}

/// The task of the flow with this id, wherever it sits (main, errors, finally, nested).
pub fn task_by_id<'f>(flow: &'f Flow, id: &str) -> Option<&'f Task> {
    find_task(&flow.tasks, id)
        .or_else(|| find_task(&flow.errors, id))
        .or_else(|| find_task(&flow.finally, id))
        .or_else(|| find_task(&flow.after_execution, id))
}

impl<'a> Pass<'a> {
    /// A walk of `exec` at `now`, with nothing decided yet.
    fn new(engine: &'a Engine, flow: &'a Flow, exec: &'a mut Execution, now: Timestamp) -> Self {
        Pass {
            engine,
            flow,
            exec,
            now,
            commands: Vec::new(),
            index: HashMap::new(),
            exit: None,
            iteration: None,
        }
    }
}

impl Pass<'_> {
    fn started(&mut self, id: &str, attempt: u32, handle: Option<String>) {
        let now = self.now;
        let killing = self.exec.state.current == State::Killing;
        let Some(run) = self.exec.task_run_mut(id) else { return };
        if run.state.current.is_terminal() {
            self.commands.push(Command::Kill {
                task_run_id: id.to_string(),
            });
            return;
        }
        if attempt as usize != run.attempts.len() {
            return;
        }
        if let Some(a) = run.attempts.last_mut() {
            a.state.set(State::Running, now);
            a.handle = handle;
        }
        run.state.set(State::Running, now);
        if killing {
            self.commands.push(Command::Kill {
                task_run_id: id.to_string(),
            });
        }
    }

    fn ended(&mut self, id: &str, attempt: u32, mut result: AttemptResult) {
        let now = self.now;
        let killing = self.exec.state.current == State::Killing;
        let Some(task) = self.exec.task_run(id).and_then(|r| task_by_id(self.flow, &r.task_id)) else {
            return;
        };
        let policy = task.retry.as_ref().or(self
            .flow
            .retry
            .as_ref()
            .filter(|r| r.behavior == RetryBehavior::RetryFailedTask));
        let Some(run) = self.exec.task_run_mut(id) else { return };
        if run.state.current.is_terminal() || attempt as usize != run.attempts.len() {
            return;
        }
        let first_start = run.attempts.first().and_then(|a| a.state.start()).unwrap_or(now);
        if let Some(a) = run.attempts.last_mut() {
            let state = if killing { State::Killed } else { result.state };
            a.state.set(state, now);
            a.exit_code = result.exit_code;
            a.reason = result.reason.clone();
        }
        run.outputs.extend(result.outputs);
        let attempts = run.attempts.len() as u32;
        let state = match result.state {
            _ if killing => State::Killed,
            State::Killed => State::Killed,
            State::Success | State::Skipped => {
                if attempts > 1 && policy.is_some_and(|p| p.warning_on_retry) {
                    State::Warning
                } else {
                    State::Success
                }
            }
            State::Warning if task.allow_warning => State::Success,
            State::Warning => State::Warning,
            _ => {
                let since = Duration::try_from(now.duration_since(first_start)).unwrap_or(Duration::ZERO);
                let seed = id
                    .bytes()
                    .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
                let next = policy
                    .filter(|_| result.retryable)
                    .map(|p| (p, retry::delay(p, attempts + 1, seed)));
                if let Some((_, delay)) = next.filter(|(p, d)| retry::allows(p, attempts, since, *d)) {
                    let at = now.checked_add(delay).unwrap_or(now);
                    self.commands.push(Command::Timer {
                        task_run_id: id.to_string(),
                        attempt: attempts + 1,
                        at,
                    });
                    State::Retrying
                } else {
                    State::Failed
                }
            }
        };
        run.state.set(state, now);
        let children = std::mem::take(&mut result.children);
        self.add_children(id, children);
    }

    /// Replaces the children an attempt of task run `parent` reported.
    fn add_children(&mut self, parent: &str, children: Vec<ChildRun>) {
        let flow = self.flow;
        self.exec
            .task_run_list
            .retain(|r| r.parent_task_run_id.as_deref() != Some(parent) || task_by_id(flow, &r.task_id).is_some());
        for child in children {
            let mut state = StateInfo::new(State::Created, child.created);
            let mut attempt_state = None;
            if let Some(started) = child.started {
                state.set(State::Running, started);
                attempt_state = Some(StateInfo::new(State::Running, started));
            }
            let ended = child.ended.or(child.started).unwrap_or(child.created);
            state.set(child.state, ended);
            let attempts = match attempt_state {
                Some(mut a) => {
                    a.set(child.state, ended);
                    vec![Attempt {
                        state: a,
                        exit_code: None,
                        reason: child.reason.clone(),
                        handle: None,
                    }]
                }
                None => Vec::new(),
            };
            self.exec.task_run_list.push(TaskRun {
                id: task_run_id(&self.exec.id, &child.task_id, Some(parent), None),
                execution_id: self.exec.id.clone(),
                task_id: child.task_id,
                parent_task_run_id: Some(parent.to_string()),
                value: None,
                iteration: None,
                state,
                attempts,
                outputs: child.outputs,
            });
        }
    }

    fn timer(&mut self, id: &str, attempt: u32) {
        let now = self.now;
        if self.exec.task_run(id).is_some_and(|r| r.state.current == State::Paused) {
            return self.pause_elapsed(id);
        }
        if self.next_round(id, attempt) {
            return;
        }
        let Some(run) = self.exec.task_run_mut(id) else { return };
        if run.state.current != State::Retrying || attempt as usize != run.attempts.len() + 1 {
            return;
        }
        run.attempts.push(Attempt::new(State::Created, now));
        self.commands.push(Command::Run {
            task_run_id: id.to_string(),
            attempt,
        });
    }

    fn restart(&mut self) {
        let now = self.now;
        let flow = self.flow;
        // A flowable that failed as it opened (a condition that would not render) opens again.
        let failed_opening = |r: &TaskRun| {
            r.state.current.is_failure()
                && !r.attempts.is_empty()
                && task_by_id(flow, &r.task_id).is_some_and(|t| t.flowable.is_some())
        };
        self.exec
            .task_run_list
            .retain(|r| !in_branch(flow, &r.task_id) && !failed_opening(r));
        self.reopen();
        for run in &mut self.exec.task_run_list {
            // Children an attempt reported (dbt nodes) come back when their parent runs again.
            if !run.state.current.is_failure() || task_by_id(flow, &run.task_id).is_none() {
                continue;
            }
            if run.attempts.is_empty() {
                // A flowable: it is open again while its children rerun.
                run.state.set(State::Running, now);
                continue;
            }
            run.state.set(State::Restarted, now);
            let attempt = run.attempts.len() as u32 + 1;
            run.attempts.push(Attempt::new(State::Created, now));
            self.commands.push(Command::Run {
                task_run_id: run.id.clone(),
                attempt,
            });
        }
    }

    fn kill(&mut self) {
        let now = self.now;
        if self.exec.state.current == State::Killing {
            return;
        }
        self.exec.state.set(State::Killing, now);
        for run in &mut self.exec.task_run_list {
            if run.state.current.is_terminal() || run.attempts.is_empty() {
                continue;
            }
            if run.state.current != State::Running {
                // Queued or waiting for a retry: nothing runs yet, so it is killed now.
                run.state.set(State::Killed, now);
                if let Some(a) = run.attempts.last_mut().filter(|a| !a.state.current.is_terminal()) {
                    a.state.set(State::Killed, now);
                    a.reason = Some("killed before it started".into());
                }
            }
            self.commands.push(Command::Kill {
                task_run_id: run.id.clone(),
            });
        }
    }
}
