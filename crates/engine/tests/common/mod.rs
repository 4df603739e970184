//! A simulated executor and worker around the pure engine: queues `Run` commands, keeps timers,
//! and feeds events back, so tests can drive executions without processes or a database.

#![allow(dead_code)]

use jiff::{SignedDuration, Timestamp};
use sluice_engine::{AttemptResult, Command, Engine, Event, Execution, State};
use sluice_flow::Flow;

/// Parses a flow that must be valid.
pub fn flow(yaml: &str) -> Flow {
    let checked = sluice_tasks::check_flow(yaml);
    checked
        .flow
        .unwrap_or_else(|| panic!("invalid test flow: {:#?}", checked.diagnostics))
}

/// The engine, an execution, and what the engine asked for and has not been answered yet.
pub struct Sim {
    pub engine: Engine,
    pub flow: Flow,
    pub exec: Execution,
    pub now: Timestamp,
    /// Attempts asked to run and not yet started: (task run id, attempt).
    pub queued: Vec<(String, u32)>,
    /// Attempts running: (task run id, attempt).
    pub running: Vec<(String, u32)>,
    /// Timers: (task run id, attempt, at).
    pub timers: Vec<(String, u32, Timestamp)>,
    /// Every command, in order.
    pub log: Vec<Command>,
    pub ended: Option<State>,
}

impl Sim {
    /// A started execution of `yaml`.
    pub fn start(yaml: &str) -> Sim {
        Sim::start_with(yaml, serde_json::Map::new())
    }

    /// A started execution of `yaml` with these inputs.
    pub fn start_with(yaml: &str, inputs: serde_json::Map<String, serde_json::Value>) -> Sim {
        let flow = flow(yaml);
        let now: Timestamp = "2026-11-28T10:00:00Z".parse().unwrap();
        let exec = Execution::new("exec1".into(), &flow, inputs, now);
        let mut sim = Sim {
            engine: Engine::new(),
            flow,
            exec,
            now,
            queued: vec![],
            running: vec![],
            timers: vec![],
            log: vec![],
            ended: None,
        };
        sim.send(Event::Start);
        sim
    }

    /// Moves the clock.
    pub fn advance_ms(&mut self, ms: i64) {
        self.now = self.now.checked_add(SignedDuration::from_millis(ms)).unwrap();
    }

    /// Feeds one event and records the commands.
    pub fn send(&mut self, event: Event) -> Vec<Command> {
        let commands = self.engine.step(&self.flow, &mut self.exec, self.now, event);
        for c in &commands {
            match c {
                Command::Run { task_run_id, attempt } => self.queued.push((task_run_id.clone(), *attempt)),
                Command::Timer {
                    task_run_id,
                    attempt,
                    at,
                } => self.timers.push((task_run_id.clone(), *attempt, *at)),
                Command::Kill { task_run_id } => {
                    self.queued.retain(|(id, _)| id != task_run_id);
                    self.timers.retain(|(id, _, _)| id != task_run_id);
                }
                Command::Ended { state } => self.ended = Some(*state),
                Command::Retry { .. } => {}
            }
        }
        self.log.extend(commands.clone());
        commands
    }

    /// The task run id of a task.
    pub fn run_id(&self, task_id: &str) -> String {
        self.exec
            .task_run_list
            .iter()
            .find(|r| r.task_id == task_id)
            .map(|r| r.id.clone())
            .unwrap_or_else(|| {
                panic!(
                    "no task run for {task_id}: {:?}",
                    self.exec.task_run_list.iter().map(|r| &r.task_id).collect::<Vec<_>>()
                )
            })
    }

    /// Task ids queued right now, in order.
    pub fn queued_tasks(&self) -> Vec<String> {
        self.queued
            .iter()
            .map(|(id, _)| self.exec.task_run(id).unwrap().task_id.clone())
            .collect()
    }

    /// Starts the queued attempt of `task_id`.
    pub fn start_task(&mut self, task_id: &str) {
        let id = self.run_id(task_id);
        let pos = self
            .queued
            .iter()
            .position(|(q, _)| *q == id)
            .unwrap_or_else(|| panic!("{task_id} is not queued"));
        let (id, attempt) = self.queued.remove(pos);
        self.running.push((id.clone(), attempt));
        self.send(Event::AttemptStarted {
            task_run_id: id,
            attempt,
            handle: Some("pid:1".into()),
        });
    }

    /// Ends the running attempt of `task_id` with `state`.
    pub fn end_task(&mut self, task_id: &str, state: State) {
        self.end_task_with(task_id, state, Vec::new());
    }

    /// Ends the running attempt of `task_id` with `state`, reporting `children` beneath it.
    pub fn end_task_with(&mut self, task_id: &str, state: State, children: Vec<sluice_engine::ChildRun>) {
        let id = self.run_id(task_id);
        let pos = self
            .running
            .iter()
            .position(|(r, _)| *r == id)
            .unwrap_or_else(|| panic!("{task_id} is not running"));
        let (id, attempt) = self.running.remove(pos);
        let result = AttemptResult {
            state,
            exit_code: Some(i32::from(state != State::Success)),
            reason: None,
            outputs: Default::default(),
            retryable: true,
            children,
        };
        self.send(Event::AttemptEnded {
            task_run_id: id,
            attempt,
            result,
        });
    }

    /// Starts then ends `task_id`.
    pub fn run_task(&mut self, task_id: &str, state: State) {
        self.start_task(task_id);
        self.end_task(task_id, state);
    }

    /// Fires the earliest timer, moving the clock to it.
    pub fn fire_timer(&mut self) -> Timestamp {
        self.timers.sort_by_key(|t| t.2);
        let (id, attempt, at) = self.timers.remove(0);
        self.now = self.now.max(at);
        self.send(Event::TimerFired {
            task_run_id: id,
            attempt,
        });
        at
    }

    /// Starts and ends the queued attempt at `index` of the queue, with these outputs.
    pub fn run_queued(&mut self, index: usize, state: State, outputs: serde_json::Map<String, serde_json::Value>) {
        let (id, attempt) = self.queued.remove(index);
        self.send(Event::AttemptStarted {
            task_run_id: id.clone(),
            attempt,
            handle: None,
        });
        self.send(Event::AttemptEnded {
            task_run_id: id,
            attempt,
            result: AttemptResult {
                outputs,
                ..AttemptResult::new(state, "simulated")
            },
        });
    }

    /// (task id, iteration value) of each queued attempt, in order.
    pub fn queued_values(&self) -> Vec<(String, Option<String>)> {
        self.queued
            .iter()
            .map(|(id, _)| {
                let run = self.exec.task_run(id).unwrap();
                (run.task_id.clone(), run.value.clone())
            })
            .collect()
    }

    /// The state of a task's run.
    pub fn state_of(&self, task_id: &str) -> State {
        self.exec.task_run(&self.run_id(task_id)).unwrap().state.current
    }
}
