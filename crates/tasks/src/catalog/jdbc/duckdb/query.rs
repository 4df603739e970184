//! `io.kestra.plugin.jdbc.duckdb.Query`: runs `sql` with DuckDB and hands the rows back as
//! `fetchType` says (the last statement's, when `sql` holds several).
//!
//! Kestra: <https://kestra.io/plugins/plugin-jdbc-duckdb/io.kestra.plugin.jdbc.duckdb.Query>

use super::PROPS;
use crate::catalog::TaskType;
use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::TypeSpec;

/// The Query task.
pub static QUERY: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.jdbc.duckdb.Query",
        &["jdbc.duckdb.Query"],
        &PROPS,
        "Runs a SQL query with DuckDB.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    Ok(Plan::Job(Box::new(super::plan(task, cx, false)?)))
}
