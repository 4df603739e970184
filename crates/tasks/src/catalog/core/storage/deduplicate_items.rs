//! `io.kestra.plugin.core.storage.DeduplicateItems`: a new Ion file with one record per key of
//! `expr` (a Pebble expression over `value`, the record): the last record of each key, in the
//! file's order. The file is read twice; only the keys are held in memory. Outputs `uri`,
//! `numKeys`, `processedItemsTotal`, `droppedItemsTotal`.
//!
//! Kestra: <https://kestra.io/plugins/core/storage/io.kestra.plugin.core.storage.deduplicateitems>

use super::items::{IonWriter, Records};
use super::{address, local, per_record, scratch, stored_one};
use crate::catalog::TaskType;
use crate::props::StoredIds;
use crate::{Call, Plan, PlanContext, TaskError};
use serde_json::{Value, json};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, req};
use sluice_flow::template::{NoSecrets, TemplateEngine};
use std::collections::HashMap;

/// The DeduplicateItems task.
pub static DEDUPLICATE_ITEMS: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.storage.DeduplicateItems",
        &["core.storage.DeduplicateItems", "storage.DeduplicateItems"],
        &[
            req("from", Kind::String, "The Ion file's kestra:// address."),
            req(
                "expr",
                Kind::Text,
                "A Pebble expression over `value`, the record, giving its key: `{{ value.id }}`.",
            ),
        ],
        "Keeps the last record of each key of an Ion file.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let from = address(task, cx, "from")?;
    let expr = per_record(task, "expr", "{{ value.id }}")?;
    let variables = cx.variables.clone();
    let name = format!("{}.ion", task.id);
    let uri = StoredIds::of(cx).uri(&name);
    let timeout = crate::props::timeout(task, cx)?;
    let reads = vec![from.clone()];
    let mut call = Call::new(timeout, move |call| async move {
        let mut context = variables;
        let mut key_of = move |record: &Value| -> Result<String, String> {
            context["value"] = record.clone();
            TemplateEngine
                .render(&expr, &context, &NoSecrets)
                .map_err(|e| format!("`expr` failed on record {record}: {e}"))
        };
        let (mut total, mut last) = (0u64, HashMap::new());
        let made = async {
            let source = local(&call, &from)?;
            let mut records = Records::open(&source).await?;
            let mut index = 0u64;
            while let Some(record) = records.next().await? {
                last.insert(key_of(&record)?, index);
                index += 1;
            }
            let path = scratch(&call, &name).await?;
            let mut out = IonWriter::create(&path).await?;
            let mut records = Records::open(&source).await?;
            let mut index = 0u64;
            while let Some(record) = records.next().await? {
                if last.get(&key_of(&record)?) == Some(&index) {
                    out.write(&record).await?;
                }
                index += 1;
            }
            total = index;
            out.finish().await?;
            Ok::<_, String>(path)
        };
        let result = made.await;
        let mut done = stored_one(result, uri);
        if done.failure.is_none() {
            let keys = last.len() as u64;
            done.outputs.insert("numKeys".into(), json!(keys));
            done.outputs.insert("processedItemsTotal".into(), json!(total));
            done.outputs
                .insert("droppedItemsTotal".into(), json!(total.saturating_sub(keys)));
        }
        done
    });
    call.reads = reads;
    Ok(Plan::Call(Box::new(call)))
}
