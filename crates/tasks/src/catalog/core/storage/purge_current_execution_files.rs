//! `io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles`: deletes every stored file of the
//! running execution (its inputs, output files, downloads); the output `uris` lists them.
//!
//! Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.purgecurrentexecutionfiles>

use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use serde_json::json;
use sluice_flow::model::Task;
use sluice_flow::schema::TypeSpec;

/// The PurgeCurrentExecutionFiles task.
pub static PURGE_CURRENT_EXECUTION_FILES: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles",
        &[
            "core.storage.PurgeCurrentExecutionFiles",
            "storage.PurgeCurrentExecutionFiles",
        ],
        &[],
        "Deletes every internal-storage file of the current execution.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let get = |a: &str, b: &str| cx.variables[a][b].as_str().unwrap_or("unknown").to_string();
    let folder = sluice_flow::storage::execution_folder_uri(
        &get("flow", "namespace"),
        &get("flow", "id"),
        &get("execution", "id"),
    );
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        match call.storage.0.delete_folder(&folder).await {
            Ok(uris) => {
                let mut done = Finished::default();
                done.logs.push((
                    "INFO".into(),
                    format!("deleted {} file(s) of the execution", uris.len()),
                ));
                done.outputs.insert("uris".into(), json!(uris));
                done
            }
            Err(e) => Finished::failed(format!("cannot delete the execution's files: {e}")),
        }
    }))))
}
