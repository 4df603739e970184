//! `io.kestra.plugin.jdbc.postgresql.Queries`: runs several statements in one transaction and
//! hands the rows of each back as `fetchType` says, one entry of `outputs` per statement that
//! returned rows (STORE: one Ion file each), the last one's also as the task's own `row`, `rows`
//! or `uri`; `size` is the number of rows in all.
//!
//! Kestra: <https://kestra.io/plugins/plugin-jdbc-postgres/io.kestra.plugin.jdbc.postgresql.Queries>

use super::super::{Connection, FetchType, fetch_type, refuse_parameters, rows_outputs};
use super::query::PROPS;
use crate::catalog::TaskType;
use crate::props::StoredIds;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::{Map, Value};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, TypeSpec, no_effect};
use std::collections::BTreeMap;

/// `transaction`.
const TRANSACTION: Prop = no_effect(
    "transaction",
    Kind::Bool,
    "Run the statements in one transaction.",
    "they run in one transaction unless they hold BEGIN/COMMIT themselves",
);

/// Query's properties and `transaction`.
const ALL_PROPS: [Prop; 13] = [
    PROPS[0],
    PROPS[1],
    PROPS[2],
    PROPS[3],
    PROPS[4],
    PROPS[5],
    PROPS[6],
    PROPS[7],
    PROPS[8],
    PROPS[9],
    PROPS[10],
    PROPS[11],
    TRANSACTION,
];

/// The Queries task.
pub static QUERIES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.jdbc.postgresql.Queries",
        &["jdbc.postgresql.Queries"],
        &ALL_PROPS,
        "Runs several SQL statements on PostgreSQL.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    refuse_parameters(task)?;
    let connection = Connection::of(task, cx, "postgresql")?;
    let sql = crate::props::text(task, cx, "sql")?.unwrap_or_default();
    let fetch = fetch_type(task);
    let ids = StoredIds::of(cx);
    let task_id = task.id.clone();
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let ran = async {
            // Rows per statement, in memory: STORE writes them out afterwards.
            let mut rows: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
            let mut conn = super::connect(&connection).await?;
            super::execute(&mut conn, &sql, |n, row| {
                let kept = rows.entry(n).or_default();
                let keep = match fetch {
                    FetchType::Fetch | FetchType::Store => true,
                    FetchType::FetchOne => kept.is_empty(),
                    FetchType::None => false,
                };
                if keep {
                    kept.push(Value::Object(row));
                }
                Ok(())
            })
            .await?;
            let mut done = Finished::default();
            let mut outputs = Vec::new();
            let mut total = 0u64;
            for (n, statement) in rows {
                let size = statement.len() as u64;
                total += size;
                let mut out: Map<String, Value> = match fetch {
                    FetchType::Store => {
                        let name = format!("{task_id}_{}.ion", n + 1);
                        let path = crate::catalog::core::storage::scratch(&call, &name).await?;
                        let text: String = statement.iter().map(|r| sluice_flow::ion::write(r) + "\n").collect();
                        tokio::fs::write(&path, text)
                            .await
                            .map_err(|e| format!("cannot write the rows: {e}"))?;
                        let uri = ids.uri(&name);
                        done.stored.push((uri.clone(), path));
                        let mut out = rows_outputs(fetch, Vec::new(), size);
                        out.insert("uri".into(), Value::String(uri));
                        out
                    }
                    _ => rows_outputs(fetch, statement, size),
                };
                if fetch != FetchType::None {
                    out.insert("statement".into(), Value::from(n + 1));
                    outputs.push(Value::Object(out));
                }
            }
            if fetch != FetchType::None {
                // The last statement's rows are also the task's own (`outputs.<task>.rows`), as
                // Kestra's blueprints read them.
                if let Some(Value::Object(last)) = outputs.last() {
                    for key in ["row", "rows", "uri"] {
                        if let Some(v) = last.get(key) {
                            done.outputs.insert(key.into(), v.clone());
                        }
                    }
                }
                done.outputs.insert("outputs".into(), Value::Array(outputs));
                done.outputs.insert("size".into(), Value::from(total));
            }
            Ok::<_, String>(done)
        };
        ran.await.unwrap_or_else(Finished::failed)
    }))))
}
