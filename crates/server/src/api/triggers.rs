//! `GET /api/v1/triggers/search`: every trigger of every stored flow, in Kestra's shape —
//! `abstractTrigger` (the trigger as written) and `triggerContext` (its stored state: the last
//! and next fire of a schedule, the last execution it started).
//!
//! Kestra: <https://kestra.io/docs/api-reference/open-source#get-/api/v1/triggers/search>

use super::error::ApiResult;
use super::executions::MAX_PAGE_SIZE;
use super::extract::Params;
use crate::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use sluice_store::TriggerKey;
use std::collections::HashMap;

/// The handler: `namespace` (a prefix, as Kestra's), `flowId`, `page`, `size`.
pub async fn search(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let namespace = params.get("namespace").map(str::to_string);
    let flow_id = params.get("flowId").map(str::to_string);
    let page = params.number("page", 1, 1, u32::MAX)? as usize;
    let size = params.number("size", 10, 1, MAX_PAGE_SIZE)? as usize;
    let stored: HashMap<TriggerKey, _> = state
        .store
        .trigger_states()
        .await?
        .into_iter()
        .map(|s| (s.key.clone(), s))
        .collect();
    let mut rows = Vec::new();
    let mut flows = state.store.list_flows().await?;
    flows.sort_by(|a, b| (&a.namespace, &a.id).cmp(&(&b.namespace, &b.id)));
    for record in flows {
        if namespace
            .as_ref()
            .is_some_and(|n| !record.namespace.starts_with(n.as_str()))
            || flow_id.as_ref().is_some_and(|f| *f != record.id)
        {
            continue;
        }
        // A stored revision that no longer validates has no triggers to show.
        let Some(flow) = state.validator.check(&record.source).flow else {
            continue;
        };
        for trigger in &flow.triggers {
            let key = TriggerKey {
                namespace: flow.namespace.clone(),
                flow_id: flow.id.clone(),
                trigger_id: trigger.id.clone(),
            };
            let context = stored.get(&key);
            let mut written = serde_json::Map::new();
            written.insert("id".into(), json!(trigger.id));
            written.insert("type".into(), json!(trigger.type_name));
            written.insert("disabled".into(), json!(trigger.disabled));
            written.extend(trigger.properties.clone());
            rows.push(json!({
                "abstractTrigger": written,
                "triggerContext": {
                    "namespace": flow.namespace,
                    "flowId": flow.id,
                    "triggerId": trigger.id,
                    "disabled": trigger.disabled || flow.disabled,
                    "date": context.and_then(|c| c.last_fired_at),
                    "nextExecutionDate": context.map(|c| c.next_fire_at),
                    "executionId": context.and_then(|c| c.last_execution_id.clone()),
                },
            }));
        }
    }
    let total = rows.len();
    let results: Vec<Value> = rows.into_iter().skip((page - 1) * size).take(size).collect();
    Ok(Json(json!({ "results": results, "total": total })))
}
