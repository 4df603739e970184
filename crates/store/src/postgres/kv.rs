//! The KV store on PostgreSQL: the shared queries of [`crate::kv`] on the pool.

use super::PostgresStore;

crate::kv::kv_store!(PostgresStore, sqlx::postgres::PgRow, pool, pool);
