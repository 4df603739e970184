//! `io.kestra.plugin.core.storage.FilterItems`: a new Ion file with the records of `from` that
//! `filterCondition` (a Pebble expression over `value`, the record, rendered per record) keeps:
//! `filterType` INCLUDE (default) keeps the matches, EXCLUDE drops them; `errorOrNullBehavior`
//! says what a record whose expression fails or gives null gets (FAIL, INCLUDE, EXCLUDE).
//! Outputs `uri`, `processedItemsTotal`, `droppedItemsTotal`.
//!
//! Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.filteritems>

use super::items::{IonWriter, Records};
use super::{address, local, per_record, scratch, stored_one};
use crate::catalog::TaskType;
use crate::props::StoredIds;
use crate::{Call, Plan, PlanContext, TaskError};
use serde_json::{Value, json};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, opt, req};
use sluice_flow::template::{NoSecrets, TemplateEngine};

/// The FilterItems task.
pub static FILTER_ITEMS: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.storage.FilterItems",
        &["core.storage.FilterItems", "storage.FilterItems"],
        &[
            req("from", Kind::String, "The Ion file's kestra:// address."),
            req(
                "filterCondition",
                Kind::Text,
                "A Pebble expression over `value`, the record, rendered for each record: `{{ value.amount > 10 }}`.",
            ),
            opt(
                "filterType",
                Kind::Enum(&["INCLUDE", "EXCLUDE"]),
                "Keep the records that match (INCLUDE, default) or drop them (EXCLUDE).",
            ),
            opt(
                "errorOrNullBehavior",
                Kind::Enum(&["FAIL", "INCLUDE", "EXCLUDE"]),
                "When the expression fails or is null: fail (default), keep or drop the record.",
            ),
        ],
        "Keeps the records of an Ion file that match an expression.",
    ),
    plan: Some(plan),
};

/// Whether a rendered condition holds: Kestra's truth (`0`, `-0`, `""` and `false` are false);
/// `None` for null.
pub(super) fn truth(value: &Value) -> Option<bool> {
    match value {
        Value::Null => None,
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_f64().is_some_and(|f| f != 0.0)),
        Value::String(s) => Some(!matches!(s.trim(), "" | "0" | "-0" | "false")),
        _ => Some(true),
    }
}

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let from = address(task, cx, "from")?;
    let condition = per_record(task, "filterCondition", "{{ value.amount > 10 }}")?;
    let choice =
        |key: &str, default: &str| crate::props::text(task, cx, key).map(|v| v.unwrap_or_else(|| default.into()));
    let include = choice("filterType", "INCLUDE")? != "EXCLUDE";
    let on_error = choice("errorOrNullBehavior", "FAIL")?;
    let variables = cx.variables.clone();
    let name = format!("{}.ion", task.id);
    let uri = StoredIds::of(cx).uri(&name);
    let timeout = crate::props::timeout(task, cx)?;
    let reads = vec![from.clone()];
    let mut call = Call::new(timeout, move |call| async move {
        let (mut kept, mut dropped) = (0u64, 0u64);
        let made = async {
            let path = scratch(&call, &name).await?;
            let mut out = IonWriter::create(&path).await?;
            let mut context = variables;
            let mut records = Records::open(&local(&call, &from)?).await?;
            while let Some(record) = records.next().await? {
                context["value"] = record.clone();
                let matched = match TemplateEngine.render_value(&condition, &context, &NoSecrets) {
                    Ok(v) => truth(&v),
                    Err(e) if on_error == "FAIL" => {
                        return Err(format!("`filterCondition` failed on record {record}: {e}"));
                    }
                    Err(_) => None,
                };
                let keep = match matched {
                    Some(m) => m == include,
                    None if on_error == "FAIL" => {
                        return Err(format!(
                            "`filterCondition` is null on record {record}; set `errorOrNullBehavior`"
                        ));
                    }
                    None => on_error == "INCLUDE",
                };
                if keep {
                    out.write(&record).await?;
                    kept += 1;
                } else {
                    dropped += 1;
                }
            }
            out.finish().await?;
            Ok::<_, String>(path)
        };
        let result = made.await;
        let mut done = stored_one(result, uri);
        if done.failure.is_none() {
            done.outputs.insert("processedItemsTotal".into(), json!(kept + dropped));
            done.outputs.insert("droppedItemsTotal".into(), json!(dropped));
        }
        done
    });
    call.reads = reads;
    Ok(Plan::Call(Box::new(call)))
}
