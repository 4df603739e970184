//! [`TriggerStore`] on PostgreSQL: compare-and-set of the next fire time, in the same transaction
//! as the execution it starts. A second scheduler firing the same tick waits for the first one's
//! row lock, then finds the next fire time changed and changes nothing.

use super::codec::{get, nanos, timestamp};
use super::{PostgresStore, db};
use crate::{Result, TriggerKey, TriggerState, TriggerStore};
use async_trait::async_trait;
use jiff::Timestamp;
use sluice_engine::{Event, Execution};

#[async_trait]
impl TriggerStore for PostgresStore {
    async fn trigger_states(&self) -> Result<Vec<TriggerState>> {
        let rows = sqlx::query(
            "SELECT namespace, flow_id, trigger_id, next_fire_at, last_fired_at, last_execution_id FROM triggers
             ORDER BY namespace, flow_id, trigger_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading triggers"))?;
        rows.iter()
            .map(|row| {
                let what = "a trigger";
                let last: Option<i64> = get(row, 4, what)?;
                Ok(TriggerState {
                    key: TriggerKey {
                        namespace: get(row, 0, what)?,
                        flow_id: get(row, 1, what)?,
                        trigger_id: get(row, 2, what)?,
                    },
                    next_fire_at: timestamp(get(row, 3, what)?, what)?,
                    last_fired_at: last.map(|n| timestamp(n, what)).transpose()?,
                    last_execution_id: get(row, 5, what)?,
                })
            })
            .collect()
    }

    async fn fire_trigger(
        &self,
        key: &TriggerKey,
        expected_next: Option<Timestamp>,
        next: Timestamp,
        start: Option<(&Execution, &Event)>,
        at: Timestamp,
    ) -> Result<bool> {
        const ACTION: &str = "firing a trigger";
        let mut tx = self.write(ACTION).await?;
        let fired_at = start.map(|_| nanos(at)).transpose()?;
        let execution_id = start.map(|(e, _)| e.id.clone());
        let changed = match expected_next {
            None => sqlx::query(
                "INSERT INTO triggers (namespace, flow_id, trigger_id, next_fire_at, last_fired_at, last_execution_id)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(&key.namespace)
            .bind(&key.flow_id)
            .bind(&key.trigger_id)
            .bind(nanos(next)?)
            .bind(fired_at)
            .bind(&execution_id)
            .execute(&mut *tx)
            .await
            .map_err(db(ACTION))?
            .rows_affected(),
            Some(expected) => sqlx::query(
                "UPDATE triggers SET next_fire_at = $1, last_fired_at = COALESCE($2, last_fired_at),
                 last_execution_id = COALESCE($3, last_execution_id)
                 WHERE namespace = $4 AND flow_id = $5 AND trigger_id = $6 AND next_fire_at = $7",
            )
            .bind(nanos(next)?)
            .bind(fired_at)
            .bind(&execution_id)
            .bind(&key.namespace)
            .bind(&key.flow_id)
            .bind(&key.trigger_id)
            .bind(nanos(expected)?)
            .execute(&mut *tx)
            .await
            .map_err(db(ACTION))?
            .rows_affected(),
        };
        if changed == 0 {
            return Ok(false);
        }
        if let Some((execution, event)) = start {
            super::executions::insert_new(&mut tx, execution, event, at).await?;
        }
        tx.commit().await.map_err(db(ACTION))?;
        Ok(true)
    }

    async fn delete_trigger(&self, key: &TriggerKey) -> Result<bool> {
        let result = sqlx::query("DELETE FROM triggers WHERE namespace = $1 AND flow_id = $2 AND trigger_id = $3")
            .bind(&key.namespace)
            .bind(&key.flow_id)
            .bind(&key.trigger_id)
            .execute(&self.pool)
            .await
            .map_err(db("deleting a trigger"))?;
        Ok(result.rows_affected() > 0)
    }
}
