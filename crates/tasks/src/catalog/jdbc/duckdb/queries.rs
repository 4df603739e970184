//! `io.kestra.plugin.jdbc.duckdb.Queries`: runs every statement of `sql` with DuckDB, one
//! after the other, and hands back the rows of the last one that returned rows, as
//! `fetchType` says (what Kestra's blueprints read as `outputs.<task>.rows`).
//!
//! Kestra: <https://kestra.io/plugins/plugin-jdbc-duckdb/io.kestra.plugin.jdbc.duckdb.Queries>

use super::PROPS;
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::TypeSpec;

/// The Queries task.
pub static QUERIES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.jdbc.duckdb.Queries",
        &["jdbc.duckdb.Queries"],
        &PROPS,
        "Runs several SQL statements with DuckDB.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    Ok(Plan::Job(Box::new(super::plan(task, cx, true)?)))
}
