//! LoopUntil: its tasks run in rounds; after each round that ends well, `condition` is
//! rendered, and the loop ends when it is true. Otherwise the next round starts
//! `checkFrequency.interval` later (default PT1M) through a stored timer, unless
//! `checkFrequency.maxIterations` or `maxDuration` is reached: then it ends, failed if
//! `failOnMaxReached`. The round is the output `iterationCount` (1 for the first) and each
//! run's `iteration`; later tasks read the last round's outputs.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.loopuntil>

use super::{Pass, Status};
use crate::event::Command;
use crate::execution::Attempt;
use crate::state::State;
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::template::truthy;
use std::time::Duration;

/// Where the loop keeps the round a timer will start.
const NEXT: &str = "nextIteration";

impl Pass<'_> {
    /// Walks the LoopUntil task run `id`.
    pub(super) fn loop_until(&mut self, task: &Task, id: &str) -> Status {
        let Some(run) = self.run(id) else { return Status::Failed };
        if run.outputs.contains_key(NEXT) {
            return Status::Pending;
        }
        let round = run.outputs.get("iterationCount").and_then(Value::as_u64).unwrap_or(1) as u32;
        let started = run.state.start().unwrap_or(self.now);
        let saved = self.iteration.replace(round);
        let status = self.list(&task.tasks, Some(id), None, false, 0);
        self.iteration = saved;
        if matches!(status, Status::Pending | Status::Failed) {
            return status;
        }
        let check = task.properties.get("checkFrequency");
        let setting = |name: &str| check.and_then(|c| c.get(name));
        let duration = |name: &str| {
            setting(name)
                .and_then(Value::as_str)
                .and_then(|t| sluice_flow::duration::parse_duration(t).ok())
        };
        let Some(run) = self.run(id).cloned() else {
            return Status::Failed;
        };
        let raw = task.properties.get("condition").cloned().unwrap_or(Value::Null);
        let done = match self.render_text(&raw, &run, "condition") {
            Ok(text) => truthy(&text),
            Err(reason) => return self.fail_loop(id, reason),
        };
        if done {
            return status;
        }
        let max_rounds = setting("maxIterations").and_then(Value::as_u64);
        let elapsed = Duration::try_from(self.now.duration_since(started)).unwrap_or(Duration::ZERO);
        let out_of_time = duration("maxDuration").is_some_and(|max| elapsed >= max);
        if max_rounds.is_some_and(|m| u64::from(round) >= m) || out_of_time {
            let fail = matches!(task.properties.get("failOnMaxReached"), Some(Value::Bool(true)))
                || task.properties.get("failOnMaxReached").and_then(Value::as_str) == Some("true");
            return match fail {
                true => self.fail_loop(
                    id,
                    format!("`{}` reached its limit before its condition was true", task.id),
                ),
                false => status,
            };
        }
        let interval = duration("interval").unwrap_or(Duration::from_secs(60));
        let at = self.now.checked_add(interval).unwrap_or(self.now);
        self.commands.push(Command::Timer {
            task_run_id: id.to_string(),
            attempt: round + 1,
            at,
        });
        if let Some(run) = self.exec.task_run_mut(id) {
            run.outputs.insert(NEXT.into(), Value::from(round + 1));
        }
        Status::Pending
    }

    /// The loop's timer fired: its next round starts. False when `id` is no waiting loop.
    pub(super) fn next_round(&mut self, id: &str, round: u32) -> bool {
        let Some(run) = self.exec.task_run_mut(id) else {
            return false;
        };
        if run.state.current != State::Running || run.outputs.get(NEXT) != Some(&Value::from(round)) {
            return false;
        }
        run.outputs.remove(NEXT);
        run.outputs.insert("iterationCount".into(), Value::from(round));
        true
    }

    /// Fails the loop and keeps why, as an attempt's reason.
    fn fail_loop(&mut self, id: &str, reason: String) -> Status {
        let now = self.now;
        if let Some(run) = self.exec.task_run_mut(id) {
            run.attempts.push(Attempt {
                reason: Some(reason),
                ..Attempt::new(State::Failed, now)
            });
        }
        Status::Failed
    }
}
