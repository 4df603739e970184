//! Live progress in the terminal: task state changes and log lines as they reach the store,
//! prefixed with the task id, and a progress line on stderr when it is a terminal.

use jiff::Timestamp;
use sluice_engine::{Execution, State};
use sluice_store::{Level, LogQuery, Store};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};

/// Follows one execution, printing what changed since the last call.
pub struct Follower {
    execution_id: String,
    after_seq: u64,
    states: HashMap<String, (State, usize)>,
    to_stderr: bool,
    progress: bool,
    started: Timestamp,
}

impl Follower {
    /// Prints to stdout, or to stderr when stdout carries JSON.
    pub fn new(execution_id: &str, to_stderr: bool) -> Self {
        Follower {
            execution_id: execution_id.to_string(),
            after_seq: 0,
            states: HashMap::new(),
            to_stderr,
            progress: std::io::stderr().is_terminal(),
            started: Timestamp::now(),
        }
    }

    fn out(&self, text: &str) {
        let result = if self.to_stderr {
            writeln!(std::io::stderr().lock(), "{text}")
        } else {
            writeln!(std::io::stdout().lock(), "{text}")
        };
        // A closed pipe only ends the display; the execution goes on.
        let _ = result;
    }

    /// Prints new states and log lines; returns the execution as now stored.
    pub async fn poll(&mut self, store: &dyn Store) -> anyhow::Result<Option<Execution>> {
        let Some(exec) = store.get_execution(&self.execution_id).await? else {
            return Ok(None);
        };
        // Starts before the lines they printed, ends after them.
        for terminal in [false, true] {
            if terminal {
                loop {
                    let mut query = LogQuery::new(self.execution_id.clone(), 10_000);
                    query.after_seq = Some(self.after_seq);
                    let lines = store.logs(&query).await?;
                    let count = lines.len();
                    if self.progress && count > 0 {
                        eprint!("\r\x1b[2K");
                    }
                    for line in &lines {
                        let task = line.task_id.as_deref().unwrap_or("-");
                        let level = if line.level == Level::Info {
                            String::new()
                        } else {
                            format!("{} ", line.level)
                        };
                        self.out(&format!("[{task}] {level}{}", line.message));
                        self.after_seq = line.seq;
                    }
                    if count < 10_000 {
                        break;
                    }
                }
            }
            for run in exec
                .task_run_list
                .iter()
                .filter(|r| r.state.current.is_terminal() == terminal)
            {
                let now = (run.state.current, run.attempts.len());
                if self.states.get(&run.id) != Some(&now) {
                    let attempt = if run.attempts.len() > 1 {
                        format!(" (attempt {})", run.attempts.len())
                    } else {
                        String::new()
                    };
                    let reason = run
                        .attempts
                        .last()
                        .and_then(|a| a.reason.clone())
                        .filter(|_| run.state.current.is_terminal() && run.state.current != State::Success);
                    let why = reason.map(|r| format!(": {r}")).unwrap_or_default();
                    self.out(&format!("● {} {}{attempt}{why}", run.task_id, run.state.current));
                    self.states.insert(run.id.clone(), now);
                }
            }
        }
        if self.progress && !exec.state.current.is_terminal() {
            let done = exec
                .task_run_list
                .iter()
                .filter(|r| r.state.current.is_terminal())
                .count();
            let secs = Timestamp::now().duration_since(self.started).as_secs();
            eprint!(
                "\r\x1b[2K⟳ {} · {done}/{} task runs done · {}m{:02}s",
                exec.state.current,
                exec.task_run_list.len(),
                secs / 60,
                secs % 60
            );
            let _ = std::io::stderr().flush();
        }
        Ok(Some(exec))
    }

    /// Clears the progress line.
    pub fn finish(&self) {
        if self.progress {
            eprint!("\r\x1b[2K");
        }
    }
}
