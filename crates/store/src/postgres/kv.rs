//! The KV store and namespace files on PostgreSQL: the shared queries of [`crate::kv`] and
//! [`crate::namespace_files`] on the pool.

use super::PostgresStore;

crate::kv::kv_store!(PostgresStore, sqlx::postgres::PgRow, pool, pool);

crate::namespace_files::namespace_file_store!(PostgresStore, pool, pool);

crate::secrets::secret_store!(PostgresStore, pool, pool);
