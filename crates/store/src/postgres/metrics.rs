//! [`MetricStore`] on PostgreSQL: one row per metric value, tags as `json`.

use super::codec::{from_json, get, json};
use super::{PostgresStore, db};
use crate::{Metric, MetricKind, MetricStore, Result, StoreError, StoredMetric};
use async_trait::async_trait;

#[async_trait]
impl MetricStore for PostgresStore {
    async fn add_metrics(&self, execution_id: &str, task_run_id: &str, metrics: &[Metric]) -> Result<()> {
        const ACTION: &str = "storing metrics";
        if metrics.is_empty() {
            return Ok(());
        }
        let mut tx = self.write(ACTION).await?;
        for metric in metrics {
            sqlx::query(
                "INSERT INTO metrics (execution_id, task_run_id, name, kind, value, tags)
                 VALUES ($1, $2, $3, $4, $5, $6::json)",
            )
            .bind(execution_id)
            .bind(task_run_id)
            .bind(&metric.name)
            .bind(metric.kind.as_str())
            .bind(metric.value)
            .bind(json(&metric.tags, "metric tags")?)
            .execute(&mut *tx)
            .await
            .map_err(db(ACTION))?;
        }
        tx.commit().await.map_err(db(ACTION))
    }

    async fn metrics(&self, execution_id: &str) -> Result<Vec<StoredMetric>> {
        let rows = sqlx::query(
            "SELECT id, task_run_id, name, kind, value, tags::text FROM metrics WHERE execution_id = $1 ORDER BY id",
        )
        .bind(execution_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading metrics"))?;
        rows.iter()
            .map(|row| {
                let id: i64 = get(row, 0, "metric")?;
                let what = format!("metric {id}");
                let kind: String = get(row, 3, &what)?;
                let tags: String = get(row, 5, &what)?;
                Ok(StoredMetric {
                    execution_id: execution_id.to_owned(),
                    task_run_id: get(row, 1, &what)?,
                    metric: Metric {
                        name: get(row, 2, &what)?,
                        kind: MetricKind::parse(&kind).ok_or_else(|| {
                            StoreError::corrupt_value(what.clone(), format!("unknown metric kind {kind:?}"))
                        })?,
                        value: get(row, 4, &what)?,
                        tags: from_json(&tags, &what)?,
                    },
                })
            })
            .collect()
    }
}
