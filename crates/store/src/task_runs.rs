//! Task runs stored as rows of their own: a step writes only the task runs it changed (and
//! deletes the ones it dropped), so its cost does not grow with the execution; the execution's
//! document holds the rest. The SQL is written once for both backends; [`task_run_rows!`]
//! expands the calls in each backend's module.

use crate::Result;
use crate::codec::{from_json, json};
use sluice_engine::{Execution, TaskRun};
use std::collections::HashMap;

/// Deletes every task run of an execution (binds: execution id).
pub(crate) const DELETE_ALL: &str = "DELETE FROM task_runs WHERE execution_id = $1";

/// Deletes one task run (binds: execution id, task run id).
pub(crate) const DELETE_ONE: &str = "DELETE FROM task_runs WHERE execution_id = $1 AND id = $2";

/// Writes one task run (binds: execution id, task run id, position, document).
pub(crate) const UPSERT: &str = "INSERT INTO task_runs (execution_id, id, position, document) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (execution_id, id) DO UPDATE SET position = excluded.position, document = excluded.document";

/// An execution's task runs in order (binds: execution id).
pub(crate) const SELECT: &str = "SELECT document FROM task_runs WHERE execution_id = $1 ORDER BY position";

/// The execution's document without its task runs.
pub(crate) fn head_json(e: &Execution) -> Result<String> {
    let head = Execution {
        id: e.id.clone(),
        namespace: e.namespace.clone(),
        flow_id: e.flow_id.clone(),
        flow_revision: e.flow_revision,
        state: e.state.clone(),
        inputs: e.inputs.clone(),
        labels: e.labels.clone(),
        task_run_list: Vec::new(),
        outputs: e.outputs.clone(),
        attempt_number: e.attempt_number,
        original_id: e.original_id.clone(),
        error: e.error.clone(),
        variables: e.variables.clone(),
        ending: e.ending,
        trigger: e.trigger.clone(),
    };
    json(&head, "an execution")
}

/// What a commit writes of the task runs.
pub(crate) struct RunWrites {
    /// The stored ones are all replaced (nothing is known of what is stored).
    pub replace_all: bool,
    /// Task runs no longer in the execution.
    pub deleted: Vec<String>,
    /// Task runs new or changed: (id, position, document).
    pub upserts: Vec<(String, i64, String)>,
}

impl RunWrites {
    /// What changed from `previous` (the execution as stored, when known) to `now`.
    pub(crate) fn of(previous: Option<&Execution>, now: &Execution) -> Result<RunWrites> {
        let before: HashMap<&str, (usize, &TaskRun)> = previous
            .map(|p| {
                p.task_run_list
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.id.as_str(), (i, r)))
                    .collect()
            })
            .unwrap_or_default();
        let mut upserts = Vec::new();
        for (i, run) in now.task_run_list.iter().enumerate() {
            if before
                .get(run.id.as_str())
                .is_some_and(|(j, old)| *j == i && *old == run)
            {
                continue;
            }
            upserts.push((
                run.id.clone(),
                i64::try_from(i).unwrap_or(i64::MAX),
                json(run, "a task run")?,
            ));
        }
        let kept: std::collections::HashSet<&str> = now.task_run_list.iter().map(|r| r.id.as_str()).collect();
        let deleted = before
            .keys()
            .filter(|id| !kept.contains(*id))
            .map(|id| id.to_string())
            .collect();
        Ok(RunWrites {
            replace_all: previous.is_none(),
            deleted,
            upserts,
        })
    }
}

/// An execution from its document and its task runs' documents, in order.
pub(crate) fn assemble(id: &str, head: &str, runs: &[String]) -> Result<Execution> {
    let mut execution: Execution = from_json(head, &format!("execution {id}"))?;
    execution.task_run_list = runs
        .iter()
        .map(|r| from_json(r, &format!("a task run of execution {id}")))
        .collect::<Result<_>>()?;
    Ok(execution)
}

/// Expands, in a backend's module, `write_task_runs` (inside the step's transaction) and
/// `read_task_runs`; `$conn` is the backend's connection type.
macro_rules! task_run_rows {
    ($conn:ty) => {
        /// Writes what changed of `execution`'s task runs since `previous`.
        async fn write_task_runs(
            conn: &mut $conn,
            execution: &sluice_engine::Execution,
            previous: Option<&sluice_engine::Execution>,
        ) -> $crate::Result<()> {
            const ACTION: &str = "saving task runs";
            let writes = $crate::task_runs::RunWrites::of(previous, execution)?;
            if writes.replace_all {
                sqlx::query($crate::task_runs::DELETE_ALL)
                    .bind(&execution.id)
                    .execute(&mut *conn)
                    .await
                    .map_err(super::db(ACTION))?;
            }
            for id in &writes.deleted {
                sqlx::query($crate::task_runs::DELETE_ONE)
                    .bind(&execution.id)
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .map_err(super::db(ACTION))?;
            }
            for (id, position, document) in &writes.upserts {
                sqlx::query($crate::task_runs::UPSERT)
                    .bind(&execution.id)
                    .bind(id)
                    .bind(position)
                    .bind(document)
                    .execute(&mut *conn)
                    .await
                    .map_err(super::db(ACTION))?;
            }
            Ok(())
        }

        /// The documents of an execution's task runs, in order.
        async fn read_task_runs<'e, E>(executor: E, id: &str) -> $crate::Result<Vec<String>>
        where
            E: sqlx::Executor<'e, Database = <$conn as sqlx::Connection>::Database>,
        {
            sqlx::query_scalar($crate::task_runs::SELECT)
                .bind(id)
                .fetch_all(executor)
                .await
                .map_err(super::db("reading task runs"))
        }
    };
}

pub(crate) use task_run_rows;

#[cfg(test)]
mod tests {
    use super::RunWrites;
    use jiff::Timestamp;
    use sluice_engine::{Execution, State, StateInfo, TaskRun};

    fn run(id: &str) -> TaskRun {
        TaskRun {
            id: id.into(),
            execution_id: "e".into(),
            task_id: id.into(),
            parent_task_run_id: None,
            value: None,
            iteration: None,
            state: StateInfo::new(State::Created, Timestamp::UNIX_EPOCH),
            attempts: Vec::new(),
            outputs: Default::default(),
        }
    }

    #[test]
    fn only_new_changed_and_moved_task_runs_are_written() {
        let flow = sluice_tasks::check_flow("id: f\nnamespace: n\ntasks:\n  - {id: l, type: Log, message: x}\n")
            .flow
            .unwrap();
        let mut before = Execution::new("e".into(), &flow, Default::default(), Timestamp::UNIX_EPOCH);
        before.task_run_list = vec![run("a"), run("b"), run("c")];
        let mut now = before.clone();
        now.task_run_list[1].state.set(State::Success, Timestamp::UNIX_EPOCH);
        now.task_run_list.remove(0);
        now.task_run_list.push(run("d"));
        let writes = RunWrites::of(Some(&before), &now).unwrap();
        let ids: Vec<&str> = writes.upserts.iter().map(|(id, _, _)| id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "d"], "b changed, c moved, d is new");
        assert_eq!(writes.deleted, ["a"]);
        assert!(!writes.replace_all);
        let unchanged = RunWrites::of(Some(&now), &now).unwrap();
        assert!(unchanged.upserts.is_empty() && unchanged.deleted.is_empty());
    }
}
