//! The KV store and namespace files on SQLite: the shared queries of [`crate::kv`] and
//! [`crate::namespace_files`], read from the reader pool and
//! written through the single writer.

use super::SqliteStore;

crate::kv::kv_store!(SqliteStore, sqlx::sqlite::SqliteRow, reader, writer);

crate::namespace_files::namespace_file_store!(SqliteStore, reader, writer);

crate::secrets::secret_store!(SqliteStore, reader, writer);
