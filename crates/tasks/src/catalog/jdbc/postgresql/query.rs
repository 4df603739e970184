//! `io.kestra.plugin.jdbc.postgresql.Query`: runs `sql` and hands its rows back as `fetchType`
//! says (`row`, `rows`, an Ion file at `uri`, or nothing), with their number as `size`.
//!
//! Kestra: <https://kestra.io/plugins/plugin-jdbc-postgres/io.kestra.plugin.jdbc.postgresql.Query>

use super::super::{
    AUTO_COMMIT, Connection, FETCH, FETCH_ONE, FETCH_SIZE, FETCH_TYPE, FetchType, PASSWORD, Results, STORE, TIME_ZONE,
    URL, USERNAME, fetch_type, refuse_parameters,
};
use crate::catalog::TaskType;
use crate::catalog::core::storage::scratch;
use crate::props::StoredIds;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, TypeSpec, opt, req};

/// `sql`.
pub(super) const SQL: Prop = req("sql", Kind::String, "The SQL to run; templates are rendered.");
/// `parameters`.
pub(super) const PARAMETERS: Prop = opt(
    "parameters",
    Kind::Map,
    "Values for named `:name` placeholders (not bound yet: render values into `sql`).",
);

/// Query's properties, which Queries has too.
pub(super) const PROPS: [Prop; 12] = [
    URL,
    USERNAME,
    PASSWORD,
    SQL,
    FETCH_TYPE,
    PARAMETERS,
    FETCH,
    FETCH_ONE,
    STORE,
    FETCH_SIZE,
    TIME_ZONE,
    AUTO_COMMIT,
];

/// The Query task.
pub static QUERY: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.jdbc.postgresql.Query",
        &["jdbc.postgresql.Query"],
        &PROPS,
        "Runs a SQL query on PostgreSQL.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    refuse_parameters(task)?;
    let connection = Connection::of(task, cx, "postgresql")?;
    let sql = crate::props::text(task, cx, "sql")?.unwrap_or_default();
    let fetch = fetch_type(task);
    let name = format!("{}.ion", task.id);
    let uri = StoredIds::of(cx).uri(&name);
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let ran = async {
            let path = match fetch {
                FetchType::Store => Some(scratch(&call, &name).await?),
                _ => None,
            };
            let mut results = Results::new(fetch, path.as_ref())?;
            let mut conn = super::connect(&connection).await?;
            super::execute(&mut conn, &sql, |_, row| results.push(row)).await?;
            let (outputs, stored) = results.finish()?;
            Ok::<_, String>((outputs, path.filter(|_| stored)))
        };
        match ran.await {
            Ok((outputs, path)) => {
                let mut done = Finished {
                    outputs,
                    ..Finished::default()
                };
                if let Some(path) = path {
                    done.outputs.insert("uri".into(), Value::String(uri.clone()));
                    done.stored.push((uri, path));
                }
                done
            }
            Err(reason) => Finished::failed(reason),
        }
    }))))
}
