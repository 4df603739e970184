//! The KV store ([`sluice_tasks::kv::KvStore`]) on both backends, written once: the same SQL
//! (`$n` parameters, which SQLite reads as well as PostgreSQL) and the same code, instantiated
//! for each store by [`kv_store!`].

use crate::StoreError;
use sluice_tasks::kv::StateError;

impl From<StoreError> for StateError {
    fn from(e: StoreError) -> Self {
        StateError { source: Box::new(e) }
    }
}

/// Columns of a pair, in the order [`kv_store!`] reads them.
macro_rules! kv_columns {
    () => {
        "namespace, key, kv_type, value, description, created, updated, expires"
    };
}

/// One live pair (binds: namespace, key, now).
pub(crate) const GET: &str = concat!(
    "SELECT ",
    kv_columns!(),
    " FROM kv WHERE namespace = $1 AND key = $2 AND (expires IS NULL OR expires > $3)"
);

/// Pairs of a namespace or of all, live at a time or all (binds: namespace or null, now or null).
pub(crate) const LIST: &str = concat!(
    "SELECT ",
    kv_columns!(),
    " FROM kv WHERE ($1 IS NULL OR namespace = $1) AND ($2 IS NULL OR expires IS NULL OR expires > $2) \
     ORDER BY namespace, key"
);

/// Writes a pair. An existing one is replaced when overwriting or when it has expired (then it
/// counts as new: its creation time is the write's). Binds: namespace, key, type, value,
/// description, at, expires, overwrite.
pub(crate) const PUT: &str = "INSERT INTO kv (namespace, key, kv_type, value, description, created, updated, expires) \
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7) \
     ON CONFLICT (namespace, key) DO UPDATE SET kv_type = excluded.kv_type, value = excluded.value, \
     description = excluded.description, updated = excluded.updated, expires = excluded.expires, \
     created = CASE WHEN kv.expires IS NOT NULL AND kv.expires <= excluded.updated THEN excluded.created ELSE kv.created END \
     WHERE $8 OR (kv.expires IS NOT NULL AND kv.expires <= excluded.updated)";

/// Deletes a pair and says when it expired (binds: namespace, key).
pub(crate) const DELETE: &str = "DELETE FROM kv WHERE namespace = $1 AND key = $2 RETURNING expires";

/// Implements [`sluice_tasks::kv::KvStore`] for a store: `$store` its type, `$row` its row
/// type, `$read` and `$write` the fields of the pools it reads and writes with. Expands in the
/// backend's module, whose `codec` and `db` it uses.
macro_rules! kv_store {
    ($store:ty, $row:ty, $read:ident, $write:ident) => {
        fn kv_entry(row: &$row) -> $crate::Result<sluice_tasks::kv::KvEntry> {
            use super::codec::{get, timestamp};
            let what = "a KV pair";
            let type_name: String = get(row, 2, what)?;
            let kv_type = sluice_flow::kv::KvType::parse(&type_name)
                .ok_or_else(|| $crate::StoreError::corrupt_value(what, format!("unknown KV type `{type_name}`")))?;
            let value: String = get(row, 3, what)?;
            let expires: Option<i64> = get(row, 7, what)?;
            Ok(sluice_tasks::kv::KvEntry {
                namespace: get(row, 0, what)?,
                key: get(row, 1, what)?,
                kv_type,
                value: super::codec::from_json(&value, what)?,
                description: get(row, 4, what)?,
                created: timestamp(get(row, 5, what)?, what)?,
                updated: timestamp(get(row, 6, what)?, what)?,
                expires: expires.map(|n| timestamp(n, what)).transpose()?,
            })
        }

        #[async_trait::async_trait]
        impl sluice_tasks::kv::KvStore for $store {
            async fn kv_get(
                &self,
                namespace: &str,
                key: &str,
                now: jiff::Timestamp,
            ) -> Result<Option<sluice_tasks::kv::KvEntry>, sluice_tasks::kv::StateError> {
                let row = sqlx::query($crate::kv::GET)
                    .bind(namespace)
                    .bind(key)
                    .bind(super::codec::nanos_saturating(now))
                    .fetch_optional(&self.$read)
                    .await
                    .map_err(super::db("reading a KV pair"))?;
                Ok(row.map(|r| kv_entry(&r)).transpose()?)
            }

            async fn kv_list(
                &self,
                namespace: Option<&str>,
                now: Option<jiff::Timestamp>,
            ) -> Result<Vec<sluice_tasks::kv::KvEntry>, sluice_tasks::kv::StateError> {
                let rows = sqlx::query($crate::kv::LIST)
                    .bind(namespace)
                    .bind(now.map(super::codec::nanos_saturating))
                    .fetch_all(&self.$read)
                    .await
                    .map_err(super::db("listing KV pairs"))?;
                Ok(rows.iter().map(kv_entry).collect::<$crate::Result<Vec<_>>>()?)
            }

            async fn kv_put(&self, put: &sluice_tasks::kv::KvPut<'_>) -> Result<bool, sluice_tasks::kv::StateError> {
                let written = sqlx::query($crate::kv::PUT)
                    .bind(put.namespace)
                    .bind(put.key)
                    .bind(put.kv_type.name())
                    .bind(super::codec::json(put.value, "a KV value")?)
                    .bind(put.description)
                    .bind(super::codec::nanos(put.at)?)
                    .bind(put.expires.map(super::codec::nanos).transpose()?)
                    .bind(put.overwrite)
                    .execute(&self.$write)
                    .await
                    .map_err(super::db("writing a KV pair"))?;
                Ok(written.rows_affected() > 0)
            }

            async fn kv_delete(
                &self,
                namespace: &str,
                key: &str,
                now: jiff::Timestamp,
            ) -> Result<bool, sluice_tasks::kv::StateError> {
                let row = sqlx::query($crate::kv::DELETE)
                    .bind(namespace)
                    .bind(key)
                    .fetch_optional(&self.$write)
                    .await
                    .map_err(super::db("deleting a KV pair"))?;
                let Some(row) = row else {
                    return Ok(false);
                };
                let expires: Option<i64> = super::codec::get(&row, 0, "a deleted KV pair")?;
                Ok(expires.is_none_or(|e| e > super::codec::nanos_saturating(now)))
            }
        }
    };
}

pub(crate) use kv_store;
